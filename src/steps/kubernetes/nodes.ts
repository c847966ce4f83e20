/** The cluster's nodes as the API server knows them, asked with kubectl on a control-plane node. */
import type { SshSession } from "../../ssh/types.js";
import { KUBECTL } from "./remote.js";

export interface ClusterNode {
  name: string;
  /** From the node-role.kubernetes.io/<role> labels: "control-plane", … */
  roles: string[];
  ready: boolean;
  version: string;
}

interface NodeList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string } };
  }[];
}

const ROLE_LABEL = "node-role.kubernetes.io/";

export async function listNodes(session: SshSession): Promise<ClusterNode[]> {
  const r = await session.exec(`${KUBECTL} get nodes -o json`, { sudo: true, timeoutMs: 30_000, readOnly: true });
  const list = JSON.parse(r.stdout) as NodeList;
  return list.items.map((n) => ({
    name: n.metadata.name,
    roles: Object.keys(n.metadata.labels ?? {})
      .filter((l) => l.startsWith(ROLE_LABEL))
      .map((l) => l.slice(ROLE_LABEL.length)),
    ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    version: n.status?.nodeInfo?.kubeletVersion ?? "",
  }));
}

export const isControlPlaneNode = (n: ClusterNode) => n.roles.includes("control-plane");
