/**
 * `kx status`: how far the create got, the cluster's addresses, certificate expiry, and
 * (unless --offline) the live nodes, etcd health and the add-ons' Helm releases. Exits 1
 * when something live is unhealthy, so scripts can gate on it (as kops validate does).
 */
import type { GlobalOptions } from "../cli.js";

import type { Io } from "../ui/io.js";
import { contextFromState } from "../workflows/offline-context.js";
import { openSession } from "../workflows/session.js";
import { liveAddons, liveEtcd, liveNodes, statusFromState, type ClusterStatus } from "../workflows/status.js";
import { ioFor, loadClusterWithState, type ClusterSelector } from "./support/common.js";

export interface StatusOptions extends ClusterSelector {
  offline?: boolean;
}

export async function run(options: StatusOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const { config, stateDir, state } = await loadClusterWithState(options, globals, io);
  const status: ClusterStatus = statusFromState(state);
  if (!options.offline && state.steps["kubernetes/control-plane-init"]?.status === "done") {
    const session = await openSession({ config, stateDir, dryRun: true, globals, io, state });
    try {
      const ctx = contextFromState(session, io);
      [status.nodes, status.etcd, status.addons] = await Promise.all([liveNodes(ctx), liveEtcd(ctx), liveAddons(ctx)]);
    } finally {
      await session.close();
    }
  }
  if (io.mode === "json") io.json({ type: "status", ...status });
  else io.result(renderStatus(status, io));
  return healthy(status) ? 0 : 1;
}

export function healthy(status: ClusterStatus): boolean {
  const nodesOk = !status.nodes || (Array.isArray(status.nodes) && status.nodes.every((n) => n.ready));
  const etcdOk = !status.etcd || (Array.isArray(status.etcd) && status.etcd.every((m) => m.healthy));
  const addonsOk = !status.addons || (Array.isArray(status.addons) && status.addons.every((r) => r.status === "deployed"));
  return nodesOk && etcdOk && addonsOk && status.areas.every((a) => a.failed.length === 0);
}

function renderStatus(s: ClusterStatus, io: Io): string {
  const { c } = io;
  const lines = [c.bold(`Cluster ${s.cluster}`) + c.dim(`  (state written by kx ${s.kxVersion} at ${s.updatedAt})`), "", "Progress"];
  for (const a of s.areas) {
    const extra = [a.pending ? `${a.pending} pending` : "", a.failed.length ? c.red(`failed: ${a.failed.join(", ")}`) : ""].filter(Boolean).join(", ");
    lines.push(`  ${a.area.padEnd(12)} ${a.done}/${a.total} done${extra ? `, ${extra}` : ""}`);
  }
  if (Object.keys(s.endpoints).length > 0) {
    lines.push("", "Endpoints");
    for (const [k, v] of Object.entries(s.endpoints)) lines.push(`  ${k.padEnd(12)} ${v}`);
  }
  if (s.certificates.length > 0) {
    lines.push("", "Certificates");
    for (const cert of s.certificates) {
      const text = `  ${cert.name.padEnd(42)} expires ${cert.notAfter.slice(0, 10)} (${cert.daysLeft} days)`;
      lines.push(cert.warning ? c.yellow(`${text}  renew soon`) : text);
    }
  }
  if (s.nodes) {
    lines.push("", "Nodes");
    if (!Array.isArray(s.nodes)) lines.push(c.red(`  cannot list nodes: ${s.nodes.error}`));
    else {
      for (const n of s.nodes) {
        const state = `${n.ready ? c.green("Ready") : c.red("NotReady")}${n.cordoned ? c.yellow(",SchedulingDisabled") : ""}`;
        lines.push(`  ${n.name.padEnd(48)} ${(n.roles.join(",") || "worker").padEnd(14)} ${state}  ${n.version}${n.ready ? "" : `  ${c.dim(n.reason)}`}`);
      }
      const versions = [...new Set(s.nodes.map((n) => n.version))];
      if (versions.length > 1) lines.push(c.yellow(`  nodes run ${versions.join(" and ")}: an upgrade has not finished (kx upgrade continues it)`));
    }
  }
  if (s.etcd) {
    lines.push("", "etcd");
    if (!Array.isArray(s.etcd)) lines.push(c.red(`  cannot check etcd: ${s.etcd.error}`));
    else for (const m of s.etcd) lines.push(`  ${m.endpoint.padEnd(32)} ${m.healthy ? c.green("healthy") : c.red(`unhealthy${m.error ? `: ${m.error}` : ""}`)}`);
  }
  if (s.addons) {
    lines.push("", "Add-ons");
    if (!Array.isArray(s.addons)) lines.push(c.red(`  cannot list the Helm releases: ${s.addons.error}`));
    else for (const r of s.addons) lines.push(`  ${`${r.namespace}/${r.name}`.padEnd(42)} ${r.chart.padEnd(36)} ${r.status === "deployed" ? c.green(r.status) : c.red(r.status)}`);
  }
  return lines.join("\n");
}
