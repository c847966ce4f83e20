import { describe, expect, it } from "vitest";
import { EC2Client, DeleteSubnetCommand, CreateVpcCommand } from "@aws-sdk/client-ec2";
import {
  RDSClient,
  CreateDBSubnetGroupCommand,
  DescribeDBSubnetGroupsCommand,
  DeleteDBSubnetGroupCommand,
  ModifyDBSubnetGroupCommand,
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  DeleteDBInstanceCommand,
  AddTagsToResourceCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-rds";
import {
  Route53Client,
  CreateHostedZoneCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  DeleteHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  GetChangeCommand,
  ChangeTagsForResourceCommand,
  ListTagsForResourceCommand as ListZoneTagsCommand,
  type Change,
} from "@aws-sdk/client-route-53";
import { clientConfig, failure, until, useFake } from "./fake.js";
import { network } from "./world.js";

const fake = useFake();
let ec2c: EC2Client | undefined;
let rdsc: RDSClient | undefined;
let r53c: Route53Client | undefined;
const ec2 = () => (ec2c ??= new EC2Client(clientConfig(fake())));
const rds = () => (rdsc ??= new RDSClient(clientConfig(fake())));
const r53 = () => (r53c ??= new Route53Client(clientConfig(fake())));

describe("RDS", () => {
  it("subnet groups need two zones; instances go creating → available with an endpoint, then deleting → gone", async () => {
    const net = await network(ec2());
    fake().setLatencyScale(1);
    expect((await failure(rds().send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: "one", DBSubnetGroupDescription: "d", SubnetIds: [net.privateSubnets[0]] })))).name).toBe("DBSubnetGroupDoesNotCoverEnoughAZs");
    const g = await rds().send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: "kx-a-db", DBSubnetGroupDescription: "kx", SubnetIds: net.privateSubnets.slice(0, 2), Tags: [{ Key: "kx:cluster", Value: "a" }] }));
    expect(g.DBSubnetGroup).toMatchObject({ DBSubnetGroupName: "kx-a-db", VpcId: net.vpcId, SubnetGroupStatus: "Complete" });
    expect(g.DBSubnetGroup!.Subnets!.map((s) => s.SubnetAvailabilityZone!.Name)).toEqual(["eu-west-1a", "eu-west-1b"]);
    expect((await failure(rds().send(new CreateDBSubnetGroupCommand({ DBSubnetGroupName: "kx-a-db", DBSubnetGroupDescription: "kx", SubnetIds: net.privateSubnets })))).name).toBe("DBSubnetGroupAlreadyExistsFault");
    const mod = await rds().send(new ModifyDBSubnetGroupCommand({ DBSubnetGroupName: "kx-a-db", SubnetIds: net.privateSubnets }));
    expect(mod.DBSubnetGroup!.Subnets).toHaveLength(3);
    expect((await rds().send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: "kx-a-db" }))).DBSubnetGroups).toHaveLength(1);
    expect((await failure(rds().send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: "nope" })))).name).toBe("DBSubnetGroupNotFoundFault");

    const created = await rds().send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "kx-a-db",
        DBInstanceClass: "db.t4g.micro",
        Engine: "postgres",
        AllocatedStorage: 20,
        MasterUsername: "kx",
        MasterUserPassword: "correct-horse",
        DBSubnetGroupName: "kx-a-db",
        VpcSecurityGroupIds: [net.sgId],
        StorageEncrypted: true,
        Tags: [{ Key: "kx:cluster", Value: "a" }],
      }),
    );
    expect(created.DBInstance).toMatchObject({ DBInstanceIdentifier: "kx-a-db", DBInstanceStatus: "creating", Engine: "postgres", StorageEncrypted: true });
    expect(created.DBInstance!.Endpoint).toBeUndefined();
    expect(created.DBInstance!.VpcSecurityGroups).toEqual([{ VpcSecurityGroupId: net.sgId, Status: "active" }]);
    expect((await failure(rds().send(new CreateDBInstanceCommand({ DBInstanceIdentifier: "kx-a-db", DBInstanceClass: "db.t4g.micro", Engine: "postgres", MasterUsername: "kx", MasterUserPassword: "correct-horse", DBSubnetGroupName: "kx-a-db" })))).name).toBe("DBInstanceAlreadyExistsFault");
    expect((await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "kx-a-db" }))).DBInstances![0].DBInstanceStatus).toBe("creating");
    fake().setLatencyScale(0);
    const available = await until(async () => {
      const d = await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "kx-a-db" }));
      return d.DBInstances![0].DBInstanceStatus === "available" && d.DBInstances![0];
    });
    expect(available.Endpoint).toMatchObject({ Port: 5432 });
    expect(available.Endpoint!.Address).toMatch(/^kx-a-db\.c[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com$/);
    expect(available.TagList).toEqual([{ Key: "kx:cluster", Value: "a" }]);
    await rds().send(new AddTagsToResourceCommand({ ResourceName: available.DBInstanceArn, Tags: [{ Key: "Name", Value: "db" }] }));
    expect((await rds().send(new ListTagsForResourceCommand({ ResourceName: available.DBInstanceArn }))).TagList).toHaveLength(2);
    fake().setLatencyScale(1);
    const reset = await rds().send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "kx-a-db", MasterUserPassword: "another-horse", ApplyImmediately: true }));
    expect(reset.DBInstance!.DBInstanceStatus).toBe("resetting-master-credentials");
    expect((await failure(rds().send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "kx-a-db", AllocatedStorage: 50 })))).name).toBe("InvalidDBInstanceStateFault");
    fake().setLatencyScale(0);
    await until(async () => (await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "kx-a-db" }))).DBInstances![0].DBInstanceStatus === "available");

    expect((await failure(rds().send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: "kx-a-db" })))).name).toBe("InvalidDBSubnetGroupStateFault");
    expect((await failure(ec2().send(new DeleteSubnetCommand({ SubnetId: net.privateSubnets[0] })))).name).toBe("DependencyViolation");
    expect((await failure(rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "kx-a-db" })))).name).toBe("InvalidParameterCombination");
    fake().setLatencyScale(1);
    const deleting = await rds().send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "kx-a-db", SkipFinalSnapshot: true }));
    expect(deleting.DBInstance!.DBInstanceStatus).toBe("deleting");
    expect((await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "kx-a-db" }))).DBInstances![0].DBInstanceStatus).toBe("deleting");
    fake().setLatencyScale(0);
    const gone = await until(() => rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "kx-a-db" })).then(() => undefined, (e: Error) => e));
    expect(gone.name).toBe("DBInstanceNotFoundFault");
    await rds().send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: "kx-a-db" }));
    await ec2().send(new DeleteSubnetCommand({ SubnetId: net.privateSubnets[0] }));
  });
});

const record = (Action: "CREATE" | "UPSERT" | "DELETE", Name: string, Type: "A" | "CNAME", Value: string, TTL = 60): Change => ({
  Action,
  ResourceRecordSet: { Name, Type, TTL, ResourceRecords: [{ Value }] },
});

describe("Route53", () => {
  it("creates private zones, refuses a reused caller reference, lists by name and deletes only empty zones", async () => {
    fake().setLatencyScale(1);
    const vpcId = (await ec2().send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    const z = await r53().send(new CreateHostedZoneCommand({ Name: "a.kx.internal", CallerReference: "kx-a-zone", HostedZoneConfig: { PrivateZone: true, Comment: "kx" }, VPC: { VPCRegion: "eu-west-1", VPCId: vpcId } }));
    expect(z.HostedZone).toMatchObject({ Name: "a.kx.internal.", Config: { PrivateZone: true, Comment: "kx" }, ResourceRecordSetCount: 2 });
    expect(z.HostedZone!.Id).toMatch(/^\/hostedzone\/Z[A-Z0-9]+$/);
    expect(z.ChangeInfo!.Status).toBe("PENDING");
    expect(z.Location).toContain(z.HostedZone!.Id!.split("/")[2]);
    expect((await r53().send(new GetChangeCommand({ Id: z.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe("PENDING");
    fake().setLatencyScale(0);
    await until(async () => (await r53().send(new GetChangeCommand({ Id: z.ChangeInfo!.Id }))).ChangeInfo!.Status === "INSYNC");
    const reused = await failure(r53().send(new CreateHostedZoneCommand({ Name: "a.kx.internal", CallerReference: "kx-a-zone", VPC: { VPCRegion: "eu-west-1", VPCId: vpcId } })));
    expect(reused.name).toBe("HostedZoneAlreadyExists");
    expect((await failure(r53().send(new CreateHostedZoneCommand({ Name: "a.kx.internal", CallerReference: "other", VPC: { VPCRegion: "eu-west-1", VPCId: vpcId } })))).name).toBe("ConflictingDomainExists");
    expect((await failure(r53().send(new CreateHostedZoneCommand({ Name: "b.kx.internal", CallerReference: "b", VPC: { VPCRegion: "eu-west-1", VPCId: "vpc-0123456789abcdef0" } })))).name).toBe("InvalidVPCId");
    await r53().send(new CreateHostedZoneCommand({ Name: "example.com", CallerReference: "pub" }));

    const got = await r53().send(new GetHostedZoneCommand({ Id: z.HostedZone!.Id }));
    expect(got.VPCs).toEqual([{ VPCRegion: "eu-west-1", VPCId: vpcId }]);
    const byName = await r53().send(new ListHostedZonesByNameCommand({ DNSName: "a.kx.internal", MaxItems: 1 }));
    expect(byName.HostedZones!.map((h) => h.Name)).toEqual(["a.kx.internal."]);
    expect((await r53().send(new ListHostedZonesCommand({}))).HostedZones).toHaveLength(2);
    expect((await failure(r53().send(new GetHostedZoneCommand({ Id: "ZNOTTHERE" })))).name).toBe("NoSuchHostedZone");

    await r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: z.HostedZone!.Id, ChangeBatch: { Changes: [record("CREATE", "api.a.kx.internal", "A", "10.0.1.5")] } }));
    expect((await failure(r53().send(new DeleteHostedZoneCommand({ Id: z.HostedZone!.Id })))).name).toBe("HostedZoneNotEmpty");
    await r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: z.HostedZone!.Id, ChangeBatch: { Changes: [record("DELETE", "api.a.kx.internal", "A", "10.0.1.5")] } }));
    const del = await r53().send(new DeleteHostedZoneCommand({ Id: z.HostedZone!.Id }));
    expect(del.ChangeInfo!.Status).toBe("PENDING");
  });

  it("applies record changes as Route53 checks them, with alias records and tags", async () => {
    const z = (await r53().send(new CreateHostedZoneCommand({ Name: "kx.example.com", CallerReference: "z" }))).HostedZone!;
    const zoneId = z.Id!;
    const change = await r53().send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: "kx",
          Changes: [
            record("CREATE", "etcd-0.kx.example.com", "A", "10.0.1.5"),
            record("CREATE", "www.kx.example.com", "CNAME", "api.kx.example.com"),
            { Action: "CREATE", ResourceRecordSet: { Name: "api.kx.example.com", Type: "A", AliasTarget: { HostedZoneId: "Z2IFOLAFXWLO4F", DNSName: "kx-a-api-0123.elb.eu-west-1.amazonaws.com", EvaluateTargetHealth: false } } },
          ],
        },
      }),
    );
    expect(change.ChangeInfo!.Id).toMatch(/^\/change\/C/);
    const exists = await failure(r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [record("CREATE", "etcd-0.kx.example.com", "A", "10.0.1.6")] } })));
    expect(exists.name).toBe("InvalidChangeBatch");
    expect(exists.message).toContain("but it already exists");
    const missing = await failure(r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [record("DELETE", "etcd-9.kx.example.com", "A", "10.0.1.6")] } })));
    expect(missing.name).toBe("InvalidChangeBatch");
    expect(missing.message).toContain("but it was not found");
    const clash = await failure(r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [record("CREATE", "www.kx.example.com", "A", "10.0.1.6")] } })));
    expect(clash.name).toBe("InvalidChangeBatch");
    const outside = await failure(r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [record("CREATE", "x.other.com", "A", "10.0.1.6")] } })));
    expect(outside.name).toBe("InvalidChangeBatch");
    await r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [record("UPSERT", "etcd-0.kx.example.com", "A", "10.0.1.7", 30)] } }));

    const all = await r53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    expect(all.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`)).toEqual([
      "kx.example.com. NS",
      "kx.example.com. SOA",
      "api.kx.example.com. A",
      "etcd-0.kx.example.com. A",
      "www.kx.example.com. CNAME",
    ]);
    const etcd = all.ResourceRecordSets!.find((r) => r.Name === "etcd-0.kx.example.com.")!;
    expect(etcd).toMatchObject({ TTL: 30, ResourceRecords: [{ Value: "10.0.1.7" }] });
    const alias = all.ResourceRecordSets!.find((r) => r.Name === "api.kx.example.com.")!;
    expect(alias.AliasTarget).toEqual({ HostedZoneId: "Z2IFOLAFXWLO4F", DNSName: "kx-a-api-0123.elb.eu-west-1.amazonaws.com.", EvaluateTargetHealth: false });
    const page = await r53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: "etcd-0.kx.example.com", StartRecordType: "A", MaxItems: 1 }));
    expect(page).toMatchObject({ IsTruncated: true, NextRecordName: "www.kx.example.com.", NextRecordType: "CNAME" });
    expect(page.ResourceRecordSets!.map((r) => r.Name)).toEqual(["etcd-0.kx.example.com."]);

    const id = zoneId.split("/")[2];
    await r53().send(new ChangeTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id, AddTags: [{ Key: "kx:cluster", Value: "a" }, { Key: "x", Value: "y" }], RemoveTagKeys: [] }));
    await r53().send(new ChangeTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id, RemoveTagKeys: ["x"] }));
    const tags = await r53().send(new ListZoneTagsCommand({ ResourceType: "hostedzone", ResourceId: id }));
    expect(tags.ResourceTagSet).toEqual({ ResourceType: "hostedzone", ResourceId: id, Tags: [{ Key: "kx:cluster", Value: "a" }] });
  });
});
