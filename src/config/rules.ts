/**
 * Cross-field rules of the cluster config. They run as a superRefine of the schema even
 * when some field is malformed (so a file gets every problem at once), which is why they
 * read the config loosely and skip a rule whose inputs the shape already rejected.
 * Each problem names the field to change; `kind: "missing"` marks a value that has no
 * default and was not given (the wizard asks for those, `--yes` lists them).
 */
import type { z } from "zod";
import { contains, formatCidr, overlaps, parseAddress, parseCidr, type Cidr } from "./cidr.js";
import { DEFAULT_K8S_VERSION, REGION_PATTERN, SUPPORTED_K8S_MINORS, VERSION_PATTERN } from "./constants.js";
import { asRecord, DERIVABLE_VPC_PREFIX, effectiveToggles, type Loose } from "./derive.js";

export type IssuePath = (string | number)[];
export type IssueKind = "missing";
type Report = (path: IssuePath, message: string, kind?: IssueKind) => void;

interface View {
  c: NonNullable<Loose>;
  onAws: boolean;
  get(...path: string[]): unknown;
}
type Rule = (view: View, report: Report) => void;

export function clusterRules(config: unknown, ctx: z.core.$RefinementCtx<any>): void {
  const c = asRecord(config);
  if (!c) return;
  const report: Report = (path, message, kind) =>
    ctx.addIssue({ code: "custom", path, message, input: undefined, ...(kind ? { params: { kind } } : {}) });
  const view: View = { c, onAws: !Array.isArray(c.hosts), get: (...path) => path.reduce<unknown>((v, k) => asRecord(v)?.[k], c) };
  for (const rule of RULES) rule(view, report);
}

const requiredOnAws: Rule = ({ c, onAws }, report) => {
  if (!onAws) return;
  if (c.region === undefined) report(["region"], "is required unless hosts: lists existing machines: the AWS region, e.g. eu-west-1", "missing");
  if (c.dns === undefined) report(["dns", "zone"], "is required unless hosts: lists existing machines: the cluster's DNS zone, e.g. lab.example.com", "missing");
};

const zones: Rule = ({ c }, report) => {
  const list = c.zones;
  if (!Array.isArray(list)) return;
  if (list.length !== 3) report(["zones"], `must list exactly 3 availability zones, one per etcd and control-plane member (got ${list.length})`);
  const region = c.region;
  if (region === undefined) report(["region"], "is required when zones are given: a zone is named after its region (e.g. eu-west-1a)", "missing");
  const regionOk = typeof region === "string" && REGION_PATTERN.test(region);
  list.forEach((zone, i) => {
    if (typeof zone !== "string") return;
    const first = list.indexOf(zone);
    if (first < i) report(["zones", i], `"${zone}" is listed twice (also zones[${first}])`);
    else if (regionOk && !new RegExp(`^${region}[a-z]$`).test(zone))
      report(["zones", i], `"${zone}" is not a zone of region ${region}: expected ${region} followed by one letter, e.g. ${region}a`);
  });
};

const vpc: Rule = ({ onAws, get }, report) => {
  const block = parseCidr(get("network", "vpcCidr"));
  if (!onAws || !block) return;
  if (block.prefix < 16 || block.prefix > 28) report(["network", "vpcCidr"], `must be between /16 and /28, the VPC sizes AWS allows (got /${block.prefix})`);
  else if (subnetsDerived(get) && block.prefix > DERIVABLE_VPC_PREFIX.max)
    report(
      ["network", "vpcCidr"],
      `/${block.prefix} is too small for kx to derive the subnets (it needs /${DERIVABLE_VPC_PREFIX.min} to /${DERIVABLE_VPC_PREFIX.max}); ` +
        "list network.publicSubnets and network.privateSubnets yourself",
    );
};

function subnetsDerived(get: View["get"]): boolean {
  return get("network", "publicSubnets") === undefined && get("network", "privateSubnets") === undefined;
}

const subnets: Rule = ({ onAws, get }, report) => {
  if (!onAws) return;
  const pub = get("network", "publicSubnets");
  const priv = get("network", "privateSubnets");
  if ((pub === undefined) !== (priv === undefined)) {
    const [given, missing] = pub === undefined ? ["privateSubnets", "publicSubnets"] : ["publicSubnets", "privateSubnets"];
    report(["network", missing], `must be given together with network.${given}: kx derives both from network.vpcCidr only when both are left out`);
    return;
  }
  const vpcText = get("network", "vpcCidr");
  const vpcBlock = parseCidr(vpcText);
  const seen: { path: IssuePath; block: Cidr }[] = [];
  for (const key of ["publicSubnets", "privateSubnets"]) {
    const list = get("network", key);
    if (!Array.isArray(list)) continue;
    list.forEach((text, i) => {
      const block = parseCidr(text);
      if (!block) return;
      const path = ["network", key, i];
      if (block.prefix < 16 || block.prefix > 28) report(path, `must be between /16 and /28, the subnet sizes AWS allows (got /${block.prefix})`);
      if (vpcBlock && !contains(vpcBlock, block)) report(path, `${text} is not inside the VPC ${vpcText} (network.vpcCidr)`);
      const clash = seen.find((s) => overlaps(s.block, block));
      if (clash) report(path, `${text} overlaps ${formatPath(clash.path)} (${formatCidr(clash.block)})`);
      seen.push({ path, block });
    });
  }
};

const podAndServiceCidrs: Rule = ({ onAws, get, c }, report) => {
  const pod = parseCidr(get("network", "podCidr"));
  const service = parseCidr(get("network", "serviceCidr"));
  const vpcBlock = onAws ? parseCidr(get("network", "vpcCidr")) : undefined;
  if (vpcBlock && pod && overlaps(vpcBlock, pod))
    report(["network", "podCidr"], `${formatCidr(pod)} overlaps the VPC ${formatCidr(vpcBlock)} (network.vpcCidr)`);
  if (vpcBlock && service && overlaps(vpcBlock, service))
    report(["network", "serviceCidr"], `${formatCidr(service)} overlaps the VPC ${formatCidr(vpcBlock)} (network.vpcCidr)`);
  if (pod && service && overlaps(pod, service))
    report(["network", "serviceCidr"], `${formatCidr(service)} overlaps network.podCidr (${formatCidr(pod)})`);
  if (service && service.prefix < 12)
    report(["network", "serviceCidr"], `must be /12 or smaller: kube-apiserver allows at most 2^20 service addresses (got /${service.prefix})`);
  // Cilium's cluster-pool hands each node a /24 out of the pod CIDR.
  const poolMode = get("addons", "cilium", "ipam") !== "eni";
  const nodes = nodeCount(c, get);
  if (pod && poolMode && nodes !== undefined) {
    const blocks = pod.prefix <= 24 ? 2 ** (24 - pod.prefix) : 0;
    if (blocks < nodes)
      report(
        ["network", "podCidr"],
        `${formatCidr(pod)} holds ${blocks} per-node /24 block${blocks === 1 ? "" : "s"} but the cluster can have ${nodes} nodes; use a larger block such as /16`,
      );
  }
};

/** Nodes that run pods: control plane and the most workers there can be. */
function nodeCount(c: NonNullable<Loose>, get: View["get"]): number | undefined {
  if (Array.isArray(c.hosts))
    return c.hosts.filter((h) => rolesOf(h).some((r) => r === "control-plane" || r === "worker")).length;
  const cp = get("controlPlane", "count");
  const max = get("workers", "max");
  return typeof cp === "number" && typeof max === "number" ? cp + max : undefined;
}

/** Most control-plane nodes kx places on AWS (master-a .. master-i over the zones). */
export const MAX_CONTROL_PLANE = 9;

/**
 * etcd is a quorum: an odd member count survives the loss of as many members as an even
 * one with one more. kx always runs etcd apart from the API servers, so the control plane
 * holds no quorum and any count from 1 to MAX_CONTROL_PLANE works.
 */
const memberCounts: Rule = ({ onAws, get }, report) => {
  if (!onAws) return; // a hosts: cluster's counts are its hosts' roles
  const etcd = get("etcd", "count");
  if (typeof etcd === "number" && ![1, 3, 5].includes(etcd))
    report(["etcd", "count"], `must be 1, 3 or 5: an odd number keeps a quorum when a member is lost (got ${etcd})`);
  const cp = get("controlPlane", "count");
  if (typeof cp === "number" && (cp < 1 || cp > MAX_CONTROL_PLANE))
    report(["controlPlane", "count"], `must be 1 to ${MAX_CONTROL_PLANE} (got ${cp})`);
};

const workerRange: Rule = ({ get }, report) => {
  const [min, desired, max] = ["min", "desired", "max"].map((k) => get("workers", k));
  if (typeof min !== "number" || typeof desired !== "number" || typeof max !== "number") return;
  if (min > max) report(["workers", "min"], `must not be greater than workers.max (${max})`);
  else if (desired < min) report(["workers", "desired"], `must be at least workers.min (${min})`);
  else if (desired > max) report(["workers", "desired"], `must not be greater than workers.max (${max})`);
};

const kubernetesVersion: Rule = ({ get }, report) => {
  const version = get("kubernetes", "version");
  if (typeof version !== "string" || !VERSION_PATTERN.test(version)) return;
  const minor = version.replace(/^v/, "").split(".").slice(0, 2).join(".");
  if (!(SUPPORTED_K8S_MINORS as readonly string[]).includes(minor)) {
    const range = `${SUPPORTED_K8S_MINORS[0]} to ${SUPPORTED_K8S_MINORS[SUPPORTED_K8S_MINORS.length - 1]}`;
    report(["kubernetes", "version"], `Kubernetes ${minor} is not supported: kx supports ${range} (default ${DEFAULT_K8S_VERSION})`);
  }
};

const addonDependencies: Rule = ({ c, onAws, get }, report) => {
  const toggles = effectiveToggles(c);
  const istioOn = get("addons", "istio", "enabled") !== false;
  if (!istioOn)
    for (const tool of ["prometheus", "grafana", "kiali", "jaeger"])
      if (get("addons", "istio", "observability", tool) === true)
        report(["addons", "istio", "observability", tool], "needs addons.istio.enabled: true (it is one of Istio's observability tools)");
  if (istioOn && get("addons", "cilium", "enabled") === false)
    report(["addons", "istio", "enabled"], "needs addons.cilium.enabled: true (kx chains Istio's CNI onto Cilium)");
  if (get("addons", "metricbeat", "enabled") === true && get("addons", "efk", "enabled") === false)
    report(["addons", "metricbeat", "enabled"], "needs addons.efk.enabled: true (Metricbeat ships to the EFK stack's Elasticsearch)");
  if (onAws) {
    if (!toggles.cloudController)
      report(["addons", "cloudController", "enabled"], "must stay true on AWS: kubelets run with cloud-provider=external and wait for the cloud controller to initialise them");
    return;
  }
  for (const addon of ["cloudController", "ebsCsi"])
    if (get("addons", addon, "enabled") === true) report(["addons", addon, "enabled"], "needs AWS instances; a hosts: cluster cannot enable it");
  if (get("addons", "cilium", "ipam") === "eni")
    report(["addons", "cilium", "ipam"], "eni gives pods VPC addresses and needs AWS instances; a hosts: cluster uses cluster-pool");
};

const images: Rule = ({ onAws, get }, report) => {
  if (!onAws || get("images", "build") !== false) return;
  if (get("images", "node") === undefined) report(["images", "node"], "is required when images.build is false: the AMI id of the node image", "missing");
  if (get("images", "etcd") === undefined) report(["images", "etcd"], "is required when images.build is false: the AMI id of the etcd image", "missing");
};

const bastion: Rule = ({ c, onAws, get }, report) => {
  if (!onAws) {
    if (get("ssh", "bastion", "enabled") === true)
      report(["ssh", "bastion", "enabled"], "a hosts: cluster has no AWS bastion; give one of its hosts the bastion role instead");
    return;
  }
  const allowed = get("ssh", "bastion", "allowedCidrs");
  if (effectiveToggles(c).bastion && Array.isArray(allowed) && allowed.length === 0)
    report(
      ["ssh", "bastion", "allowedCidrs"],
      "must list at least one CIDR allowed to reach the bastion (e.g. your office's public range 203.0.113.0/24) while ssh.bastion.enabled is true",
      "missing",
    );
};

const rds: Rule = ({ onAws, get }, report) => {
  if (get("rds", "enabled") !== true) return;
  if (!onAws) report(["rds", "enabled"], "needs AWS: a hosts: cluster cannot have an RDS database");
  if (get("rds", "username") === "rdsadmin") report(["rds", "username"], "rdsadmin is reserved by RDS; choose another name");
};

const ecr: Rule = ({ c, get }, report) => {
  const repos = get("ecr", "repositories");
  if (!Array.isArray(repos)) return;
  repos.forEach((name, i) => {
    const first = repos.indexOf(name);
    if (first < i) report(["ecr", "repositories", i], `"${String(name)}" is listed twice (also ecr.repositories[${first}])`);
  });
  if (repos.length > 0 && Array.isArray(c.hosts) && c.region === undefined)
    report(["region"], "is required when ecr.repositories lists repositories: ECR is a regional service", "missing");
};

const hosts: Rule = ({ c }, report) => {
  const list = c.hosts;
  if (!Array.isArray(list)) return;
  const firstWith = new Map<string, number>();
  const once = (key: string, i: number, path: IssuePath, what: (j: number) => string) => {
    const j = firstWith.get(key);
    if (j === undefined) firstWith.set(key, i);
    else report(path, what(j));
  };
  let bastionAt: number | undefined;
  list.forEach((raw, i) => {
    const h = asRecord(raw);
    if (!h) return;
    if (typeof h.name === "string") once(`name:${h.name}`, i, ["hosts", i, "name"], (j) => `"${h.name}" is already the name of hosts[${j}]`);
    if (typeof h.address === "string") {
      const port = typeof h.port === "number" ? h.port : 22;
      once(`addr:${h.address}:${port}`, i, ["hosts", i, "address"], (j) => `${h.address} (port ${port}) is already the address of hosts[${j}]`);
    }
    const roles = rolesOf(h);
    roles.forEach((role, k) => {
      if (roles.indexOf(role) < k) report(["hosts", i, "roles", k], `"${role}" is listed twice`);
    });
    if (roles.includes("bastion")) {
      if (bastionAt !== undefined) report(["hosts", i, "roles"], `only one host may be the bastion (hosts[${bastionAt}] already is)`);
      else bastionAt = i;
      if (roles.some((r) => r !== "bastion"))
        report(["hosts", i, "roles"], "the bastion role cannot be combined with another: the bastion is the one host reachable from outside");
    } else if (typeof h.privateAddress === "string") {
      if (parseAddress(h.privateAddress) === undefined)
        report(["hosts", i, "privateAddress"], "must be an IPv4 address: etcd and the API server advertise it to the other nodes");
    } else if (typeof h.address === "string" && parseAddress(h.address) === undefined) {
      report(["hosts", i, "privateAddress"], `is required when address is a host name (${h.address}): the cluster needs each node's IPv4 address`, "missing");
    }
  });
  const withRole = (role: string) => list.filter((h) => rolesOf(h).includes(role)).length;
  const etcd = withRole("etcd");
  if (etcd % 2 === 0) report(["hosts"], `needs an odd number of hosts with role etcd (1, 3, 5, …) to keep a quorum; found ${etcd}`);
  // The API servers keep their state in etcd: any number of them works, but one is needed.
  if (withRole("control-plane") === 0) report(["hosts"], "needs at least one host with role control-plane");
};

function rolesOf(host: unknown): string[] {
  const roles = asRecord(host)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [];
}

const RULES: Rule[] = [
  requiredOnAws,
  zones,
  vpc,
  subnets,
  podAndServiceCidrs,
  memberCounts,
  workerRange,
  kubernetesVersion,
  addonDependencies,
  images,
  bastion,
  rds,
  ecr,
  hosts,
];

/** "hosts[2].address" from ["hosts", 2, "address"]. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

export interface ConfigWarning {
  path: string;
  message: string;
  line?: number;
}

/** Allowed but worth a second look; `kx config validate` and the loader print them. */
export function configWarnings(config: {
  ssh: { bastion: { enabled: boolean; allowedCidrs: string[] } };
  etcd: { count: number };
  controlPlane: { count: number };
}): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (config.ssh.bastion.enabled)
    config.ssh.bastion.allowedCidrs.forEach((cidr, i) => {
      if (parseCidr(cidr)?.prefix === 0)
        warnings.push({ path: `ssh.bastion.allowedCidrs[${i}]`, message: `${cidr} lets the whole internet try SSH on the bastion; prefer your own public range` });
    });
  for (const section of ["etcd", "controlPlane"] as const)
    if (config[section].count === 1)
      warnings.push({ path: `${section}.count`, message: "a single member has no fault tolerance: losing it stops the cluster" });
  return warnings;
}
