/** Step ids of the security area (the steps contract), in one place. */
export const SECURITY_GROUPS = ["bastion", "etcd", "control-plane", "worker", "api-lb", "ingress-lb"] as const;
export type SecurityGroupName = (typeof SECURITY_GROUPS)[number];

export const IAM_ROLES = ["etcd", "control-plane", "worker"] as const;
export type IamRoleName = (typeof IAM_ROLES)[number];

export const sgStepId = (name: SecurityGroupName) => `security/sg:${name}`;
/** Rules live in their own step: groups reference each other (control plane ↔ workers), groups cannot. */
export const sgRulesStepId = (name: SecurityGroupName) => `security/sg-rules:${name}`;
export const iamStepId = (role: IamRoleName) => `security/iam:${role}`;
