/**
 * One node's upgrade, in kubeadm's order: kubeadm itself, then `kubeadm upgrade apply`
 * (the first control-plane node) or `kubeadm upgrade node` (every other node), then the
 * node is drained, its kubelet and kubectl upgraded and restarted, and it is uncordoned
 * once it is Ready at the new version. Every phase is safe to run again, so a run
 * stopped half-way resumes by running the node's upgrade once more.
 */
import { KxError } from "../../engine/errors.js";
import type { SshSession } from "../../ssh/types.js";
import { shellQuote } from "../../ssh/shell.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { listNodes, type ClusterNode } from "../kubernetes/nodes.js";
import { pollUntil } from "../kubernetes/poll.js";
import { apiReady, KUBECTL, run } from "../kubernetes/remote.js";
import { clusterVersion, kubeadmVersion } from "./cluster-version.js";
import { packagesScript } from "./packages.js";
import { sameVersion, withV, type Version } from "./versions.js";

export type NodeRole = "first-control-plane" | "control-plane" | "worker";

export interface NodeUpgrade {
  host: NodeHost;
  role: NodeRole;
  target: Version;
  /** Cordoned before the upgrade began: it stays cordoned after. */
  keepCordoned: boolean;
  /** How long a drain may take before kx stops and says which pods hold it (default 5 min). */
  drainTimeoutS?: number;
  /** How long the node and the API get to come back (default 5 min). */
  readyTimeoutMs?: number;
}

export interface NodeFacts {
  node?: ClusterNode;
  kubeadm: string;
  /** The first control-plane node only: the cluster's version. */
  cluster?: string;
}

export async function nodeFacts(admin: SshSession, node: SshSession, u: Pick<NodeUpgrade, "host" | "role">): Promise<NodeFacts> {
  const [nodes, kubeadm, cluster] = await Promise.all([
    listNodes(admin),
    kubeadmVersion(node),
    u.role === "first-control-plane" ? clusterVersion(admin) : Promise.resolve(undefined),
  ]);
  return { node: nodes.find((n) => n.name === u.host.nodeName), kubeadm, cluster };
}

/** What is left to do on the node; empty when it is done. */
export function remainingWork(facts: NodeFacts, u: Pick<NodeUpgrade, "target" | "keepCordoned" | "role">): string[] {
  const want = withV(u.target);
  const left: string[] = [];
  if (!sameVersion(facts.kubeadm, want)) left.push(`kubeadm ${facts.kubeadm || "(none)"} → ${want}`);
  if (facts.cluster !== undefined && !sameVersion(facts.cluster, want)) left.push(`kubeadm upgrade apply ${want}`);
  if (!facts.node) left.push("node not registered");
  else {
    if (!sameVersion(facts.node.version, want)) left.push(`kubelet ${facts.node.version} → ${want}`);
    if (facts.node.cordoned && !u.keepCordoned) left.push("uncordon");
  }
  return left;
}

export async function upgradeNode(ctx: KxContext, admin: SshSession, u: NodeUpgrade): Promise<void> {
  const { host, target } = u;
  const want = withV(target);
  const node = await ctx.ssh.session(host.ssh);
  const say = (message: string) => ctx.log.progress(host.name, message);
  const readyTimeoutMs = u.readyTimeoutMs ?? 5 * 60_000;

  say(`kubeadm ${want}`);
  await run(node, packagesScript(target, ["kubeadm"]), `install kubeadm ${want}`);
  if (u.role === "first-control-plane") {
    say(`kubeadm upgrade plan ${want}`);
    await run(node, `kubeadm upgrade plan ${want}`, `kubeadm upgrade plan ${want}`);
    say(`kubeadm upgrade apply ${want}`);
    await run(node, `kubeadm upgrade apply ${want} --yes`, `kubeadm upgrade apply ${want}`, 20 * 60_000);
  } else {
    say("kubeadm upgrade node");
    await run(node, "kubeadm upgrade node", "kubeadm upgrade node", 20 * 60_000);
  }
  if (u.role !== "worker") await waitForApi(ctx, admin, host, readyTimeoutMs);

  say("drain");
  await drain(admin, host, u.drainTimeoutS ?? 300);
  say(`kubelet and kubectl ${want}`);
  await run(node, packagesScript(target, ["kubelet", "kubectl"]), `install kubelet and kubectl ${want}`);
  await run(node, "systemctl daemon-reload && systemctl restart kubelet", "restart kubelet");
  await waitForNodeAt(ctx, admin, host, want, readyTimeoutMs);
  if (!u.keepCordoned) {
    say("uncordon");
    await run(admin, `${KUBECTL} uncordon ${shellQuote(host.nodeName)}`, `kubectl uncordon ${host.nodeName}`);
  }
  if (u.role !== "worker") await waitForApi(ctx, admin, host, readyTimeoutMs);
}

async function drain(admin: SshSession, host: NodeHost, timeoutS: number): Promise<void> {
  const command = `${KUBECTL} drain ${shellQuote(host.nodeName)} --ignore-daemonsets --delete-emptydir-data --timeout=${timeoutS}s`;
  const r = await admin.exec(command, { sudo: true, allowFailure: true, timeoutMs: (timeoutS + 60) * 1000, label: `kubectl drain ${host.nodeName}` });
  if (r.code !== 0) throw drainFailure(host, timeoutS, r.stderr || r.stdout);
}

/** A drain that did not finish, with kubectl's eviction errors (the pods a disruption budget holds) first. */
export function drainFailure(host: Pick<NodeHost, "name" | "nodeName">, timeoutS: number, kubectlOutput: string): KxError {
  const said = kubectlOutput.trim();
  const blocked = [...new Set(said.split("\n").filter((l) => /evict|disruption budget/i.test(l)))].slice(-5);
  return new KxError(`draining ${host.name} (${host.nodeName}) did not finish within ${timeoutS} s: ${blocked.length ? blocked.join("; ") : said.split("\n").slice(-3).join(" ")}`, {
    hint:
      "A PodDisruptionBudget allows no eviction (a single-replica Deployment, or Istio's istiod/gateway PDBs with one pod): scale that workload up or relax its budget, then run kx upgrade again. " +
      `The node stays cordoned until then (kubectl uncordon ${host.nodeName} gives it back as it was).`,
  });
}

async function waitForNodeAt(ctx: KxContext, admin: SshSession, host: NodeHost, want: string, timeoutMs: number): Promise<void> {
  let last: ClusterNode | undefined;
  await pollUntil(
    { signal: ctx.signal, timeoutMs, pollMs: 500, maxPollMs: 2_000 },
    async () => {
      last = (await listNodes(admin)).find((n) => n.name === host.nodeName);
      return last?.ready && sameVersion(last.version, want) ? last : undefined;
    },
    () =>
      new KxError(
        `${host.name} (${host.nodeName}) is not Ready at ${want} ${Math.round(timeoutMs / 1000)} s after its kubelet restarted: ` +
          (last ? `kubelet ${last.version}, ${last.ready ? "Ready" : `NotReady (${last.reason})`}` : "the node is not registered"),
        { hint: `On ${host.name}: systemctl status kubelet; journalctl -u kubelet. The node stays cordoned; run kx upgrade again once it is fixed.` },
      ),
  );
}

/** The API through the control-plane endpoint (admin.conf), after a control-plane component restarted. */
async function waitForApi(ctx: KxContext, admin: SshSession, host: NodeHost, timeoutMs: number): Promise<void> {
  let detail = "";
  await pollUntil(
    { signal: ctx.signal, timeoutMs, pollMs: 500, maxPollMs: 2_000 },
    async () => {
      const ready = await apiReady(admin);
      detail = ready.detail;
      return ready.ok ? true : undefined;
    },
    () =>
      new KxError(`the Kubernetes API did not answer within ${Math.round(timeoutMs / 1000)} s after ${host.name}'s control plane was upgraded (last answer: ${detail || "none"})`, {
        hint: `On ${host.name}: crictl ps -a and /var/log/pods show the control-plane pods; kubeadm keeps the previous manifests in /etc/kubernetes/tmp.`,
      }),
  );
}
