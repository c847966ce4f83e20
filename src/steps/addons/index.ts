/**
 * The add-on steps, in the order the cluster needs them: the cloud controller first (it
 * initialises the nodes and needs no pod network), then Cilium (the pod network), then
 * what runs in pods (the EBS CSI driver, the Istio mesh and its observability tools, EFK).
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { CILIUM_STEP, ciliumStep } from "./cilium.js";
import { CLOUD_CONTROLLER_STEP, cloudControllerStep } from "./cloud-controller.js";
import { EBS_CSI_STEP, ebsCsiStep } from "./ebs-csi.js";
import { efkSteps } from "./efk.js";
import { istioSteps } from "./istio.js";
import { observabilitySteps } from "./observability.js";

/** The API is up and reachable through its endpoint from here on. */
const API_ENDPOINT_STEP = "kubernetes/api-endpoint";

export function addonSteps(config: ClusterConfig): Step<KxContext>[] {
  const { cloudController, cilium, ebsCsi, istio, efk } = config.addons;
  const steps: Step<KxContext>[] = [];
  if (cloudController.enabled) steps.push(cloudControllerStep(config, [API_ENDPOINT_STEP]));
  if (cilium.enabled) steps.push(ciliumStep(config, [cloudController.enabled ? CLOUD_CONTROLLER_STEP : API_ENDPOINT_STEP]));
  if (ebsCsi.enabled) steps.push(ebsCsiStep(config, [cilium.enabled ? CILIUM_STEP : API_ENDPOINT_STEP]));
  // The gateway's load balancer is the cloud controller's work.
  const meshNeeds = [cilium.enabled ? CILIUM_STEP : API_ENDPOINT_STEP, ...(cloudController.enabled ? [CLOUD_CONTROLLER_STEP] : [])];
  if (istio.enabled) steps.push(...istioSteps(config, meshNeeds), ...observabilitySteps(config));
  // Elasticsearch's data volumes need the storage driver where there is one.
  if (efk.enabled) steps.push(...efkSteps(config, [ebsCsi.enabled ? EBS_CSI_STEP : cilium.enabled ? CILIUM_STEP : API_ENDPOINT_STEP]));
  return steps;
}

/** Add-ons the config turns on that this version of kx does not install yet. */
export function addonsNotInstalled(config: ClusterConfig): string[] {
  const { istio } = config.addons;
  const tools = Object.entries(istio.observability)
    .filter(([, on]) => on)
    .map(([name]) => name);
  // They are installed with Istio; on without it, nothing installs them.
  return [!istio.enabled && tools.length > 0 && `istio's observability tools (${tools.join(", ")}) without Istio`].filter((x): x is string => Boolean(x));
}
