/**
 * `kx destroy` when things are not tidy: no state, no config, ids that lost their tags,
 * data worth keeping (RDS snapshot, ECR images), and a resource kx does not own that
 * blocks the VPC.
 */
import { describe, expect, it } from "vitest";
import { DestroyBlockedError, destroyCluster, destroyPlan } from "../../../src/steps/destroy/index.js";
import { fakeAwsClients, testContext } from "../context.js";
import { captureInputs, config, configWithPublicZone, createCluster, leftovers, useFake } from "./cluster.js";

const fake = useFake();

describe("kx destroy, when things are not tidy", () => {
  it("finds everything by tags alone when the state is gone", async () => {
    const created = await createCluster();
    const vpcId = created.outputs("network/vpc")!.vpcId as string;
    const amnesic = testContext({ config, aws: await fakeAwsClients(fake().url) });
    await destroyCluster(amnesic, { rdsFinalSnapshot: false });
    expect(leftovers([vpcId])).toEqual([]);
  });

  it("also without a config (only the cluster name)", async () => {
    const created = await createCluster();
    const vpcId = created.outputs("network/vpc")!.vpcId as string;
    const bare = { ...testContext({ config, aws: await fakeAwsClients(fake().url) }), config: undefined };
    await destroyCluster(bare, { rdsFinalSnapshot: false });
    expect(leftovers([vpcId])).toEqual([]);
  });

  it("finds the private zone a create left untagged (killed between creating and tagging it)", async () => {
    const ctx = await createCluster();
    const vpcId = ctx.outputs("network/vpc")!.vpcId as string;
    const r53sdk = await import("@aws-sdk/client-route-53");
    const r53 = await ctx.aws.route53();
    const zoneId = ctx.outputs("edge/dns")!.hostedZoneId as string;
    await r53.send(
      new r53sdk.ChangeTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: zoneId.replace("/hostedzone/", ""), RemoveTagKeys: ["kx:cluster", "kx:id", "Name"] }),
    );
    const amnesic = testContext({ config, aws: await fakeAwsClients(fake().url) });
    await destroyCluster(amnesic, { rdsFinalSnapshot: false });
    expect(leftovers([vpcId])).toEqual([]);
    const zones = (await r53.send(new r53sdk.ListHostedZonesCommand({}))).HostedZones ?? [];
    expect(zones.filter((z) => z.Config?.PrivateZone)).toEqual([]);
  });

  it("removes the API record from the public zone, and nothing else of that zone", async () => {
    const r53sdk = await import("@aws-sdk/client-route-53");
    const r53 = await (await fakeAwsClients(fake().url)).route53();
    const zone = await r53.send(new r53sdk.CreateHostedZoneCommand({ Name: "example.com", CallerReference: `public-${Date.now()}` }));
    const zoneId = zone.HostedZone!.Id!.replace("/hostedzone/", "");
    const other = { Name: "www.example.com", Type: "CNAME" as const, TTL: 60, ResourceRecords: [{ Value: "elsewhere.example.net" }] };
    await r53.send(new r53sdk.ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: "CREATE", ResourceRecordSet: other }] } }));
    const publicConfig = configWithPublicZone(zoneId);
    const names = async () =>
      ((await r53.send(new r53sdk.ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? []).map((r) => `${r.Name} ${r.Type}`).sort();
    const ctx = await createCluster(publicConfig);
    expect(await names()).toContain("api.lab.example.com. A");

    const plan = await destroyPlan(ctx);
    expect(plan.groups.find((g) => g.type === "public DNS record")!.items.map((i) => i.name)).toEqual(["api.lab.example.com. A"]);
    await destroyCluster(testContext({ config: publicConfig, aws: ctx.aws }), { rdsFinalSnapshot: false });
    expect(await names()).toEqual(["example.com. NS", "example.com. SOA", "www.example.com. CNAME"]);
  });

  it("deletes the volumes the cluster's workloads left, once their instances are gone, and no others", async () => {
    const ctx = await createCluster();
    const ec2sdk = await import("@aws-sdk/client-ec2");
    const ec2 = await ctx.aws.ec2();
    const zone = config.zones[0]!;
    const tags = (pairs: Record<string, string>) => [{ ResourceType: "volume" as const, Tags: Object.entries(pairs).map(([Key, Value]) => ({ Key, Value })) }];
    // What the EBS CSI driver makes for a claim, with the add-on's extra kx:cluster tag, attached to a worker.
    const claimed = await ec2.send(
      new ec2sdk.CreateVolumeCommand({
        AvailabilityZone: zone,
        Size: 10,
        TagSpecifications: tags({ "kx:cluster": "lab", "kubernetes.io/cluster/lab": "owned", "ebs.csi.aws.com/cluster": "true", CSIVolumeName: "pvc-1" }),
      }),
    );
    const worker = (await ec2.send(new ec2sdk.DescribeInstancesCommand({ Filters: [{ Name: "tag:Name", Values: ["lab-worker"] }] }))).Reservations![0]!.Instances![0]!;
    await ec2.send(new ec2sdk.AttachVolumeCommand({ VolumeId: claimed.VolumeId, InstanceId: worker.InstanceId, Device: "/dev/xvdba" }));
    // Only the Kubernetes tag: it could be another cluster named lab, so it stays.
    const ambiguous = await ec2.send(new ec2sdk.CreateVolumeCommand({ AvailabilityZone: zone, Size: 10, TagSpecifications: tags({ "kubernetes.io/cluster/lab": "owned" }) }));

    const plan = await destroyPlan(ctx);
    expect(plan.groups.find((g) => g.type === "EBS volume")!.items.map((i) => i.id)).toEqual([claimed.VolumeId]);
    await destroyCluster(ctx, { rdsFinalSnapshot: false });
    const left = (await ec2.send(new ec2sdk.DescribeVolumesCommand({}))).Volumes!.map((v) => v.VolumeId);
    expect(left).toEqual([ambiguous.VolumeId]);
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
    const inv = fake().inventory() as Record<string, any[]>;
    expect((inv.subnet ?? []).map((s) => s.id)).not.toContain(subnetId);
  });

  it("keeps a final RDS snapshot by default and a non-empty ECR repository unless forced", async () => {
    const ctx = await createCluster();
    const deletes = captureInputs(await ctx.aws.rds(), "DeleteDBInstanceCommand");
    // The fake cannot push images: it answers the first DeleteRepository as AWS does for a repository holding some.
    fake().setFaults({ failAfter: { action: "DeleteRepository", n: 0, code: "RepositoryNotEmptyException", message: "still contains images" } });
    const result = await destroyCluster(ctx);
    fake().setFaults({});
    expect(deletes).toHaveLength(1);
    expect(deletes[0].FinalDBSnapshotIdentifier).toMatch(/-final-\d{8}-\d{6}$/);
    expect(deletes[0].SkipFinalSnapshot).toBeUndefined();
    expect(result.kept.map((k) => [k.phase, k.item.id])).toEqual([["ecr-repositories", "web"]]);
    expect(result.kept[0]!.reason).toMatch(/--force-ecr/);
    expect((fake().inventory() as Record<string, any[]>).repository).toHaveLength(1);
    const forced = captureInputs(await ctx.aws.ecr(), "DeleteRepositoryCommand");
    await destroyCluster(ctx, { forceEcr: true });
    expect(forced).toEqual([{ repositoryName: "web", force: true }]);
    expect((fake().inventory() as Record<string, any[]>).repository ?? []).toHaveLength(0);
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
});
