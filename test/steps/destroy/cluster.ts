/**
 * A whole cluster in the fake for the destroy tests: every infrastructure step, plus
 * what Kubernetes would add (an NLB, its target group, its k8s-elb security group), a
 * same-named cluster's things outside it, and a view of what is left of it.
 */
import { expect } from "vitest";
import type { ClusterConfig } from "../../../src/config/schema.js";
import type { Step } from "../../../src/engine/types.js";
import type { KxContext } from "../../../src/steps/context.js";
import { networkSteps } from "../../../src/steps/network/index.js";
import { securitySteps } from "../../../src/steps/security/index.js";
import { edgeSteps } from "../../../src/steps/edge/index.js";
import { machineSteps } from "../../../src/steps/machines/index.js";
import { optionalSteps } from "../../../src/steps/optional/index.js";
import { SsmSecretStore } from "../../../src/aws/ssm-secret-store.js";
import { applyAll, fakeAwsClients, testContext, type TestContext } from "../context.js";
import { machinesConfig, sshKeyOnDisk, testHosts, type Fake } from "../machines/world.js";
import { useFakeAws } from "../use-fake-aws.js";

export { captureInputs } from "../machines/world.js";

const key = sshKeyOnDisk();
let fake: () => Fake;

/** Starts the fake for the calling test file; returns a getter (the fake exists only once beforeAll ran). */
export function useFake(): () => Fake {
  fake = useFakeAws({ cleanup: key.cleanup });
  return fake;
}

export const config = machinesConfig(key.privateKeyFile, { rds: { enabled: true }, ecr: { repositories: ["web"] } });

/** The same cluster publishing its API name in an existing public zone. */
export function configWithPublicZone(publicZoneId: string): ClusterConfig {
  return machinesConfig(key.privateKeyFile, { dns: { zone: "lab.example.com", publicZoneId } });
}

function infrastructure(c: ClusterConfig): Step<KxContext>[] {
  return [...networkSteps(c), ...securitySteps(c), ...edgeSteps(c), ...machineSteps(c), ...optionalSteps(c)];
}

/** Creates the whole cluster and what Kubernetes would add to it; returns the context holding the state's outputs. */
export async function createCluster(c: ClusterConfig = config): Promise<TestContext> {
  fake().setHosts(testHosts(["etcd-a", "etcd-b", "etcd-c", "master-a", "master-b", "master-c", "lab-bastion"]));
  const aws = await fakeAwsClients(fake().url);
  const secrets = new SsmSecretStore(aws, "lab");
  const ctx = testContext({
    config: c,
    aws,
    secrets,
    outputs: {
      "images/node": { amiId: fake().registerImage({ name: "kx-node" }) },
      "images/etcd": { amiId: fake().registerImage({ name: "kx-etcd" }) },
    },
  });
  await applyAll(ctx, infrastructure(c));
  await secrets.put("pki/ca.key", "a key that must go with the cluster");
  await secrets.put("join/token", "abcdef.0123456789abcdef");
  await addWhatKubernetesMakes(ctx);
  return ctx;
}

/** What the cloud controller makes for a Service of type LoadBalancer: an NLB, a target group, a k8s-elb group referenced by the worker group. */
async function addWhatKubernetesMakes(ctx: TestContext): Promise<void> {
  const ec2sdk = await import("@aws-sdk/client-ec2");
  const elbsdk = await import("@aws-sdk/client-elastic-load-balancing-v2");
  const ec2 = await ctx.aws.ec2();
  const elb = await ctx.aws.elbv2();
  const vpcId = ctx.outputs("network/vpc")!.vpcId as string;
  const k8sTag = [{ Key: "kubernetes.io/cluster/lab", Value: "owned" }, { Key: "kubernetes.io/service-name", Value: "istio-ingress/gateway" }];
  const sg = await ec2.send(
    new ec2sdk.CreateSecurityGroupCommand({
      GroupName: "k8s-elb-a1b2c3",
      Description: "Security group for Kubernetes ELB a1b2c3 (istio-ingress/gateway)",
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: "security-group", Tags: k8sTag }],
    }),
  );
  await ec2.send(
    new ec2sdk.AuthorizeSecurityGroupIngressCommand({
      GroupId: ctx.outputs("security/sg:worker")!.groupId as string,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 31380, ToPort: 31380, UserIdGroupPairs: [{ GroupId: sg.GroupId }] }],
    }),
  );
  const subnets = config.zones.map((z) => ctx.outputs(`network/subnet-public:${z}`)!.subnetId as string);
  const lb = await elb.send(new elbsdk.CreateLoadBalancerCommand({ Name: "a1b2c3", Type: "network", Subnets: subnets, Tags: k8sTag }));
  await elb.send(
    new elbsdk.CreateTargetGroupCommand({ Name: "k8s-istioing-gateway-1", Protocol: "TCP", Port: 31380, VpcId: vpcId, TargetType: "instance", Tags: k8sTag }),
  );
  expect(lb.LoadBalancers?.[0]?.LoadBalancerArn).toBeDefined();
}

/** Another cluster's VPC and a same-named Kubernetes load balancer outside lab's VPC: never touched. */
export async function addBystanders(ctx: TestContext): Promise<void> {
  const ec2sdk = await import("@aws-sdk/client-ec2");
  const elbsdk = await import("@aws-sdk/client-elastic-load-balancing-v2");
  const ec2 = await ctx.aws.ec2();
  const vpc = await ec2.send(
    new ec2sdk.CreateVpcCommand({
      CidrBlock: "10.9.0.0/16",
      TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "kx:cluster", Value: "other" }, { Key: "kubernetes.io/cluster/lab", Value: "owned" }] }],
    }),
  );
  const subnet = await ec2.send(new ec2sdk.CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: "10.9.0.0/24", AvailabilityZone: "eu-west-1a" }));
  await ec2.send(
    new ec2sdk.CreateSecurityGroupCommand({
      GroupName: "k8s-elb-other",
      Description: "another tool's cluster named lab",
      VpcId: vpc.Vpc!.VpcId,
      TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "kubernetes.io/cluster/lab", Value: "owned" }] }],
    }),
  );
  await (await ctx.aws.elbv2()).send(
    new elbsdk.CreateLoadBalancerCommand({
      Name: "other-lab-nlb",
      Type: "network",
      Subnets: [subnet.Subnet!.SubnetId!],
      Scheme: "internal",
      Tags: [{ Key: "kubernetes.io/cluster/lab", Value: "owned" }],
    }),
  );
  await new SsmSecretStore(ctx.aws, "other").put("pki/ca.key", "the other cluster's key");
}

/** Every resource in the fake that belongs to cluster lab: tagged kx:cluster=lab, under /kx/lab/, or inside lab's VPCs. */
export function leftovers(vpcIds: string[]): string[] {
  const inv = fake().inventory() as Record<string, any[]>;
  const out: string[] = [];
  for (const [type, list] of Object.entries(inv)) {
    for (const r of list) {
      const ours =
        r.tags?.["kx:cluster"] === "lab" ||
        (typeof r.name === "string" && r.name.startsWith("/kx/lab/")) ||
        vpcIds.includes(r.vpcId) ||
        vpcIds.includes(r.id);
      const gone = r.state === "terminated" || r.state === "deleted" || r.deleted === true;
      // A VPC's default group and main route table are part of it: listed through the VPC.
      if (r.groupName === "default" || r.main === true) continue;
      if (ours && !gone) out.push(`${type} ${r.id ?? r.name}`);
    }
  }
  return out.sort();
}
