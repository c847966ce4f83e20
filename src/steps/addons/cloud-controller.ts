/**
 * addons/cloud-controller (AWS): cloud-provider-aws's controller manager, a DaemonSet on
 * the control plane with host networking, so it runs before the pod network exists. It
 * gives nodes their addresses and zones and removes the "uninitialized" taint that
 * kubelet's --cloud-provider=external puts on them; it also runs the Service load
 * balancers. Routes are Cilium's business, not the cloud's.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { CHARTS } from "./charts.js";
import { addonStep } from "./release-step.js";

export const CLOUD_CONTROLLER_STEP = "addons/cloud-controller";

export function cloudControllerStep(config: ClusterConfig, needs: string[]): Step<KxContext> {
  return addonStep({
    id: CLOUD_CONTROLLER_STEP,
    title: "AWS cloud controller manager",
    needs,
    release: { release: "aws-cloud-controller-manager", namespace: "kube-system", ...CHARTS.cloudController, version: config.addons.cloudController.version },
    settings: config.addons.cloudController,
    values: async (ctx) => ({
      hostNetworking: true,
      args: ["--v=2", "--cloud-provider=aws", `--cluster-name=${ctx.cluster}`, "--configure-cloud-routes=false"],
    }),
  });
}
