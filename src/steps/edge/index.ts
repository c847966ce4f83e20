/** The edge area: the API load balancer, the private DNS zone and records, the bastion. */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { bastionEnabled } from "../machines/placement.js";
import { apiLoadBalancerStep } from "./api-load-balancer.js";
import { bastionStep } from "./bastion.js";
import { dnsStep } from "./dns.js";
import { etcdRecordsStep } from "./etcd-records.js";

export { registerApiTargets, planApiTargets, API_LB_STEP, API_PORT, apiLoadBalancerScheme } from "./api-load-balancer.js";
export { DNS_STEP, apiFqdn } from "./dns.js";
export { ETCD_RECORDS_STEP } from "./etcd-records.js";

export function edgeSteps(config: ClusterConfig): Step<KxContext>[] {
  const steps = [apiLoadBalancerStep(config)];
  if (config.dns) steps.push(dnsStep(config.dns), etcdRecordsStep(config, config.dns.zone));
  if (bastionEnabled(config)) steps.push(bastionStep(config));
  return steps;
}
