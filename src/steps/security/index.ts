/**
 * Security of an AWS cluster: a security group per role (and per load balancer) with
 * least-privilege rules, and an IAM instance role per machine role. SecureStrings use the
 * SSM default key (alias/aws/ssm), so there is no KMS key to create or pay for; each
 * role's policy limits decryption to its own parameters.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { IAM_ROLES } from "./ids.js";
import { iamRoleStep } from "./iam-role.js";
import { securityGroupStep } from "./security-group.js";
import { securityGroupRulesStep } from "./sg-rules.js";
import { securityGroupNames } from "./sg-rules-wanted.js";

export * from "./ids.js";
export { iamName, iamPath } from "./iam-role.js";
export { securityGroupName } from "./security-group.js";

export function securitySteps(config: ClusterConfig): Step<KxContext>[] {
  const groups = securityGroupNames(config);
  return [
    ...groups.map((name) => securityGroupStep(name)),
    ...groups.map((name) => securityGroupRulesStep(config, name)),
    ...IAM_ROLES.map((role) => iamRoleStep(role)),
  ];
}
