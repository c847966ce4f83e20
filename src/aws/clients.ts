/**
 * The AWS client factory's contract. Clients are created lazily (and their SDK modules
 * imported lazily) so that `kx --help` loads no AWS code.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Route53Client } from "@aws-sdk/client-route-53";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { KMSClient } from "@aws-sdk/client-kms";

export interface AwsClients {
  readonly region: string;
  /**
   * false when planning without credentials (dry-run): steps then plan as for an empty
   * account and must not call AWS.
   */
  readonly live: boolean;
  /**
   * The named profile the clients use (--profile), when one was given. Tools kx runs
   * that call AWS themselves (packer) get the same one.
   */
  readonly profile?: string;
  ec2(): Promise<EC2Client>;
  autoscaling(): Promise<AutoScalingClient>;
  elbv2(): Promise<ElasticLoadBalancingV2Client>;
  iam(): Promise<IAMClient>;
  sts(): Promise<STSClient>;
  ssm(): Promise<SSMClient>;
  route53(): Promise<Route53Client>;
  rds(): Promise<RDSClient>;
  ecr(): Promise<ECRClient>;
  kms(): Promise<KMSClient>;
}
