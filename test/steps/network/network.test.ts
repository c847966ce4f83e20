import { describe, expect, it } from "vitest";
import { networkSteps } from "../../../src/steps/network/index.js";
import { ImmutableFieldError } from "../../../src/aws/find.js";
import { AwsError } from "../../../src/engine/errors.js";
import { applyAll, awsTestConfig, fakeAwsClients, planAll, runWithEngine, testContext } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";

const fake = useFakeAws();

const config = awsTestConfig();
const zones = config.zones;

async function freshContext() {
  return testContext({ config, aws: await fakeAwsClients(fake().url) });
}

describe("network steps against the fake", () => {
  it("creates the network, then plans nothing and writes nothing on a second run", async () => {
    const ctx = await freshContext();
    const steps = networkSteps(config);
    await applyAll(ctx, steps);

    expect(await planAll(ctx, steps)).toEqual({});
    const before = fake().counts().writes;
    await applyAll(ctx, steps);
    expect(fake().counts().writes).toBe(before);

    // With the state lost, every step finds its resource by tags again: still no writes.
    const amnesic = await freshContext();
    expect(await planAll(amnesic, steps)).toEqual({});
    await applyAll(amnesic, steps);
    expect(fake().counts().writes).toBe(before);
    expect(Object.fromEntries(amnesic.allOutputs())).toEqual(Object.fromEntries(ctx.allOutputs()));
  });

  it("builds the topology: per-zone NAT routes, public subnets to the IGW, nothing public on launch", async () => {
    const ctx = await freshContext();
    await applyAll(ctx, networkSteps(config));
    const inv = fake().inventory() as Record<string, any[]>;
    const out = (id: string) => ctx.outputs(id)!;

    const vpcId = out("network/vpc").vpcId as string;
    const vpc = inv.vpc!.find((v) => v.id === vpcId);
    expect(vpc.cidrBlock ?? vpc.CidrBlock ?? out("network/vpc").cidr).toBe("10.0.0.0/16");
    expect(vpc.tags).toMatchObject({ "kx:cluster": "lab", "kx:id": "network/vpc", "kubernetes.io/cluster/lab": "owned" });

    const igwId = out("network/internet-gateway").internetGatewayId;
    for (const [i, zone] of zones.entries()) {
      const pub = out(`network/subnet-public:${zone}`);
      const priv = out(`network/subnet-private:${zone}`);
      expect(pub).toMatchObject({ cidr: config.network.publicSubnets[i], zone });
      expect(priv).toMatchObject({ cidr: config.network.privateSubnets[i], zone });

      const nat = out(`network/nat-gateway:${zone}`).natGatewayId;
      const natRecord = findById(inv, nat);
      expect(natRecord.subnetId ?? natRecord.SubnetId).toBe(pub.subnetId);
    }
    const { client, sdk } = await ec2(ctx);
    const subnets = (await client.send(new sdk.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).Subnets!;
    expect(subnets).toHaveLength(6);
    for (const s of subnets) {
      expect(s.MapPublicIpOnLaunch).toBe(false);
      const role = s.Tags?.find((t) => t.Key?.startsWith("kubernetes.io/role/"))?.Key;
      const isPublic = config.network.publicSubnets.includes(s.CidrBlock!);
      expect(role).toBe(isPublic ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb");
      expect(s.Tags).toContainEqual({ Key: "kubernetes.io/cluster/lab", Value: "owned" });
    }

    const tables = (await client.send(new sdk.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).RouteTables!;
    const routeOf = (subnetId: string) => {
      const table = tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId));
      return table?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    };
    for (const zone of zones) {
      expect(routeOf(out(`network/subnet-public:${zone}`).subnetId as string)?.GatewayId).toBe(igwId);
      // Each private subnet leaves through the NAT gateway of its own zone.
      expect(routeOf(out(`network/subnet-private:${zone}`).subnetId as string)?.NatGatewayId).toBe(
        out(`network/nat-gateway:${zone}`).natGatewayId,
      );
    }
    const privateTables = zones.map((z) => out(`network/route-table-private:${z}`).routeTableId);
    expect(new Set(privateTables).size).toBe(3);
  });

  it("retries a call that AWS, eventually consistent, answers with not-found right after the create", async () => {
    fake().setFaults({ failAfter: { action: "ModifyVpcAttribute", n: 0, code: "InvalidVpcID.NotFound", message: "The vpc ID does not exist" } });
    const ctx = await freshContext();
    await applyAll(ctx, networkSteps(config).filter((s) => s.id === "network/vpc"));
    const modify = fake().calls().filter((c: { action: string }) => c.action === "ModifyVpcAttribute");
    expect(modify.map((c: { status: number }) => c.status)).toEqual([400, 200]);
    expect(await planAll(ctx, networkSteps(config).filter((s) => s.id === "network/vpc"))).toEqual({});
  });

  it("puts back a default route and a subnet association changed by hand", async () => {
    const ctx = await freshContext();
    const steps = networkSteps(config);
    await applyAll(ctx, steps);
    const { client, sdk } = await ec2(ctx);
    const [a, b] = zones as [string, string];
    const tableA = ctx.outputs(`network/route-table-private:${a}`)!.routeTableId as string;
    const natB = ctx.outputs(`network/nat-gateway:${b}`)!.natGatewayId as string;
    const privateA = ctx.outputs(`network/subnet-private:${a}`)!.subnetId as string;
    // Zone a's private subnet now leaves through zone b's NAT, and is associated with zone b's table.
    await client.send(new sdk.ReplaceRouteCommand({ RouteTableId: tableA, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: natB }));
    const tables = (await client.send(new sdk.DescribeRouteTablesCommand({ RouteTableIds: [tableA] }))).RouteTables!;
    const association = tables[0]!.Associations!.find((x) => x.SubnetId === privateA)!;
    const tableB = ctx.outputs(`network/route-table-private:${b}`)!.routeTableId as string;
    await client.send(new sdk.ReplaceRouteTableAssociationCommand({ AssociationId: association.RouteTableAssociationId, RouteTableId: tableB }));

    expect(await planAll(ctx, steps)).toEqual({
      [`network/route-table-private:${a}`]: [
        { action: "update", target: `route table private ${a}`, detail: `route 0.0.0.0/0 → ${ctx.outputs(`network/nat-gateway:${a}`)!.natGatewayId}` },
        { action: "update", target: `route table private ${a}`, detail: `associate ${privateA}` },
      ],
      [`network/route-table-private:${b}`]: [{ action: "update", target: `route table private ${b}`, detail: `disassociate ${privateA}` }],
    });
    await applyAll(ctx, steps);
    expect(await planAll(ctx, steps)).toEqual({});
  });

  it("refuses a VPC whose CIDR differs, naming both values", async () => {
    const ctx = await freshContext();
    await applyAll(ctx, networkSteps(config).filter((s) => s.id === "network/vpc"));
    const other = awsTestConfig({ network: { vpcCidr: "10.1.0.0/16" } });
    const ctx2 = testContext({ config: other, aws: ctx.aws });
    const vpc = networkSteps(other).find((s) => s.id === "network/vpc")!;
    const err = await vpc.plan(ctx2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImmutableFieldError);
    expect((err as Error).message).toMatch(/CIDR 10\.1\.0\.0\/16 wanted, 10\.0\.0\.0\/16 found/);
    await expect(vpc.apply(ctx2, [])).rejects.toThrow(/10\.1\.0\.0\/16 wanted, 10\.0\.0\.0\/16 found/);
  });

  it("explains a quota error: the call, the resource, the code and where to raise the quota", async () => {
    fake().setFaults({ failAfter: { action: "AllocateAddress", n: 1, code: "AddressLimitExceeded", message: "The maximum number of addresses has been reached." } });
    const ctx = await freshContext();
    const steps = networkSteps(config).filter((s) => s.id.startsWith("network/eip:"));
    const err = await applyAll(ctx, steps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsError);
    expect((err as AwsError).message).toBe(
      `ec2:AllocateAddress failed — The maximum number of addresses has been reached. (elastic ip ${zones[1]}): AddressLimitExceeded`,
    );
    expect((err as AwsError).hint).toMatch(/Service Quotas console/);
    expect((err as AwsError).source).toBe("user");
  });

  it("plans a create for everything without calling AWS when offline", async () => {
    const { offlineAwsClients } = await import("../../../src/aws/factory.js");
    const ctx = testContext({ config, aws: offlineAwsClients("eu-west-1") });
    const plans = await planAll(ctx, networkSteps(config));
    expect(Object.keys(plans)).toHaveLength(1 + 6 + 1 + 3 + 3 + 1 + 3);
    expect(Object.values(plans).every((p) => p.length === 1 && p[0]!.action === "create")).toBe(true);
    expect(fake().counts()).toEqual({ reads: 0, writes: 0 });
  });

  it("still creates the whole network with 25% of calls throttled", async () => {
    fake().setFaults({ throttleRate: 0.25, seed: 7 });
    const ctx = await freshContext();
    const steps = networkSteps(config);
    await runWithEngine(ctx, steps);
    const throttled = fake().calls().filter((c: { error?: string }) => c.error && /Throttl|RequestLimitExceeded/.test(c.error));
    expect(throttled.length).toBeGreaterThan(5);
    fake().setFaults({});
    expect(await planAll(ctx, steps)).toEqual({});
    const inv = fake().inventory() as Record<string, any[]>;
    expect(countTagged(inv)).toBe(1 + 6 + 1 + 3 + 3 + 4);
  });
});

async function ec2(ctx: { aws: { ec2(): Promise<unknown> } }) {
  const sdk = await import("@aws-sdk/client-ec2");
  return { client: (await ctx.aws.ec2()) as InstanceType<typeof sdk.EC2Client>, sdk };
}

function findById(inv: Record<string, any[]>, id: unknown): any {
  for (const list of Object.values(inv)) {
    const hit = list.find((r) => r.id === id);
    if (hit) return hit;
  }
  throw new Error(`no resource ${String(id)} in the fake`);
}

function countTagged(inv: Record<string, any[]>): number {
  return Object.values(inv)
    .flat()
    .filter((r) => r.tags?.["kx:cluster"] === "lab").length;
}
