import { describe, expect, it } from "vitest";
import {
  EC2Client,
  CreateVpcCommand,
  DescribeVpcsCommand,
  ModifyVpcAttributeCommand,
  DescribeVpcAttributeCommand,
  DeleteVpcCommand,
  CreateSubnetCommand,
  DescribeSubnetsCommand,
  ModifySubnetAttributeCommand,
  DeleteSubnetCommand,
  CreateInternetGatewayCommand,
  AttachInternetGatewayCommand,
  DetachInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  DeleteInternetGatewayCommand,
  AllocateAddressCommand,
  DescribeAddressesCommand,
  ReleaseAddressCommand,
  CreateNatGatewayCommand,
  DescribeNatGatewaysCommand,
  DeleteNatGatewayCommand,
  CreateRouteTableCommand,
  DescribeRouteTablesCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  AssociateRouteTableCommand,
  DisassociateRouteTableCommand,
  DeleteRouteTableCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeNetworkInterfacesCommand,
  DeleteNetworkInterfaceCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRegionsCommand,
  DescribeInstanceTypesCommand,
  DescribeInstanceTypeOfferingsCommand,
} from "@aws-sdk/client-ec2";
import { clientConfig, failure, until, useFake } from "./fake.js";

const fake = useFake();
let client: EC2Client | undefined;
const ec2 = () => (client ??= new EC2Client(clientConfig(fake())));
const tagged = (resourceType: string, tags: Record<string, string>) => [
  { ResourceType: resourceType as never, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
];

async function vpc(cidr = "10.0.0.0/16", tags: Record<string, string> = { Name: "test" }) {
  const r = await ec2().send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: tagged("vpc", tags) }));
  return r.Vpc!.VpcId!;
}

async function subnet(vpcId: string, cidr: string, az = "eu-west-1a") {
  const r = await ec2().send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }));
  return r.Subnet!.SubnetId!;
}

describe("VPCs", () => {
  it("creates a pending VPC that becomes available, tagged, with no default VPC beside it", async () => {
    const before = await ec2().send(new DescribeVpcsCommand({}));
    expect(before.Vpcs).toEqual([]);
    const created = await ec2().send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: tagged("vpc", { "kx:cluster": "a", Name: "a" }) }));
    expect(created.Vpc).toMatchObject({ CidrBlock: "10.0.0.0/16", State: "pending", IsDefault: false });
    expect(created.Vpc!.Tags).toEqual(expect.arrayContaining([{ Key: "kx:cluster", Value: "a" }]));
    const d = await ec2().send(new DescribeVpcsCommand({ VpcIds: [created.Vpc!.VpcId!] }));
    expect(d.Vpcs![0].State).toBe("available");
  });

  it("filters by tag, tag-key and wildcards, and rejects unknown filters", async () => {
    const a = await vpc("10.0.0.0/16", { "kx:cluster": "alpha" });
    await vpc("10.1.0.0/16", { "kx:cluster": "beta" });
    const byTag = await ec2().send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["alpha"] }] }));
    expect(byTag.Vpcs!.map((v) => v.VpcId)).toEqual([a]);
    const byKey = await ec2().send(new DescribeVpcsCommand({ Filters: [{ Name: "tag-key", Values: ["kx:cluster"] }] }));
    expect(byKey.Vpcs).toHaveLength(2);
    const wild = await ec2().send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["al*"] }] }));
    expect(wild.Vpcs!.map((v) => v.VpcId)).toEqual([a]);
    const bad = await failure(ec2().send(new DescribeVpcsCommand({ Filters: [{ Name: "nope", Values: ["x"] }] })));
    expect(bad.name).toBe("InvalidParameterValue");
  });

  it("paginates with MaxResults and NextToken", async () => {
    for (let i = 0; i < 7; i++) await vpc(`10.${i}.0.0/16`);
    const p1 = await ec2().send(new DescribeVpcsCommand({ MaxResults: 5 }));
    expect(p1.Vpcs).toHaveLength(5);
    expect(p1.NextToken).toBeTruthy();
    const p2 = await ec2().send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: p1.NextToken }));
    expect(p2.Vpcs).toHaveLength(2);
    expect(p2.NextToken).toBeUndefined();
    const tooSmall = await failure(ec2().send(new DescribeVpcsCommand({ MaxResults: 2 })));
    expect(tooSmall.name).toBe("InvalidParameterValue");
  });

  it("rejects bad CIDRs and unknown ids with AWS's codes", async () => {
    expect((await failure(ec2().send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/8" })))).name).toBe("InvalidVpc.Range");
    expect((await failure(ec2().send(new CreateVpcCommand({ CidrBlock: "10.0.0.300/16" })))).name).toBe("InvalidParameterValue");
    expect((await failure(ec2().send(new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] })))).name).toBe("InvalidVpcID.NotFound");
    expect((await failure(ec2().send(new DeleteVpcCommand({ VpcId: "vpc-0123456789abcdef0" })))).name).toBe("InvalidVpcID.NotFound");
  });

  it("answers DryRun with DryRunOperation and creates nothing", async () => {
    const e = await failure(ec2().send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", DryRun: true })));
    expect(e.name).toBe("DryRunOperation");
    expect((await ec2().send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
  });

  it("modifies and describes DNS attributes", async () => {
    const id = await vpc();
    await ec2().send(new ModifyVpcAttributeCommand({ VpcId: id, EnableDnsHostnames: { Value: true } }));
    const a = await ec2().send(new DescribeVpcAttributeCommand({ VpcId: id, Attribute: "enableDnsHostnames" }));
    expect(a.EnableDnsHostnames?.Value).toBe(true);
    const s = await ec2().send(new DescribeVpcAttributeCommand({ VpcId: id, Attribute: "enableDnsSupport" }));
    expect(s.EnableDnsSupport?.Value).toBe(true);
  });
});

describe("subnets", () => {
  it("creates subnets inside the VPC and rejects out-of-range and overlapping CIDRs", async () => {
    const v = await vpc();
    const s = await ec2().send(new CreateSubnetCommand({ VpcId: v, CidrBlock: "10.0.1.0/24", AvailabilityZone: "eu-west-1b", TagSpecifications: tagged("subnet", { Name: "s" }) }));
    expect(s.Subnet).toMatchObject({ VpcId: v, CidrBlock: "10.0.1.0/24", AvailabilityZone: "eu-west-1b", AvailableIpAddressCount: 251, MapPublicIpOnLaunch: false });
    expect((await failure(ec2().send(new CreateSubnetCommand({ VpcId: v, CidrBlock: "10.1.0.0/24" })))).name).toBe("InvalidSubnet.Range");
    expect((await failure(ec2().send(new CreateSubnetCommand({ VpcId: v, CidrBlock: "10.0.1.128/25" })))).name).toBe("InvalidSubnet.Conflict");
    expect((await failure(ec2().send(new CreateSubnetCommand({ VpcId: v, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1a" })))).name).toBe("InvalidParameterValue");
    expect((await failure(ec2().send(new CreateSubnetCommand({ VpcId: "vpc-0123456789abcdef0", CidrBlock: "10.0.2.0/24" })))).name).toBe("InvalidVpcID.NotFound");
  });

  it("filters by vpc-id and availability-zone and sets MapPublicIpOnLaunch", async () => {
    const v = await vpc();
    const a = await subnet(v, "10.0.1.0/24", "eu-west-1a");
    await subnet(v, "10.0.2.0/24", "eu-west-1b");
    const r = await ec2().send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [v] }, { Name: "availability-zone", Values: ["eu-west-1a"] }] }));
    expect(r.Subnets!.map((s) => s.SubnetId)).toEqual([a]);
    await ec2().send(new ModifySubnetAttributeCommand({ SubnetId: a, MapPublicIpOnLaunch: { Value: true } }));
    const after = await ec2().send(new DescribeSubnetsCommand({ SubnetIds: [a] }));
    expect(after.Subnets![0]).toMatchObject({ MapPublicIpOnLaunch: true, State: "available" });
  });

  it("refuses to delete a VPC that still has a subnet (DependencyViolation), then deletes both", async () => {
    const v = await vpc();
    const s = await subnet(v, "10.0.1.0/24");
    const e = await failure(ec2().send(new DeleteVpcCommand({ VpcId: v })));
    expect(e.name).toBe("DependencyViolation");
    await ec2().send(new DeleteSubnetCommand({ SubnetId: s }));
    await ec2().send(new DeleteVpcCommand({ VpcId: v }));
    expect((await ec2().send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
    expect((await failure(ec2().send(new DeleteSubnetCommand({ SubnetId: s })))).name).toBe("InvalidSubnetID.NotFound");
  });
});

describe("internet gateways", () => {
  it("attaches, blocks VPC and gateway deletion while attached, detaches and deletes", async () => {
    const v = await vpc();
    const igw = (await ec2().send(new CreateInternetGatewayCommand({ TagSpecifications: tagged("internet-gateway", { Name: "g" }) }))).InternetGateway!.InternetGatewayId!;
    await ec2().send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: v }));
    const d = await ec2().send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [v] }] }));
    expect(d.InternetGateways![0]).toMatchObject({ InternetGatewayId: igw, Attachments: [{ VpcId: v, State: "available" }] });
    expect((await failure(ec2().send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: v })))).name).toBe("Resource.AlreadyAssociated");
    expect((await failure(ec2().send(new DeleteVpcCommand({ VpcId: v })))).name).toBe("DependencyViolation");
    expect((await failure(ec2().send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })))).name).toBe("DependencyViolation");
    await ec2().send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: v }));
    expect((await failure(ec2().send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: v })))).name).toBe("Gateway.NotAttached");
    await ec2().send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
    expect((await failure(ec2().send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] })))).name).toBe("InvalidInternetGatewayID.NotFound");
    await ec2().send(new DeleteVpcCommand({ VpcId: v }));
  });
});

describe("Elastic IPs and NAT gateways", () => {
  it("creates a NAT gateway that goes pending → available, owns an ENI, and is idempotent by ClientToken", async () => {
    fake().setLatencyScale(1);
    const v = await vpc();
    const s = await subnet(v, "10.0.1.0/24");
    const eip = await ec2().send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagged("elastic-ip", { Name: "e" }) }));
    expect(eip.AllocationId).toMatch(/^eipalloc-/);
    const req = { SubnetId: s, AllocationId: eip.AllocationId!, ClientToken: "token-1", TagSpecifications: tagged("natgateway", { Name: "n" }) };
    const first = await ec2().send(new CreateNatGatewayCommand(req));
    expect(first.NatGateway).toMatchObject({ State: "pending", SubnetId: s, VpcId: v });
    expect(first.ClientToken).toBe("token-1");
    const again = await ec2().send(new CreateNatGatewayCommand(req));
    expect(again.NatGateway!.NatGatewayId).toBe(first.NatGateway!.NatGatewayId);
    const other = await ec2().send(new AllocateAddressCommand({ Domain: "vpc" }));
    const mismatch = await failure(ec2().send(new CreateNatGatewayCommand({ ...req, AllocationId: other.AllocationId! })));
    expect(mismatch.name).toBe("IdempotentParameterMismatch");
    const natId = first.NatGateway!.NatGatewayId!;
    const stillPending = await ec2().send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
    expect(stillPending.NatGateways![0].State).toBe("pending");
    fake().setLatencyScale(0);
    const available = await until(async () => {
      const r = await ec2().send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
      return r.NatGateways![0].State === "available" && r.NatGateways![0];
    });
    expect(available.NatGatewayAddresses![0]).toMatchObject({ AllocationId: eip.AllocationId, PublicIp: eip.PublicIp });
    const enis = await ec2().send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [s] }] }));
    expect(enis.NetworkInterfaces).toHaveLength(1);
    expect(enis.NetworkInterfaces![0]).toMatchObject({ InterfaceType: "nat_gateway", RequesterManaged: true });
    expect((await failure(ec2().send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: enis.NetworkInterfaces![0].NetworkInterfaceId! })))).name).toBe("OperationNotPermitted");
    expect((await failure(ec2().send(new DeleteSubnetCommand({ SubnetId: s })))).name).toBe("DependencyViolation");
    expect((await failure(ec2().send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! })))).name).toBe("InvalidIPAddress.InUse");
    const addr = await ec2().send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }));
    expect(addr.Addresses![0].AssociationId).toBeTruthy();

    fake().setLatencyScale(1);
    await ec2().send(new DeleteNatGatewayCommand({ NatGatewayId: natId }));
    expect((await ec2().send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }))).NatGateways![0].State).toBe("deleting");
    fake().setLatencyScale(0);
    const deleted = await until(async () => {
      const r = await ec2().send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [v] }] }));
      return r.NatGateways![0].State === "deleted" && r.NatGateways![0];
    });
    expect(deleted.NatGatewayId).toBe(natId);
    await ec2().send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId! }));
    await ec2().send(new DeleteSubnetCommand({ SubnetId: s }));
    expect((await failure(ec2().send(new DescribeNatGatewaysCommand({ NatGatewayIds: ["nat-0123456789abcdef0"] })))).name).toBe("NatGatewayNotFound");
    expect((await failure(ec2().send(new DescribeAddressesCommand({ AllocationIds: ["eipalloc-0123456789abcdef0"] })))).name).toBe("InvalidAllocationID.NotFound");
  });
});

describe("route tables", () => {
  it("creates tables with a local route, routes to gateways, associates subnets and guards deletion", async () => {
    const v = await vpc();
    const s = await subnet(v, "10.0.1.0/24");
    const igw = (await ec2().send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    const rt = await ec2().send(new CreateRouteTableCommand({ VpcId: v, ClientToken: "rt-1", TagSpecifications: tagged("route-table", { Name: "public" }) }));
    const rtId = rt.RouteTable!.RouteTableId!;
    expect(rt.RouteTable!.Routes).toEqual([expect.objectContaining({ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" })]);
    const same = await ec2().send(new CreateRouteTableCommand({ VpcId: v, ClientToken: "rt-1", TagSpecifications: tagged("route-table", { Name: "public" }) }));
    expect(same.RouteTable!.RouteTableId).toBe(rtId);
    expect((await failure(ec2().send(new CreateRouteCommand({ RouteTableId: rtId, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw })))).name).toBe("InvalidParameterValue");
    await ec2().send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: v }));
    await ec2().send(new CreateRouteCommand({ RouteTableId: rtId, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
    expect((await failure(ec2().send(new CreateRouteCommand({ RouteTableId: rtId, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw })))).name).toBe("RouteAlreadyExists");
    const assoc = await ec2().send(new AssociateRouteTableCommand({ RouteTableId: rtId, SubnetId: s }));
    expect(assoc.AssociationState?.State).toBe("associated");
    const found = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [s] }] }));
    expect(found.RouteTables!.map((t) => t.RouteTableId)).toEqual([rtId]);
    const main = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [v] }, { Name: "association.main", Values: ["true"] }] }));
    expect(main.RouteTables).toHaveLength(1);
    expect((await failure(ec2().send(new DeleteRouteTableCommand({ RouteTableId: rtId })))).name).toBe("DependencyViolation");
    await ec2().send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId! }));
    await ec2().send(new DeleteRouteCommand({ RouteTableId: rtId, DestinationCidrBlock: "0.0.0.0/0" }));
    expect((await failure(ec2().send(new DeleteRouteCommand({ RouteTableId: rtId, DestinationCidrBlock: "0.0.0.0/0" })))).name).toBe("InvalidRoute.NotFound");
    expect((await failure(ec2().send(new DeleteVpcCommand({ VpcId: v })))).name).toBe("DependencyViolation");
    await ec2().send(new DeleteRouteTableCommand({ RouteTableId: rtId }));
    expect((await failure(ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [rtId] })))).name).toBe("InvalidRouteTableID.NotFound");
  });
});

describe("route replacement", () => {
  it("replaces a route's target and moves a subnet (or the main association) to another table", async () => {
    const v = await vpc();
    const s = await subnet(v, "10.0.1.0/24");
    const igw = (await ec2().send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2().send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: v }));
    const eip = await ec2().send(new AllocateAddressCommand({ Domain: "vpc" }));
    const nat = (await ec2().send(new CreateNatGatewayCommand({ SubnetId: s, AllocationId: eip.AllocationId! }))).NatGateway!.NatGatewayId!;
    const a = (await ec2().send(new CreateRouteTableCommand({ VpcId: v }))).RouteTable!.RouteTableId!;
    const b = (await ec2().send(new CreateRouteTableCommand({ VpcId: v }))).RouteTable!.RouteTableId!;
    expect((await failure(ec2().send(new ReplaceRouteCommand({ RouteTableId: a, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw })))).name).toBe("InvalidRoute.NotFound");
    await ec2().send(new CreateRouteCommand({ RouteTableId: a, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
    await ec2().send(new ReplaceRouteCommand({ RouteTableId: a, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }));
    const t = (await ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [a] }))).RouteTables![0];
    expect(t.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")).toMatchObject({ NatGatewayId: nat, State: "active" });
    expect(t.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.GatewayId).toBeUndefined();
    const assoc = (await ec2().send(new AssociateRouteTableCommand({ RouteTableId: a, SubnetId: s }))).AssociationId!;
    const moved = await ec2().send(new ReplaceRouteTableAssociationCommand({ AssociationId: assoc, RouteTableId: b }));
    expect(moved.NewAssociationId).toMatch(/^rtbassoc-/);
    const now = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [s] }] }));
    expect(now.RouteTables!.map((x) => x.RouteTableId)).toEqual([b]);
    const main = (await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [v] }, { Name: "association.main", Values: ["true"] }] }))).RouteTables![0];
    const mainAssoc = main.Associations!.find((x) => x.Main)!.RouteTableAssociationId!;
    await ec2().send(new ReplaceRouteTableAssociationCommand({ AssociationId: mainAssoc, RouteTableId: a }));
    const newMain = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [v] }, { Name: "association.main", Values: ["true"] }] }));
    expect(newMain.RouteTables!.map((x) => x.RouteTableId)).toEqual([a]);
    expect((await failure(ec2().send(new ReplaceRouteTableAssociationCommand({ AssociationId: "rtbassoc-0123456789abcdef0", RouteTableId: b })))).name).toBe("InvalidAssociationID.NotFound");
  });
});

describe("tags", () => {
  it("adds and removes tags on any resource and reports unknown ids", async () => {
    const v = await vpc();
    await ec2().send(new CreateTagsCommand({ Resources: [v], Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
    await ec2().send(new DeleteTagsCommand({ Resources: [v], Tags: [{ Key: "a" }] }));
    const d = await ec2().send(new DescribeVpcsCommand({ VpcIds: [v] }));
    expect(d.Vpcs![0].Tags).toEqual(expect.arrayContaining([{ Key: "b", Value: "2" }]));
    expect(d.Vpcs![0].Tags!.some((t) => t.Key === "a")).toBe(false);
    expect((await failure(ec2().send(new CreateTagsCommand({ Resources: ["vpc-0123456789abcdef0"], Tags: [{ Key: "a", Value: "1" }] })))).name).toBe("InvalidVpcID.NotFound");
    expect((await failure(ec2().send(new CreateTagsCommand({ Resources: ["bogus"], Tags: [{ Key: "a", Value: "1" }] })))).name).toBe("InvalidID");
  });
});

describe("catalogue", () => {
  it("lists three zones, regions, instance types and offerings", async () => {
    const z = await ec2().send(new DescribeAvailabilityZonesCommand({}));
    expect(z.AvailabilityZones!.map((a) => a.ZoneName)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(z.AvailabilityZones![0]).toMatchObject({ ZoneId: "euw1-az1", State: "available", RegionName: "eu-west-1" });
    const r = await ec2().send(new DescribeRegionsCommand({ RegionNames: ["eu-west-1"] }));
    expect(r.Regions![0].RegionName).toBe("eu-west-1");
    const t = await ec2().send(new DescribeInstanceTypesCommand({ InstanceTypes: ["m6i.large"] }));
    expect(t.InstanceTypes![0]).toMatchObject({ InstanceType: "m6i.large", VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 8192 } });
    expect(t.InstanceTypes![0].ProcessorInfo!.SupportedArchitectures).toEqual(["x86_64"]);
    expect((await failure(ec2().send(new DescribeInstanceTypesCommand({ InstanceTypes: ["x9.huge" as never] })))).name).toBe("InvalidInstanceType");
    const o = await ec2().send(new DescribeInstanceTypeOfferingsCommand({ LocationType: "availability-zone", Filters: [{ Name: "instance-type", Values: ["t3.medium"] }] }));
    expect(o.InstanceTypeOfferings!.map((x) => x.Location)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
  });
});
