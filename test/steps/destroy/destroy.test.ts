/**
 * `kx destroy` against the fake: a whole cluster is deleted down to nothing tagged for
 * it, Kubernetes' load balancers first; another cluster's resources survive; a second
 * run is a no-op; throttling does not stop it; the same phases run as engine steps.
 */
import { describe, expect, it } from "vitest";
import type { KxContext } from "../../../src/steps/context.js";
import { destroyCluster, destroyPlan, destroySteps, formatDestroyPlan } from "../../../src/steps/destroy/index.js";
import { runWithEngine, testContext } from "../context.js";
import { addBystanders, config, createCluster, leftovers, useFake } from "./cluster.js";

const fake = useFake();

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

    const writesBefore = fake().counts().writes;
    const plan = await destroyPlan(ctx);
    expect(fake().counts().writes).toBe(writesBefore);
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

    fake().clearCalls();
    const result = await destroyCluster(ctx, { rdsFinalSnapshot: false });
    expect(result.kept).toEqual([]);
    expect(leftovers([vpcId])).toEqual([]);
    // Load balancers go before the groups and subnets their interfaces would block.
    const order = fake().calls().map((c: { action: string }) => c.action);
    const first = (action: string) => order.indexOf(action);
    expect(first("DeleteLoadBalancer")).toBeGreaterThanOrEqual(0);
    expect(first("DeleteLoadBalancer")).toBeLessThan(first("DeleteSecurityGroup"));
    expect(first("DeleteLoadBalancer")).toBeLessThan(first("DeleteSubnet"));
    expect(first("TerminateInstances")).toBeLessThan(first("DeleteSecurityGroup"));
    expect(first("DeleteVpc")).toBe(order.lastIndexOf("DeleteVpc"));

    // Another cluster's things, and a same-named cluster's outside lab's VPC, are all still there.
    const inv = fake().inventory() as Record<string, any[]>;
    expect(inv.vpc!.filter((v) => v.tags?.["kx:cluster"] === "other")).toHaveLength(1);
    expect(JSON.stringify(inv)).toContain("other-lab-nlb");
    expect(JSON.stringify(inv)).toContain("k8s-elb-other");
    expect(JSON.stringify(inv)).toContain("/kx/other/pki/ca.key");
    // AMIs are shared between clusters: kept.
    expect(inv.image).toHaveLength(2);

    const writes = fake().counts().writes;
    const again = await destroyCluster(ctx);
    expect(again.deleted).toEqual([]);
    expect(fake().counts().writes).toBe(writes);
    expect((await destroyPlan(ctx)).total).toBe(0);
  });

  it("finishes with 25% of calls throttled", async () => {
    const ctx = await createCluster();
    const vpcId = ctx.outputs("network/vpc")!.vpcId as string;
    fake().setFaults({ throttleRate: 0.25, seed: 11 });
    await destroyCluster(ctx, { rdsFinalSnapshot: false });
    const throttled = fake().calls().filter((c: { error?: string }) => c.error && /Throttl|RequestLimitExceeded/.test(c.error));
    fake().setFaults({});
    expect(throttled.length).toBeGreaterThan(10);
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
