/**
 * Joining one node with `kubeadm join --config`: a control-plane node gets the shared
 * certificates first. The join config holds the bootstrap token, so it is uploaded 0600
 * and removed after the join. A node that already joined is left alone.
 */
import type { PlannedFile } from "../../engine/types.js";
import type { SshSession } from "../../ssh/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { joinConfiguration, toYaml, type ClusterSettings, type NodeSettings } from "./kubeadm-config.js";
import { clusterCaHash, ensureJoinToken } from "./join-token.js";
import { ADMIN_CONF, KUBELET_CONF, KX_DIR, fileExists, getNode, run } from "./remote.js";
import { placeSharedCertificates, plannedCertificateFiles } from "./shared-certificates.js";
import { Secret } from "../../engine/secret.js";

export type JoinRole = "control-plane" | "worker";
export const JOIN_CONFIG_PATH = `${KX_DIR}/kubeadm-join.yaml`;
const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

/** Joined = the node has its kubelet.conf and the cluster knows it (as a control plane, for a master). */
export async function isJoined(session: SshSession, firstMaster: SshSession, host: NodeHost, role: JoinRole): Promise<boolean> {
  if (!(await fileExists(session, KUBELET_CONF))) return false;
  const node = await getNode(firstMaster, host.nodeName);
  return node !== undefined && (role === "worker" || CONTROL_PLANE_LABEL in node.labels);
}

/** The node as kubeadm registers it: named by its node name (the EC2 private DNS name), not kx's host name. */
function nodeOf(host: NodeHost): NodeSettings {
  return { name: host.nodeName, privateIp: host.privateIp };
}

export function plannedJoinFiles(settings: ClusterSettings, host: NodeHost, role: JoinRole): PlannedFile[] {
  const discovery = { apiServerEndpoint: settings.controlPlaneEndpoint, token: new Secret("masked-in-plans"), caCertHash: "sha256:(from pki/ca.crt)" };
  const config = toYaml([joinConfiguration(settings, nodeOf(host), discovery, role)], { reveal: false });
  const files: PlannedFile[] = [{ host: host.name, path: JOIN_CONFIG_PATH, mode: 0o600, owner: "root:root", content: config }];
  return role === "control-plane" ? [...plannedCertificateFiles(host.name), ...files] : files;
}

/**
 * `command` in a shell that removes `file` when the command ends, however it ends: the
 * join config holds a bootstrap token, and a kx killed mid-join (its SSH connection
 * gone) leaves kubeadm running on the host, with no one to clean up after it.
 */
function removedWhenDone(command: string, file: string): string {
  return `sh -c 'trap "rm -f ${file}" EXIT; trap "exit 129" HUP INT TERM PIPE; ${command}'`;
}

export async function joinNode(ctx: KxContext, firstMaster: SshSession, host: NodeHost, role: JoinRole, settings: ClusterSettings): Promise<void> {
  const session = await ctx.ssh.session(host.ssh);
  // A join that was cut off left its files, and kubeadm join refuses to run over them (and over
  // a Ready Node of the same name): undo it, as kubeadm advises, and forget the half-joined Node.
  if ((await fileExists(session, KUBELET_CONF)) || (await fileExists(session, "/etc/kubernetes/manifests"))) {
    ctx.log.progress(host.name, "kubeadm reset (an earlier join was interrupted)");
    await run(session, "kubeadm reset --force", "kubeadm reset");
    await run(firstMaster, `kubectl --kubeconfig ${ADMIN_CONF} delete node ${host.nodeName} --ignore-not-found`, "kubectl delete node");
  }
  if (role === "control-plane") await placeSharedCertificates(ctx, session);
  const token = await ensureJoinToken(ctx, firstMaster, 1);
  const caCertHash = await clusterCaHash(ctx);
  const config = toYaml([joinConfiguration(settings, nodeOf(host), { apiServerEndpoint: settings.controlPlaneEndpoint, token, caCertHash }, role)], { reveal: true });
  await session.upload(JOIN_CONFIG_PATH, new Secret(config), { mode: 0o600, owner: "root:root" });
  try {
    await run(session, `kubeadm config validate --config ${JOIN_CONFIG_PATH}`, "kubeadm config validate");
    ctx.log.progress(host.name, role === "control-plane" ? "kubeadm join --control-plane" : "kubeadm join");
    await run(session, removedWhenDone(`kubeadm join --config ${JOIN_CONFIG_PATH}`, JOIN_CONFIG_PATH), role === "control-plane" ? "kubeadm join (control plane)" : "kubeadm join");
  } finally {
    await session.exec(`rm -f ${JOIN_CONFIG_PATH}`, { sudo: true, allowFailure: true });
  }
}
