/**
 * The values a parsed config always carries even when the file leaves them out: the
 * zones, the subnets, add-on switches whose default follows another setting, and the
 * node counts of a `hosts:` cluster. Consumers index `config.zones[i]` and
 * `config.network.privateSubnets[i]` without checks.
 */
import { formatCidr, parseCidr, subnet } from "./cidr.js";
import type { ClusterConfigShape } from "./schema.js";

type Override<T, U> = Omit<T, keyof U> & U;
type Addons = ClusterConfigShape["addons"];
type Switched<T> = Override<T, { enabled: boolean }>;

export interface IstioObservability {
  prometheus: boolean;
  grafana: boolean;
  kiali: boolean;
  jaeger: boolean;
}

export type DerivedConfig = Override<
  ClusterConfigShape,
  {
    /** The 3 availability zones; empty only for a `hosts:` cluster without a region. */
    zones: string[];
    network: Override<ClusterConfigShape["network"], { publicSubnets: string[]; privateSubnets: string[] }>;
    ssh: Override<ClusterConfigShape["ssh"], { bastion: Switched<ClusterConfigShape["ssh"]["bastion"]> }>;
    addons: Override<
      Addons,
      {
        cloudController: Switched<Addons["cloudController"]>;
        ebsCsi: Switched<Addons["ebsCsi"]>;
        metricbeat: Switched<Addons["metricbeat"]>;
        istio: Override<Addons["istio"], { observability: IstioObservability }>;
      }
    >;
  }
>;

/** VPC prefixes kx can cut the default subnets from (a /28 is the smallest AWS subnet). */
export const DERIVABLE_VPC_PREFIX = { min: 16, max: 24 } as const;

export function defaultZones(region: string): string[] {
  return ["a", "b", "c"].map((letter) => `${region}${letter}`);
}

/**
 * Three small public subnets (load balancers, NAT, bastion) at the start of the VPC and
 * three large private ones (nodes, pods with ENI IPAM) filling its last three quarters:
 * for 10.0.0.0/16, public 10.0.{0,16,32}.0/20 and private 10.0.{64,128,192}.0/18.
 */
export function deriveSubnets(vpcCidr: string): { publicSubnets: string[]; privateSubnets: string[] } | undefined {
  const vpc = parseCidr(vpcCidr);
  if (!vpc || vpc.prefix < DERIVABLE_VPC_PREFIX.min || vpc.prefix > DERIVABLE_VPC_PREFIX.max) return undefined;
  return {
    publicSubnets: [0, 1, 2].map((i) => formatCidr(subnet(vpc, vpc.prefix + 4, i))),
    privateSubnets: [1, 2, 3].map((i) => formatCidr(subnet(vpc, vpc.prefix + 2, i))),
  };
}

export interface EffectiveToggles {
  bastion: boolean;
  cloudController: boolean;
  ebsCsi: boolean;
  metricbeat: boolean;
  istioObservability: IstioObservability;
}

export type Loose = { [key: string]: unknown } | undefined;

/**
 * Switches left out of the file follow what they depend on: AWS-only parts are on for
 * AWS clusters and off for `hosts:` ones, Metricbeat follows EFK, Istio's tools follow
 * Istio. Reads loosely because the rules call it on configs that may be malformed.
 */
export function effectiveToggles(config: unknown): EffectiveToggles {
  const c = asRecord(config);
  const onAws = !Array.isArray(c?.hosts);
  const addons = asRecord(c?.addons);
  const flag = (section: Loose, fallback: boolean) => (typeof section?.enabled === "boolean" ? section.enabled : fallback);
  const istio = asRecord(addons?.istio);
  const istioOn = flag(istio, true);
  const observability = asRecord(istio?.observability);
  const tool = (name: keyof IstioObservability) => (typeof observability?.[name] === "boolean" ? (observability[name] as boolean) : istioOn);
  return {
    bastion: flag(asRecord(asRecord(c?.ssh)?.bastion), onAws),
    cloudController: flag(asRecord(addons?.cloudController), onAws),
    ebsCsi: flag(asRecord(addons?.ebsCsi), onAws),
    metricbeat: flag(asRecord(addons?.metricbeat), flag(asRecord(addons?.efk), true)),
    istioObservability: { prometheus: tool("prometheus"), grafana: tool("grafana"), kiali: tool("kiali"), jaeger: tool("jaeger") },
  };
}

/** The transform of the schema: runs only on a config that passed every rule. */
export function deriveConfig(c: ClusterConfigShape): DerivedConfig {
  const toggles = effectiveToggles(c);
  const subnets = deriveSubnets(c.network.vpcCidr);
  const countOf = (role: string) => c.hosts?.filter((h) => h.roles.includes(role as never)).length;
  const { apiVersion, kind, name, region, ...rest } = c;
  return {
    apiVersion,
    kind,
    name,
    region,
    zones: c.zones ?? (region ? defaultZones(region) : []),
    ...rest,
    network: {
      ...c.network,
      publicSubnets: c.network.publicSubnets ?? subnets?.publicSubnets ?? [],
      privateSubnets: c.network.privateSubnets ?? subnets?.privateSubnets ?? [],
    },
    // One spelling everywhere: templates add the "v" where a tool wants it.
    kubernetes: { ...c.kubernetes, version: c.kubernetes.version.replace(/^v/, "") },
    // A hosts: cluster's counts are its hosts' roles.
    etcd: { ...c.etcd, count: countOf("etcd") ?? c.etcd.count },
    controlPlane: { ...c.controlPlane, count: countOf("control-plane") ?? c.controlPlane.count },
    ssh: { ...c.ssh, bastion: switchedOn(c.ssh.bastion, toggles.bastion) },
    addons: {
      ...c.addons,
      cloudController: switchedOn(c.addons.cloudController, toggles.cloudController),
      ebsCsi: switchedOn(c.addons.ebsCsi, toggles.ebsCsi),
      metricbeat: switchedOn(c.addons.metricbeat, toggles.metricbeat),
      istio: { ...c.addons.istio, observability: toggles.istioObservability },
    },
  };
}

/** `enabled` set and kept first, where a reader of the saved config looks for it. */
function switchedOn<T extends { enabled?: boolean }>(section: T, enabled: boolean): Switched<T> {
  return Object.assign({ enabled }, section, { enabled }) as Switched<T>;
}

export function asRecord(value: unknown): Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
