/**
 * The steps of `kx create cluster`, in the order a reader would tell them. The runner
 * orders them by their `needs`, so independent chains (the three zones, the three etcd
 * members, the two images) run at the same time.
 */
import { isHostsCluster, type ClusterConfig } from "../config/schema.js";
import type { Step } from "../engine/types.js";
import type { KxContext } from "../steps/context.js";
import { imageSteps } from "../steps/images/index.js";
import { networkSteps } from "../steps/network/index.js";
import { securitySteps } from "../steps/security/index.js";
import { edgeSteps } from "../steps/edge/index.js";
import { machineSteps } from "../steps/machines/index.js";
import { optionalSteps } from "../steps/optional/index.js";
import { pkiSteps } from "../steps/pki/index.js";
import { etcdSteps } from "../steps/etcd/index.js";
import { kubernetesSteps } from "../steps/kubernetes/index.js";
import { addonSteps } from "../steps/addons/index.js";

export { addonsNotInstalled } from "../steps/addons/index.js";

export function createWorkflow(config: ClusterConfig): Step<KxContext>[] {
  const etcd = etcdSteps(config, { localEndpoint: config.etcd.loopbackClients ? "auto" : "private-ip" });
  if (isHostsCluster(config)) {
    // Existing machines: no images, no AWS resources; the same host steps run on them.
    return [...pkiSteps(config), ...etcd, ...kubernetesSteps(config), ...addonSteps(config)];
  }
  return [
    ...imageSteps(config),
    ...networkSteps(config),
    ...securitySteps(config),
    ...edgeSteps(config),
    ...machineSteps(config),
    ...optionalSteps(config),
    ...pkiSteps(config),
    ...etcd,
    ...kubernetesSteps(config),
    ...addonSteps(config),
  ];
}
