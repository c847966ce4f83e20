/**
 * `kx destroy` against the fake: a whole cluster (every infrastructure step, plus what
 * Kubernetes would add: an NLB, its target group and its k8s-elb security group) is
 * deleted down to nothing tagged for it, with the state, with no state, and a second
 * time as a no-op; another cluster's resources survive; a blocked VPC names its blocker.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAws } from "../../harness/fake-aws/index.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import type { Step } from "../../../src/engine/types.js";
import type { KxContext } from "../../../src/steps/context.js";
import { networkSteps } from "../../../src/steps/network/index.js";
import { securitySteps } from "../../../src/steps/security/index.js";
import { edgeSteps } from "../../../src/steps/edge/index.js";
import { machineSteps } from "../../../src/steps/machines/index.js";
import { optionalSteps } from "../../../src/steps/optional/index.js";
import { SsmSecretStore } from "../../../src/aws/ssm-secret-store.js";
import { DestroyBlockedError, destroyCluster, destroyPlan, destroySteps, formatDestroyPlan } from "../../../src/steps/destroy/index.js";
import { applyAll, fakeAwsClients, runWithEngine, testContext, type TestContext } from "../context.js";
import { machinesConfig, sshKeyOnDisk, testHosts, type Fake } from "../machines/world.js";

const key = sshKeyOnDisk();
let fake: Fake;

beforeAll(async () => {
  process.env.KX_AWS_POLL_MS = "5";
  fake = await startFakeAws({ latencyScale: 0 });
});
afterAll(async () => {
  await fake.stop();
  key.cleanup();
});
beforeEach(() => fake.reset());

const config = machinesConfig(key.privateKeyFile, { rds: { enabled: true }, ecr: { repositories: ["web"] } });

function infrastructure(c: ClusterConfig): Step<KxContext>[] {
  return [...networkSteps(c), ...securitySteps(c), ...edgeSteps(c), ...machineSteps(c), ...optionalSteps(c)];
}

/** Creates the whole cluster and what Kubernetes would add to it; returns the context holding the state's outputs. */
async function createCluster(): Promise<TestContext> {
  fake.setHosts(testHosts(["etcd-a", "etcd-b", "etcd-c", "master-a", "master-b", "master-c", "lab-bastion"]));
  const aws = await fakeAwsClients(fake.url);
  const secrets = new SsmSecretStore(aws, "lab");
  const ctx = testContext({
    config,
    aws,
    secrets,
    outputs: {
      "images/node": { amiId: fake.registerImage({ name: "kx-node" }) },
      "images/etcd": { amiId: fake.registerImage({ name: "kx-etcd" }) },
    },
  });
  await applyAll(ctx, infrastructure(config));
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
async function addBystanders(ctx: TestContext): Promise<void> {
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
function leftovers(vpcIds: string[]): string[] {
  const inv = fake.inventory() as Record<string, any[]>;
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

describe("kx destroy", () => {
  it("deletes everything of the cluster, Kubernetes' load balancers first, and a second run is a no-op", async () => {
    const ctx = await createCluster();
    await addBystanders(ctx);
    const vpcId = ctx.outputs("network/vpc")!.vpcId as string;

    // Before destroying: nothing of the cluster is public but the bastion and the load balancers.
    const ec2sdk = await import("@aws-sdk/client-ec2");
    const reservations = (await (await ctx.aws.ec2()).send(
      new ec2sdk.DescribeInstancesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "instance-state-name", Values: ["running"] }] }),
    )).Reservations!;
    const publicOnes = reservations.flatMap((r) => r.Instances!).filter((i) => i.PublicIpAddress).map((i) => i.Tags?.find((t) => t.Key === "Name")?.Value);
    expect(publicOnes).toEqual(["lab-bastion"]);
    const elbsdk = await import("@aws-sdk/client-elastic-load-balancing-v2");
    const lbs = (await (await ctx.aws.elbv2()).send(new elbsdk.DescribeLoadBalancersCommand({}))).LoadBalancers!.filter((l) => l.VpcId === vpcId);
    expect(lbs.find((l) => l.LoadBalancerArn === ctx.outputs("edge/api-lb")!.loadBalancerArn)?.Scheme).toBe("internal");

    const writesBefore = fake.counts().writes;
    const plan = await destroyPlan(ctx);
    expect(fake.counts().writes).toBe(writesBefore);
    const types = Object.fromEntries(plan.groups.map((g) => [g.type, g.items.length]));
    expect(types).toMatchObject({
      "load balancer": 2,
      "target group": 2,
      "autoscaling group": 1,
      instance: 10,
      "launch template": 1,
      "key pair": 1,
      "RDS instance": 1,
      "RDS subnet group": 1,
      "NAT gateway": 3,
      "Elastic IP": 3,
      "private hosted zone": 1,
      "security group": 8,
      "route table": 4,
      subnet: 6,
      "internet gateway": 1,
      VPC: 1,
      "instance profile": 3,
      "IAM role": 3,
      "SSM parameter": 3,
      "ECR repository": 1,
    });
    const text = formatDestroyPlan(plan);
    expect(text).toMatch(/^\d+ resources of cluster lab would be deleted:/);
    expect(text).toContain(`    - ${vpcId} (lab)`);
    expect(text).toContain("k8s-elb-a1b2c3");
    expect(text).not.toContain("other-lab-nlb");
    expect(text).not.toContain("k8s-elb-other");

    fake.clearCalls();
    const result = await destroyCluster(ctx, { rdsFinalSnapshot: false });
    expect(result.kept).toEqual([]);
    expect(leftovers([vpcId])).toEqual([]);
    // Load balancers go before the groups and subnets their interfaces would block.
    const order = fake.calls().map((c: { action: string }) => c.action);
    const first = (action: string) => order.indexOf(action);
    expect(first("DeleteLoadBalancer")).toBeGreaterThanOrEqual(0);
    expect(first("DeleteLoadBalancer")).toBeLessThan(first("DeleteSecurityGroup"));
    expect(first("DeleteLoadBalancer")).toBeLessThan(first("DeleteSubnet"));
    expect(first("TerminateInstances")).toBeLessThan(first("DeleteSecurityGroup"));
    expect(first("DeleteVpc")).toBe(order.lastIndexOf("DeleteVpc"));

    // Another cluster's things, and a same-named cluster's outside lab's VPC, are all still there.
    const inv = fake.inventory() as Record<string, any[]>;
    expect(inv.vpc!.filter((v) => v.tags?.["kx:cluster"] === "other")).toHaveLength(1);
    expect(JSON.stringify(inv)).toContain("other-lab-nlb");
    expect(JSON.stringify(inv)).toContain("k8s-elb-other");
    expect(JSON.stringify(inv)).toContain("/kx/other/pki/ca.key");
    // AMIs are shared between clusters: kept.
    expect(inv.image).toHaveLength(2);

    const writes = fake.counts().writes;
    const again = await destroyCluster(ctx);
    expect(again.deleted).toEqual([]);
    expect(fake.counts().writes).toBe(writes);
    expect((await destroyPlan(ctx)).total).toBe(0);
  });

  it("finishes with 25% of calls throttled", async () => {
    const ctx = await createCluster();
    const vpcId = ctx.outputs("network/vpc")!.vpcId as string;
    fake.setFaults({ throttleRate: 0.25, seed: 11 });
    await destroyCluster(ctx, { rdsFinalSnapshot: false });
    const throttled = fake.calls().filter((c: { error?: string }) => c.error && /Throttl|RequestLimitExceeded/.test(c.error));
    fake.setFaults({});
    expect(throttled.length).toBeGreaterThan(10);
    expect(leftovers([vpcId])).toEqual([]);
  });

  it("finds everything by tags alone when the state is gone", async () => {
    const created = await createCluster();
    const vpcId = created.outputs("network/vpc")!.vpcId as string;
    const amnesic = testContext({ config, aws: await fakeAwsClients(fake.url) });
    await destroyCluster(amnesic, { rdsFinalSnapshot: false });
    expect(leftovers([vpcId])).toEqual([]);
  });

  it("also without a config (only the cluster name)", async () => {
    const created = await createCluster();
    const vpcId = created.outputs("network/vpc")!.vpcId as string;
    const bare = { ...testContext({ config, aws: await fakeAwsClients(fake.url) }), config: undefined };
    await destroyCluster(bare, { rdsFinalSnapshot: false });
    expect(leftovers([vpcId])).toEqual([]);
  });

  it("finds by the state's ids what lost its tags", async () => {
    const ctx = await createCluster();
    const ec2sdk = await import("@aws-sdk/client-ec2");
    const ec2 = await ctx.aws.ec2();
    const subnetId = ctx.outputs(`network/subnet-private:${config.zones[0]}`)!.subnetId as string;
    await ec2.send(new ec2sdk.DeleteTagsCommand({ Resources: [subnetId], Tags: [{ Key: "kx:cluster" }] }));
    const plan = await destroyPlan(ctx);
    expect(plan.groups.find((g) => g.type === "subnet")!.items.map((i) => i.id)).toContain(subnetId);
    await destroyCluster(ctx, { rdsFinalSnapshot: false });
    const inv = fake.inventory() as Record<string, any[]>;
    expect((inv.subnet ?? []).map((s) => s.id)).not.toContain(subnetId);
  });

  it("keeps a final RDS snapshot by default and a non-empty ECR repository unless forced", async () => {
    const ctx = await createCluster();
    const deletes = captureInputs(await ctx.aws.rds(), "DeleteDBInstanceCommand");
    // The fake cannot push images: it answers the first DeleteRepository as AWS does for a repository holding some.
    fake.setFaults({ failAfter: { action: "DeleteRepository", n: 0, code: "RepositoryNotEmptyException", message: "still contains images" } });
    const result = await destroyCluster(ctx);
    fake.setFaults({});
    expect(deletes).toHaveLength(1);
    expect(deletes[0].FinalDBSnapshotIdentifier).toMatch(/-final-\d{8}-\d{6}$/);
    expect(deletes[0].SkipFinalSnapshot).toBeUndefined();
    expect(result.kept.map((k) => [k.phase, k.item.id])).toEqual([["ecr-repositories", "web"]]);
    expect(result.kept[0]!.reason).toMatch(/--force-ecr/);
    expect((fake.inventory() as Record<string, any[]>).repository).toHaveLength(1);
    const forced = captureInputs(await ctx.aws.ecr(), "DeleteRepositoryCommand");
    await destroyCluster(ctx, { forceEcr: true });
    expect(forced).toEqual([{ repositoryName: "web", force: true }]);
    expect((fake.inventory() as Record<string, any[]>).repository ?? []).toHaveLength(0);
  });

  it("names what blocks a deletion once the deadline passes, then finishes when it is gone", async () => {
    const ctx = await createCluster();
    const ec2sdk = await import("@aws-sdk/client-ec2");
    const ec2 = await ctx.aws.ec2();
    const vpcId = ctx.outputs("network/vpc")!.vpcId as string;
    // Someone made a subnet in the cluster's VPC by hand: kx does not own it, so it blocks the VPC.
    const stray = await ec2.send(new ec2sdk.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.48.0/24", AvailabilityZone: "eu-west-1a" }));
    const err = await destroyCluster(ctx, { rdsFinalSnapshot: false, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestroyBlockedError);
    expect((err as Error).message).toContain(`VPC lab (${vpcId}) (DependencyViolation): still used by ${stray.Subnet!.SubnetId}`);
    expect((err as DestroyBlockedError).exitCode).toBe(1);
    // Everything else is already gone; the operator removes the stray subnet and runs again.
    expect(leftovers([vpcId])).toEqual([`subnet ${stray.Subnet!.SubnetId}`, `vpc ${vpcId}`].sort());
    await ec2.send(new ec2sdk.DeleteSubnetCommand({ SubnetId: stray.Subnet!.SubnetId }));
    await destroyCluster(ctx);
    expect(leftovers([vpcId])).toEqual([]);
  });

  it("runs as engine steps: the dry run lists every deletion, the run deletes them", async () => {
    const created = await createCluster();
    const vpcId = created.outputs("network/vpc")!.vpcId as string;
    const ctx = testContext({ config, aws: created.aws, outputs: Object.fromEntries(created.allOutputs()) });
    const steps = destroySteps<KxContext>({ rdsFinalSnapshot: false });
    const planned = await Promise.all(steps.map(async (s) => [s.id, await s.plan(ctx)] as const));
    const vpcPlan = planned.find(([id]) => id === "destroy/vpcs")![1];
    expect(vpcPlan).toEqual([{ action: "delete", target: `VPC ${vpcId}`, detail: "lab" }]);
    await runWithEngine(ctx, steps);
    expect(leftovers([vpcId])).toEqual([]);
  });
});

/** Records the input of every `commandName` the client sends. */
function captureInputs(client: { middlewareStack: { add: (mw: any, options: any) => void } }, commandName: string): any[] {
  const inputs: any[] = [];
  client.middlewareStack.add(
    (next: (args: any) => Promise<any>, context: { commandName?: string }) => async (args: any) => {
      if (context.commandName === commandName) inputs.push(structuredClone(args.input));
      return next(args);
    },
    { step: "initialize", name: `capture-${commandName}-${Math.random()}` },
  );
  return inputs;
}
