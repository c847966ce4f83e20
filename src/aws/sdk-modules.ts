/**
 * The AWS SDK's modules, loaded on first use through CommonJS `require`: Node loads the
 * SDK's CJS build about a third faster than its ES modules (bench/sdk-load.js prints
 * both), and every AWS command pays that load at start. Everything in kx that needs the
 * SDK at run time gets it here; elsewhere it is imported for types only.
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export const sdkModules = {
  ec2: () => load("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2"),
  autoscaling: () => load("@aws-sdk/client-auto-scaling") as typeof import("@aws-sdk/client-auto-scaling"),
  elbv2: () => load("@aws-sdk/client-elastic-load-balancing-v2") as typeof import("@aws-sdk/client-elastic-load-balancing-v2"),
  iam: () => load("@aws-sdk/client-iam") as typeof import("@aws-sdk/client-iam"),
  sts: () => load("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts"),
  ssm: () => load("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm"),
  route53: () => load("@aws-sdk/client-route-53") as typeof import("@aws-sdk/client-route-53"),
  rds: () => load("@aws-sdk/client-rds") as typeof import("@aws-sdk/client-rds"),
  ecr: () => load("@aws-sdk/client-ecr") as typeof import("@aws-sdk/client-ecr"),
  kms: () => load("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms"),
  credentialProviders: () => load("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers"),
  retry: () => load("@smithy/core/retry") as typeof import("@smithy/core/retry"),
};
