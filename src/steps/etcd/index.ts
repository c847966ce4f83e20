/**
 * The etcd steps: one per member (certificates, unit, service; started concurrently, as
 * etcd needs a quorum to come up together) and etcd/cluster, which waits for a healthy
 * cluster and outputs its client endpoints.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { clusterStep } from "./cluster-step.js";
import { memberStep } from "./member-step.js";
import { memberPlan, resolveOptions, type EtcdStepOptions } from "./members.js";

export { CLUSTER_STEP_ID, memberStepId, type EtcdStepOptions } from "./members.js";

export function etcdSteps(config: ClusterConfig, options: EtcdStepOptions = {}): Step<KxContext>[] {
  const resolved = resolveOptions(options);
  const members = memberPlan(config);
  return [...members.map((m) => memberStep(m, members.length, resolved)), clusterStep(members.map((m) => m.name), resolved)];
}
