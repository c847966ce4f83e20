/** The machines area: key pair, etcd and control-plane instances, worker launch template and group. */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { keyPairStep } from "./key-pair.js";
import { nodeInstanceStep } from "./node-instance.js";
import { placements } from "./placement.js";
import { workerAsgStep } from "./worker-asg.js";
import { workerLaunchTemplateStep } from "./worker-launch-template.js";

export { placements, clusterZones, bastionEnabled, type Placement, type MachineRole } from "./placement.js";

export function machineSteps(config: ClusterConfig): Step<KxContext>[] {
  return [
    keyPairStep(config),
    ...placements(config, "etcd").map((p) => nodeInstanceStep(config, p)),
    ...placements(config, "control-plane").map((p) => nodeInstanceStep(config, p)),
    workerLaunchTemplateStep(config),
    workerAsgStep(config),
  ];
}
