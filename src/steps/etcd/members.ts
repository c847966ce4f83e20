/**
 * Who the etcd members are and what each one must have on disk: step ids, the files
 * (certificates from ctx.secrets, the unit) and where they go.
 */
import { isHostsCluster, type ClusterConfig } from "../../config/schema.js";
import { KxError } from "../../engine/errors.js";
import type { Secret } from "../../engine/secret.js";
import type { PlannedFile } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { placements } from "../machines/placement.js";
import { PKI_STEP } from "../pki/index.js";
import { renderEtcdUnit } from "./unit.js";

export interface EtcdStepOptions {
  /** Where etcd and etcdctl live: the etcd AMI installs the release binaries in /usr/local/bin. */
  binDir?: string;
  dataDir?: string;
  /**
   * Where each member also serves clients (https) and metrics (http): 127.0.0.1
   * ("loopback"), or only its own address ("private-ip"). "auto" (the default) is the
   * loopback unless the member's address is a loopback address already, as on machines
   * that share one loopback network (the test hosts), where 127.0.0.1:2379 would clash.
   */
  localEndpoint?: "auto" | "loopback" | "private-ip";
  /** How long etcd/cluster waits for every member to be healthy. */
  healthTimeoutMs?: number;
}

export const PKI_DIR = "/etc/kubernetes/pki/etcd";
export const UNIT_PATH = "/etc/systemd/system/etcd.service";
export const memberStepId = (name: string) => `etcd/member:${name}`;
export const CLUSTER_STEP_ID = "etcd/cluster";

export interface ResolvedOptions {
  binDir: string;
  dataDir: string;
  localEndpoint: "auto" | "loopback" | "private-ip";
  healthTimeoutMs: number;
}

export function resolveOptions(options: EtcdStepOptions): ResolvedOptions {
  return {
    binDir: options.binDir ?? "/usr/local/bin",
    dataDir: options.dataDir ?? "/var/lib/etcd",
    localEndpoint: options.localEndpoint ?? "auto",
    healthTimeoutMs: options.healthTimeoutMs ?? 5 * 60_000,
  };
}

/** Member names and the machine step each one waits for (none for a `hosts:` cluster). */
export function memberPlan(config: ClusterConfig): { name: string; machineStep?: string }[] {
  if (isHostsCluster(config)) {
    return config.hosts.filter((h) => h.roles.includes("etcd")).map((h) => ({ name: h.name }));
  }
  return placements(config, "etcd").map((p) => ({ name: p.name, machineStep: p.stepId }));
}

export function memberNeeds(member: { machineStep?: string }): string[] {
  return [PKI_STEP.etcdCa, PKI_STEP.etcdMembers, PKI_STEP.etcdClients, ...(member.machineStep ? [member.machineStep] : [])];
}

export const clientUrl = (host: NodeHost) => `https://${host.privateIp}:2379`;

export interface WantedFile {
  path: string;
  mode: number;
  owner: string;
  content: string | Secret;
  secret: boolean;
}

/** The certificate files of a member: from ctx.secrets, undefined while they do not exist yet. */
export async function certificateFiles(ctx: KxContext, member: string): Promise<WantedFile[] | undefined> {
  const sources: [string, string][] = [
    ["ca.crt", "pki/etcd/ca.crt"],
    ["server.crt", `pki/etcd/${member}/server.crt`],
    ["server.key", `pki/etcd/${member}/server.key`],
    ["peer.crt", `pki/etcd/${member}/peer.crt`],
    ["peer.key", `pki/etcd/${member}/peer.key`],
    ["healthcheck-client.crt", "pki/etcd/healthcheck-client.crt"],
    ["healthcheck-client.key", "pki/etcd/healthcheck-client.key"],
  ];
  const values = await Promise.all(sources.map(([, name]) => ctx.secrets.get(name)));
  if (values.some((v) => v === undefined)) {
    if (values.every((v) => v === undefined)) return undefined;
    const missing = sources.filter((_, i) => values[i] === undefined).map(([, name]) => name);
    throw new KxError(`etcd member ${member}: missing certificates in the secret store: ${missing.join(", ")}`, {
      hint: "Run the pki steps again (kx create … --only pki/…) to make them.",
    });
  }
  return sources.map(([file], i) => {
    const secret = file.endsWith(".key");
    const value = values[i]!;
    return { path: `${PKI_DIR}/${file}`, mode: secret ? 0o600 : 0o644, owner: "root:root", content: secret ? value : value.reveal(), secret };
  });
}

export function unitFile(
  ctx: KxContext,
  options: ResolvedOptions,
  host: NodeHost,
  members: NodeHost[],
  state: "new" | "existing",
): WantedFile {
  const onLoopback = options.localEndpoint === "loopback" || (options.localEndpoint === "auto" && !host.privateIp.startsWith("127."));
  const local = onLoopback ? "127.0.0.1" : host.privateIp;
  const clientUrls = [...new Set([clientUrl(host), `https://${local}:2379`])];
  const content = renderEtcdUnit({
    cluster: ctx.cluster,
    name: host.name,
    ip: host.privateIp,
    binDir: options.binDir,
    dataDir: options.dataDir,
    pkiDir: PKI_DIR,
    listenClientUrls: clientUrls.join(","),
    initialCluster: members.map((m) => `${m.name}=https://${m.privateIp}:2380`).join(","),
    initialClusterState: state,
    clusterToken: `${ctx.cluster}-etcd`,
    metricsAddress: local,
  });
  return { path: UNIT_PATH, mode: 0o644, owner: "root:root", content, secret: false };
}

export function plannedFile(host: string, file: WantedFile): PlannedFile {
  return {
    host,
    path: file.path,
    mode: file.mode,
    owner: file.owner,
    content: file.secret ? "*** (private key, from the secret store)" : String(typeof file.content === "string" ? file.content : "***"),
  };
}

/** The etcd hosts, in inventory order; empty while the machines do not exist yet. */
export async function etcdHosts(ctx: KxContext): Promise<NodeHost[]> {
  return ctx.inventory.hosts("etcd");
}
