/**
 * The network, inside out: NAT gateways and their addresses, stray network interfaces,
 * route tables, subnets, the internet gateway, the VPC. What still blocks a deletion
 * at the deadline is named by id.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { awsCall } from "../../../aws/errors.js";
import { ec2Api } from "../../../aws/sdk.js";
import { waitFor } from "../../../aws/waiters.js";
import { eipStepId, INTERNET_GATEWAY_STEP, natGatewayStepId, privateRouteTableStepId, PUBLIC_ROUTE_TABLE_STEP, subnetStepId, VPC_STEP } from "../../network/ids.js";
import { clusterTag, clusterVpcIds, nameOf, stateIds, unlessNotFound, withStateIds } from "../lookup.js";
import { deleteWhenFree, forEachItem } from "../retry.js";
import type { DestroyContext, DestroyItem, DestroyPhase } from "../types.js";

type Sdk = typeof import("@aws-sdk/client-ec2");
type Filter = { Name: string; Values: string[] };

const zonesOf = (ctx: DestroyContext) => ctx.config?.zones ?? [];
const remaining = (deadline: number) => Math.max(1_000, deadline - Date.now());

/** Network interfaces matching the filters, as "eni-… (description)"; only those with a public address when asked. */
export async function interfaces(client: EC2Client, sdk: Sdk, Filters: Filter[], publicOnly = false): Promise<string[]> {
  const out = await client.send(new sdk.DescribeNetworkInterfacesCommand({ Filters }));
  return (out.NetworkInterfaces ?? [])
    .filter((n) => !publicOnly || n.Association?.PublicIp)
    .map((n) => `${n.NetworkInterfaceId}${n.Description ? ` (${n.Description})` : ""}`);
}

export const natGateways: DestroyPhase = {
  name: "nat-gateways",
  type: "NAT gateway",
  after: [],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const alive = { Name: "state", Values: ["pending", "available", "deleting"] };
    const out = await awsCall("ec2:DescribeNatGateways", `NAT gateways of ${ctx.cluster}`, () =>
      client.send(new sdk.DescribeNatGatewaysCommand({ Filter: [...clusterTag(ctx), alive] })),
    );
    const found = (out.NatGateways ?? []).map((n) => ({ id: n.NatGatewayId!, name: nameOf(n.Tags) }));
    return withStateIds(found, stateIds(ctx, zonesOf(ctx).map(natGatewayStepId), "natGatewayId"), async (id) => {
      const one = await unlessNotFound("ec2:DescribeNatGateways", id, () =>
        client.send(new sdk.DescribeNatGatewaysCommand({ NatGatewayIds: [id], Filter: [alive] })),
      );
      return one?.NatGateways?.length ? { id } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, async ({ id }) => {
      await unlessNotFound("ec2:DeleteNatGateway", id, () => client.send(new sdk.DeleteNatGatewayCommand({ NatGatewayId: id })));
      await waitFor(
        () =>
          unlessNotFound("ec2:DescribeNatGateways", id, () => client.send(new sdk.DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).then(
            (out) => out?.NatGateways?.[0],
          ),
        (n) => (n === undefined || n.State === "deleted" ? { done: true, value: undefined } : { done: false, state: n.State ?? "?" }),
        { what: `NAT gateway ${id} to be deleted`, timeoutMs: remaining(run.deadline), signal: run.ctx.signal },
      );
    });
  },
};

export const elasticIps: DestroyPhase = {
  name: "elastic-ips",
  type: "Elastic IP",
  after: ["nat-gateways", "instances"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const toItem = (a: { AllocationId?: string; PublicIp?: string; AssociationId?: string }) => ({
      id: a.AllocationId!,
      name: a.PublicIp,
      facts: { associationId: a.AssociationId },
    });
    const out = await awsCall("ec2:DescribeAddresses", `addresses of ${ctx.cluster}`, () =>
      client.send(new sdk.DescribeAddressesCommand({ Filters: clusterTag(ctx) })),
    );
    return withStateIds((out.Addresses ?? []).map(toItem), stateIds(ctx, zonesOf(ctx).map(eipStepId), "allocationId"), async (id) => {
      const one = await unlessNotFound("ec2:DescribeAddresses", id, () => client.send(new sdk.DescribeAddressesCommand({ AllocationIds: [id] })));
      const a = one?.Addresses?.[0];
      return a ? toItem(a) : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, async ({ id, name, facts }) => {
      const AssociationId = facts?.associationId as string | undefined;
      if (AssociationId) {
        await unlessNotFound("ec2:DisassociateAddress", `${name ?? id}`, () => client.send(new sdk.DisassociateAddressCommand({ AssociationId })));
      }
      await deleteWhenFree(run, "ec2:ReleaseAddress", `Elastic IP ${name ?? id}`, () => client.send(new sdk.ReleaseAddressCommand({ AllocationId: id })));
    });
  },
};

/** Interfaces nothing uses any more (left by load balancers, instances, Lambda…) inside the cluster's VPCs. */
export const networkInterfaces: DestroyPhase = {
  name: "network-interfaces",
  type: "network interface",
  after: ["load-balancers", "instances", "rds-instances", "nat-gateways"],
  async discover(ctx) {
    const vpcs = await clusterVpcIds(ctx);
    if (vpcs.length === 0) return [];
    const { client, sdk } = await ec2Api(ctx.aws);
    const out = await awsCall("ec2:DescribeNetworkInterfaces", `interfaces in ${vpcs.join(", ")}`, () =>
      client.send(
        new sdk.DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: "vpc-id", Values: vpcs },
            { Name: "status", Values: ["available"] },
          ],
        }),
      ),
    );
    return (out.NetworkInterfaces ?? []).map((n) => ({ id: n.NetworkInterfaceId!, name: n.Description || undefined }));
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, ({ id }) =>
      deleteWhenFree(run, "ec2:DeleteNetworkInterface", `network interface ${id}`, () =>
        client.send(new sdk.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: id })),
      ),
    );
  },
};

export const routeTables: DestroyPhase = {
  name: "route-tables",
  type: "route table",
  after: ["instances", "load-balancers", "nat-gateways"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    type Table = { RouteTableId?: string; Tags?: { Key?: string; Value?: string }[]; Associations?: { Main?: boolean; RouteTableAssociationId?: string }[] };
    const toItem = (t: Table): DestroyItem | undefined =>
      t.Associations?.some((a) => a.Main)
        ? undefined // the VPC's main table goes with the VPC
        : {
            id: t.RouteTableId!,
            name: nameOf(t.Tags),
            facts: { associations: (t.Associations ?? []).map((a) => a.RouteTableAssociationId!).filter(Boolean) },
          };
    const out = await awsCall("ec2:DescribeRouteTables", `route tables of ${ctx.cluster}`, () =>
      client.send(new sdk.DescribeRouteTablesCommand({ Filters: clusterTag(ctx) })),
    );
    const found = (out.RouteTables ?? []).map(toItem).filter((t): t is DestroyItem => t !== undefined);
    const fromState = stateIds(ctx, [PUBLIC_ROUTE_TABLE_STEP, ...zonesOf(ctx).map(privateRouteTableStepId)], "routeTableId");
    return withStateIds(found, fromState, async (id) => {
      const one = await unlessNotFound("ec2:DescribeRouteTables", id, () => client.send(new sdk.DescribeRouteTablesCommand({ RouteTableIds: [id] })));
      const t = one?.RouteTables?.[0];
      return t ? toItem(t) : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, async ({ id, name, facts }) => {
      for (const AssociationId of (facts?.associations as string[] | undefined) ?? []) {
        await unlessNotFound("ec2:DisassociateRouteTable", AssociationId, () => client.send(new sdk.DisassociateRouteTableCommand({ AssociationId })));
      }
      await deleteWhenFree(run, "ec2:DeleteRouteTable", `route table ${name ?? id}`, () => client.send(new sdk.DeleteRouteTableCommand({ RouteTableId: id })));
    });
  },
};

export const subnets: DestroyPhase = {
  name: "subnets",
  type: "subnet",
  after: ["network-interfaces", "rds-subnet-groups", "route-tables", "security-groups"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const out = await awsCall("ec2:DescribeSubnets", `subnets of ${ctx.cluster}`, () => client.send(new sdk.DescribeSubnetsCommand({ Filters: clusterTag(ctx) })));
    const found = (out.Subnets ?? []).map((s) => ({ id: s.SubnetId!, name: nameOf(s.Tags) }));
    const stepIds = zonesOf(ctx).flatMap((z) => [subnetStepId("public", z), subnetStepId("private", z)]);
    return withStateIds(found, stateIds(ctx, stepIds, "subnetId"), async (id) => {
      const one = await unlessNotFound("ec2:DescribeSubnets", id, () => client.send(new sdk.DescribeSubnetsCommand({ SubnetIds: [id] })));
      return one?.Subnets?.length ? { id } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, ({ id, name }) =>
      deleteWhenFree(
        run,
        "ec2:DeleteSubnet",
        `subnet ${name ?? id} (${id})`,
        () => client.send(new sdk.DeleteSubnetCommand({ SubnetId: id })),
        () => interfaces(client, sdk, [{ Name: "subnet-id", Values: [id] }]),
      ),
    );
  },
};

export const internetGateways: DestroyPhase = {
  name: "internet-gateways",
  type: "internet gateway",
  after: ["elastic-ips", "network-interfaces", "load-balancers", "nat-gateways"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    type Gateway = { InternetGatewayId?: string; Tags?: { Key?: string; Value?: string }[]; Attachments?: { VpcId?: string }[] };
    const toItem = (g: Gateway) => ({
      id: g.InternetGatewayId!,
      name: nameOf(g.Tags),
      facts: { vpcs: (g.Attachments ?? []).map((a) => a.VpcId!).filter(Boolean) },
    });
    const out = await awsCall("ec2:DescribeInternetGateways", `gateways of ${ctx.cluster}`, () =>
      client.send(new sdk.DescribeInternetGatewaysCommand({ Filters: clusterTag(ctx) })),
    );
    return withStateIds((out.InternetGateways ?? []).map(toItem), stateIds(ctx, [INTERNET_GATEWAY_STEP], "internetGatewayId"), async (id) => {
      const one = await unlessNotFound("ec2:DescribeInternetGateways", id, () =>
        client.send(new sdk.DescribeInternetGatewaysCommand({ InternetGatewayIds: [id] })),
      );
      const g = one?.InternetGateways?.[0];
      return g ? toItem(g) : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, async ({ id, facts }) => {
      for (const VpcId of (facts?.vpcs as string[] | undefined) ?? []) {
        // Refused while the VPC still maps public addresses (NAT gateways, load balancers being deleted).
        await deleteWhenFree(
          run,
          "ec2:DetachInternetGateway",
          `internet gateway ${id} from ${VpcId}`,
          () => client.send(new sdk.DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId })),
          () => interfaces(client, sdk, [{ Name: "vpc-id", Values: [VpcId] }], true),
        );
      }
      await deleteWhenFree(run, "ec2:DeleteInternetGateway", `internet gateway ${id}`, () =>
        client.send(new sdk.DeleteInternetGatewayCommand({ InternetGatewayId: id })),
      );
    });
  },
};

export const vpcs: DestroyPhase = {
  name: "vpcs",
  type: "VPC",
  after: ["subnets", "security-groups", "route-tables", "internet-gateways", "hosted-zones", "network-interfaces"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const out = await awsCall("ec2:DescribeVpcs", `VPCs of ${ctx.cluster}`, () => client.send(new sdk.DescribeVpcsCommand({ Filters: clusterTag(ctx) })));
    const found = (out.Vpcs ?? []).map((v) => ({ id: v.VpcId!, name: nameOf(v.Tags) }));
    return withStateIds(found, stateIds(ctx, [VPC_STEP], "vpcId"), async (id) => {
      const one = await unlessNotFound("ec2:DescribeVpcs", id, () => client.send(new sdk.DescribeVpcsCommand({ VpcIds: [id] })));
      return one?.Vpcs?.length ? { id } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, ({ id, name }) =>
      deleteWhenFree(
        run,
        "ec2:DeleteVpc",
        `VPC ${name ?? id} (${id})`,
        () => client.send(new sdk.DeleteVpcCommand({ VpcId: id })),
        () => vpcBlockers(client, sdk, id),
      ),
    );
  },
};

/** What keeps a VPC alive, by id. */
async function vpcBlockers(client: EC2Client, sdk: Sdk, VpcId: string): Promise<string[]> {
  const inVpc = [{ Name: "vpc-id", Values: [VpcId] }];
  const [subnetsOut, groups, tables, gateways, nats, enis] = await Promise.all([
    client.send(new sdk.DescribeSubnetsCommand({ Filters: inVpc })),
    client.send(new sdk.DescribeSecurityGroupsCommand({ Filters: inVpc })),
    client.send(new sdk.DescribeRouteTablesCommand({ Filters: inVpc })),
    client.send(new sdk.DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [VpcId] }] })),
    client.send(new sdk.DescribeNatGatewaysCommand({ Filter: [...inVpc, { Name: "state", Values: ["pending", "available", "deleting"] }] })),
    interfaces(client, sdk, inVpc),
  ]);
  return [
    ...(subnetsOut.Subnets ?? []).map((s) => s.SubnetId!),
    ...(groups.SecurityGroups ?? []).filter((g) => g.GroupName !== "default").map((g) => `${g.GroupId} (${g.GroupName})`),
    ...(tables.RouteTables ?? []).filter((t) => !t.Associations?.some((a) => a.Main)).map((t) => t.RouteTableId!),
    ...(gateways.InternetGateways ?? []).map((g) => g.InternetGatewayId!),
    ...(nats.NatGateways ?? []).map((n) => `${n.NatGatewayId} (${n.State})`),
    ...enis,
  ];
}
