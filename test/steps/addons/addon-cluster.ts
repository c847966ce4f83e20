/**
 * Where the add-on cluster tests start: a one-master cluster of test hosts (PKI, real
 * etcd, kubeadm init on master-a; the kubectl and helm stand-ins over real SSH), its
 * config as kx derives it, and optionally Cilium already in.
 */
import { deriveConfig } from "../../../src/config/derive.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import { ciliumStep } from "../../../src/steps/addons/cilium.js";
import { startCluster, type ClusterFixture, type TestHost } from "../kubernetes/cluster-fixture.js";

export interface AddonCluster {
  c: ClusterFixture;
  master: TestHost;
  config: ClusterConfig;
}

export async function startAddonCluster(options: { cilium: boolean }): Promise<AddonCluster> {
  const c = await startCluster();
  await c.run([...c.steps.pki, ...c.steps.etcd, c.steps.kubernetes[0]!]);
  const config = deriveConfig(c.ctx.config as never);
  if (options.cilium) await c.run([ciliumStep(config, [])]);
  return { c, master: c.hosts["master-a"]!, config };
}
