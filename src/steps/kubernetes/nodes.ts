/** The cluster's nodes as the API server knows them, asked with kubectl on a control-plane node. */
import { KxError } from "../../engine/errors.js";
import type { SshSession } from "../../ssh/types.js";
import { KUBECTL, sleep } from "./remote.js";

export interface ClusterNode {
  name: string;
  /** From the node-role.kubernetes.io/<role> labels: "control-plane", … */
  roles: string[];
  ready: boolean;
  /** Why it is not Ready, as the kubelet put it (empty when Ready). */
  reason: string;
  version: string;
  /** Cordoned: `kubectl cordon` or a drain set spec.unschedulable. */
  cordoned: boolean;
}

interface NodeList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    spec?: { unschedulable?: boolean };
    status?: { conditions?: { type: string; status: string; message?: string }[]; nodeInfo?: { kubeletVersion?: string } };
  }[];
}

const ROLE_LABEL = "node-role.kubernetes.io/";

export async function listNodes(session: SshSession): Promise<ClusterNode[]> {
  const r = await session.exec(`${KUBECTL} get nodes -o json`, { sudo: true, timeoutMs: 30_000, readOnly: true });
  const list = JSON.parse(r.stdout) as NodeList;
  return list.items.map((n) => {
    const ready = n.status?.conditions?.find((c) => c.type === "Ready");
    return {
      name: n.metadata.name,
      roles: Object.keys(n.metadata.labels ?? {})
        .filter((l) => l.startsWith(ROLE_LABEL))
        .map((l) => l.slice(ROLE_LABEL.length)),
      ready: ready?.status === "True",
      reason: ready?.status === "True" ? "" : (ready?.message ?? "no Ready condition yet"),
      version: n.status?.nodeInfo?.kubeletVersion ?? "",
      cordoned: n.spec?.unschedulable === true,
    };
  });
}

export const isControlPlaneNode = (n: ClusterNode) => n.roles.includes("control-plane");

/**
 * Waits until every registered node is Ready (a node is Ready once its pod network is
 * up); fails after `timeoutMs` naming the nodes that are not, with the kubelet's reason.
 */
export async function waitForNodesReady(session: SshSession, signal: AbortSignal, timeoutMs: number, pollMs = 1_000): Promise<ClusterNode[]> {
  const deadline = Date.now() + timeoutMs;
  let delay = pollMs;
  for (;;) {
    const nodes = await listNodes(session);
    const notReady = nodes.filter((n) => !n.ready);
    if (notReady.length === 0) return nodes;
    if (Date.now() + delay > deadline) {
      throw new KxError(`${notReady.length} of ${nodes.length} nodes are not Ready after ${Math.round(timeoutMs / 1000)} s: ${notReady.map((n) => `${n.name} (${n.reason || "no reason given"})`).join(", ")}`, {
        hint: "`kubectl describe node NAME` on a master shows the kubelet's conditions; the pod network's agent runs as a DaemonSet in kube-system.",
      });
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 10_000);
  }
}
