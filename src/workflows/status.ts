/**
 * What `kx status` reports: progress of the create from the state, the cluster's
 * addresses, certificate expiry, and — unless offline — the live view: Kubernetes nodes
 * (kubectl on the first control-plane node) and etcd health (etcdctl on a member).
 */
import { readCertificatesOutput } from "../steps/pki/expiries.js";
import type { KxContext } from "../steps/context.js";
import type { SshSession } from "../ssh/types.js";
import type { StateDoc } from "../engine/state.js";
import { etcdctl, parseHealth } from "../steps/etcd/etcdctl.js";
import { listNodes, type ClusterNode } from "../steps/kubernetes/nodes.js";
import { listReleases, type ReleaseSummary } from "../steps/addons/helm.js";

/** Certificates closer than this to expiry are flagged. */
export const EXPIRY_WARNING_DAYS = 30;

export interface AreaStatus {
  area: string;
  total: number;
  done: number;
  failed: string[];
  pending: number;
}

export interface CertificateStatus {
  name: string;
  notAfter: string;
  daysLeft: number;
  warning: boolean;
}

export type NodeStatus = ClusterNode;

export interface ClusterStatus {
  cluster: string;
  updatedAt: string;
  kxVersion: string;
  areas: AreaStatus[];
  endpoints: Record<string, string>;
  certificates: CertificateStatus[];
  nodes?: NodeStatus[] | { error: string };
  etcd?: { endpoint: string; healthy: boolean; error?: string }[] | { error: string };
  /** The add-ons' Helm releases, asked on the first control-plane node. */
  addons?: ReleaseSummary[] | { error: string };
}

export function statusFromState(state: StateDoc, now = new Date()): ClusterStatus {
  const areas = new Map<string, AreaStatus>();
  const certificates: CertificateStatus[] = [];
  for (const [id, record] of Object.entries(state.steps)) {
    const name = id.split("/")[0]!;
    const area = areas.get(name) ?? { area: name, total: 0, done: 0, failed: [], pending: 0 };
    areas.set(name, area);
    area.total++;
    if (record.status === "done") area.done++;
    else if (record.status === "failed") area.failed.push(id);
    else area.pending++;
    if (id.startsWith("pki/")) {
      for (const [cert, notAfter] of Object.entries(readCertificatesOutput(record.outputs))) {
        const daysLeft = Math.floor((Date.parse(notAfter) - now.getTime()) / 86_400_000);
        certificates.push({ name: cert, notAfter, daysLeft, warning: daysLeft < EXPIRY_WARNING_DAYS });
      }
    }
  }
  const out = (step: string, key: string) => {
    const v = state.steps[step]?.outputs?.[key];
    return typeof v === "string" ? v : undefined;
  };
  const endpoints: Record<string, string> = {};
  const awsName = out("edge/dns", "apiFqdn") ?? out("edge/api-lb", "dnsName");
  // A hosts: cluster has no load balancer: its endpoint is the one the kubernetes step waited on.
  const api = awsName ? `https://${awsName}:6443` : out("kubernetes/api-endpoint", "apiEndpoint");
  if (api) endpoints.api = api;
  const bastion = out("edge/bastion", "publicIp");
  if (bastion) endpoints.bastion = bastion;
  const vpc = out("network/vpc", "vpcId");
  if (vpc) endpoints.vpc = vpc;
  return {
    cluster: state.cluster,
    updatedAt: state.updatedAt,
    kxVersion: state.kxVersion,
    areas: [...areas.values()],
    endpoints,
    certificates: certificates.sort((a, b) => a.daysLeft - b.daysLeft),
  };
}

/** Asks the first control-plane node; a failure is reported, not thrown (status shows what it can). */
async function onFirstMaster<T>(ctx: KxContext, ask: (session: SshSession) => Promise<T>): Promise<T | { error: string }> {
  try {
    const [first] = await ctx.inventory.hosts("control-plane");
    if (!first) return { error: "no control-plane node in the inventory" };
    return await ask(await ctx.ssh.session(first.ssh));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Nodes as the API server knows them. */
export const liveNodes = (ctx: KxContext): Promise<NodeStatus[] | { error: string }> => onFirstMaster(ctx, listNodes);

/** The Helm releases in the cluster (the add-ons). */
export const liveAddons = (ctx: KxContext): Promise<ReleaseSummary[] | { error: string }> => onFirstMaster(ctx, listReleases);

/** etcd health of every member, asked on the first member with the healthcheck client certificate. */
export async function liveEtcd(ctx: KxContext, binDir = "/usr/local/bin"): Promise<{ endpoint: string; healthy: boolean; error?: string }[] | { error: string }> {
  try {
    const members = await ctx.inventory.hosts("etcd");
    if (members.length === 0) return { error: "no etcd member in the inventory" };
    const session = await ctx.ssh.session(members[0]!.ssh);
    const endpoints = members.map((m) => `https://${m.privateIp}:2379`);
    const r = await session.exec(etcdctl(binDir, endpoints, "healthcheck-client", "endpoint health -w json"), { sudo: true, allowFailure: true, timeoutMs: 30_000 });
    const health = parseHealth(r.stdout);
    if (health.length === 0) return { error: r.stderr.trim().split("\n").slice(-3).join(" ") || "etcdctl printed nothing" };
    return health.map((h) => ({ endpoint: h.endpoint, healthy: h.health, ...(h.error ? { error: h.error } : {}) }));
  } catch (e) {
    return { error: (e as Error).message };
  }
}
