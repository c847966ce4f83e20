/** What the cluster and a node run now, read live over SSH. */
import { parse } from "yaml";
import { KxError } from "../../engine/errors.js";
import type { SshSession } from "../../ssh/types.js";
import { KUBECTL } from "../kubernetes/remote.js";

/** The cluster's version: kubernetesVersion of kubeadm's ClusterConfiguration, which `kubeadm upgrade apply` moves. */
export async function clusterVersion(admin: SshSession): Promise<string> {
  const r = await admin.exec(`${KUBECTL} -n kube-system get configmap kubeadm-config -o json`, { sudo: true, allowFailure: true, readOnly: true, timeoutMs: 30_000 });
  if (r.code !== 0) {
    throw new KxError(`cannot read kubeadm's ClusterConfiguration on ${admin.target.name}: ${(r.stderr || r.stdout).trim().split("\n").at(-1)}`, {
      hint: "kx upgrades clusters kubeadm made; check that the API answers (`kx status`).",
    });
  }
  const data = (JSON.parse(r.stdout) as { data?: { ClusterConfiguration?: string } }).data?.ClusterConfiguration;
  const version = data ? (parse(data) as { kubernetesVersion?: unknown }).kubernetesVersion : undefined;
  if (typeof version !== "string") throw new KxError("kubeadm's ClusterConfiguration (ConfigMap kube-system/kubeadm-config) has no kubernetesVersion");
  return version;
}

/** `kubeadm version -o short` on the node, or "" when kubeadm is missing. */
export async function kubeadmVersion(node: SshSession): Promise<string> {
  const r = await node.exec("kubeadm version -o short", { sudo: true, allowFailure: true, readOnly: true, timeoutMs: 30_000 });
  return r.code === 0 ? r.stdout.trim() : "";
}
