/**
 * Route tables: one public (default route to the internet gateway, shared by the three
 * public subnets) and one private per zone (default route to that zone's NAT gateway),
 * so a zone's private subnet keeps its way out when another zone fails.
 */
import type { RouteTable } from "@aws-sdk/client-ec2";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { clientToken } from "../../aws/client-token.js";
import { awsCall, awsCallEventually, errorCode } from "../../aws/errors.js";
import { ensureTags, tagDrift } from "../../aws/ec2-tags.js";
import { checkImmutable, onlyOne, ownedBy } from "../../aws/find.js";
import { optionalOutput, requireOutput, resourceStep } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { kxTags, TAG_CLUSTER, TAG_ID, tagSpecifications, tagValue } from "../../aws/tags.js";
import {
  INTERNET_GATEWAY_STEP,
  natGatewayStepId,
  privateRouteTableStepId,
  PUBLIC_ROUTE_TABLE_STEP,
  subnetStepId,
  VPC_STEP,
} from "./ids.js";

const DEFAULT_ROUTE = "0.0.0.0/0";

/** Where the default route goes: an internet gateway or a NAT gateway, by the step that outputs its id. */
interface DefaultRoute {
  kind: "internet-gateway" | "nat-gateway";
  stepId: string;
  output: string;
}

interface RouteTableSpec {
  id: string;
  title: string;
  target: string;
  name: (cluster: string) => string;
  defaultRoute: DefaultRoute;
  /** Steps whose `subnetId` output is associated with this table. */
  subnetSteps: string[];
}

export function publicRouteTableStep(zones: readonly string[]): Step<KxContext> {
  return routeTableStep({
    id: PUBLIC_ROUTE_TABLE_STEP,
    title: "public route table",
    target: "route table public",
    name: (cluster) => `${cluster}-public`,
    defaultRoute: { kind: "internet-gateway", stepId: INTERNET_GATEWAY_STEP, output: "internetGatewayId" },
    subnetSteps: zones.map((zone) => subnetStepId("public", zone)),
  });
}

export function privateRouteTableStep(zone: string): Step<KxContext> {
  return routeTableStep({
    id: privateRouteTableStepId(zone),
    title: `private route table ${zone}`,
    target: `route table private ${zone}`,
    name: (cluster) => `${cluster}-private-${zone}`,
    defaultRoute: { kind: "nat-gateway", stepId: natGatewayStepId(zone), output: "natGatewayId" },
    subnetSteps: [subnetStepId("private", zone)],
  });
}

function routeTableStep(spec: RouteTableSpec): Step<KxContext> {
  const { id, target } = spec;
  const wantedTags = (ctx: KxContext) => kxTags(ctx.cluster, id, spec.name(ctx.cluster));
  const routeTargetOf = (table: RouteTable) => {
    const route = table.Routes?.find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE);
    if (!route || route.State === "blackhole") return undefined;
    return route.GatewayId ?? route.NatGatewayId ?? route.NetworkInterfaceId ?? route.InstanceId ?? "another target";
  };
  const hasDefaultRoute = (table: RouteTable) => table.Routes?.some((r) => r.DestinationCidrBlock === DEFAULT_ROUTE) ?? false;
  const associatedSubnets = (table: RouteTable) =>
    (table.Associations ?? []).filter((a) => a.SubnetId && !a.Main && a.AssociationState?.State !== "disassociated");

  return resourceStep<KxContext, RouteTable>({
    id,
    title: spec.title,
    needs: [VPC_STEP, spec.defaultRoute.stepId, ...spec.subnetSteps],
    target,
    detail: () => `${DEFAULT_ROUTE} → ${spec.defaultRoute.kind}, ${spec.subnetSteps.length} subnet(s)`,

    async find(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:DescribeRouteTables", target, () =>
        client.send(new sdk.DescribeRouteTablesCommand({ Filters: ownedBy(ctx.cluster, id) })),
      );
      return onlyOne(out.RouteTables ?? [], "route tables", (t) => t.RouteTableId);
    },

    async drift(ctx, table) {
      const vpcId = optionalOutput(ctx, VPC_STEP, "vpcId");
      if (vpcId) checkImmutable(`${target} (${table.RouteTableId})`, "VPC", vpcId, table.VpcId);
      const changes: Change[] = tagDrift(target, table.Tags, wantedTags(ctx));

      const wantedTarget = optionalOutput(ctx, spec.defaultRoute.stepId, spec.defaultRoute.output);
      const current = routeTargetOf(table);
      if (current === undefined || (wantedTarget !== undefined && current !== wantedTarget)) {
        changes.push({ action: "update", target, detail: `route ${DEFAULT_ROUTE} → ${wantedTarget ?? spec.defaultRoute.kind}` });
      }

      const associated = new Set(associatedSubnets(table).map((a) => a.SubnetId!));
      const wanted = await subnetIds(ctx, spec.subnetSteps);
      for (const [i, subnetId] of wanted.entries()) {
        if (subnetId === undefined || !associated.has(subnetId)) {
          changes.push({ action: "update", target, detail: `associate ${subnetId ?? spec.subnetSteps[i]}` });
        }
      }
      // Extra subnets are only judged when every wanted id is known (planning before the subnets exist cannot tell).
      if (wanted.every((w) => w !== undefined)) {
        for (const subnetId of associated) {
          if (!wanted.includes(subnetId)) changes.push({ action: "update", target, detail: `disassociate ${subnetId}` });
        }
      }
      return changes;
    },

    async create(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:CreateRouteTable", target, () =>
        client.send(
          new sdk.CreateRouteTableCommand({
            VpcId: requireOutput(ctx, VPC_STEP, "vpcId"),
            // The VPC in the token: a cluster re-created under the same name gets new tokens.
            ClientToken: clientToken(ctx.cluster, `${id}:${requireOutput(ctx, VPC_STEP, "vpcId")}`),
            TagSpecifications: tagSpecifications("route-table", wantedTags(ctx)),
          }),
        ),
      );
      return { ...out.RouteTable!, Tags: out.RouteTable?.Tags ?? wantedTags(ctx) };
    },

    async update(ctx, table) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const RouteTableId = table.RouteTableId!;
      const routeTo = requireOutput(ctx, spec.defaultRoute.stepId, spec.defaultRoute.output);
      const routeTarget = spec.defaultRoute.kind === "internet-gateway" ? { GatewayId: routeTo } : { NatGatewayId: routeTo };

      if (routeTargetOf(table) !== routeTo) {
        const replace = hasDefaultRoute(table);
        await awsCallEventually(replace ? "ec2:ReplaceRoute" : "ec2:CreateRoute", `${RouteTableId} ${DEFAULT_ROUTE} → ${routeTo}`, () =>
          client.send(
            replace
              ? new sdk.ReplaceRouteCommand({ RouteTableId, DestinationCidrBlock: DEFAULT_ROUTE, ...routeTarget })
              : new sdk.CreateRouteCommand({ RouteTableId, DestinationCidrBlock: DEFAULT_ROUTE, ...routeTarget }),
          ),
        );
      }

      const wanted = spec.subnetSteps.map((step) => requireOutput(ctx, step, "subnetId"));
      const current = associatedSubnets(table);
      for (const subnetId of wanted) {
        if (!current.some((a) => a.SubnetId === subnetId)) await associate(ctx, RouteTableId, subnetId);
      }
      for (const association of current) {
        if (!wanted.includes(association.SubnetId!)) {
          await awsCall("ec2:DisassociateRouteTable", `${RouteTableId} from ${association.SubnetId}`, () =>
            client.send(new sdk.DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId })),
          );
        }
      }
      await ensureTags(ctx.aws, RouteTableId, table.Tags, wantedTags(ctx));
      return (await this.find(ctx)) ?? table;
    },

    outputs: (table) => ({ routeTableId: table.RouteTableId! }),
  });
}

/**
 * The subnets' ids from their steps' outputs, or (when planning without them, e.g. after
 * the state was lost) found by their tags; undefined for a subnet that does not exist yet.
 */
async function subnetIds(ctx: KxContext, subnetSteps: string[]): Promise<(string | undefined)[]> {
  const known = subnetSteps.map((step) => optionalOutput(ctx, step, "subnetId"));
  const unknown = subnetSteps.filter((_, i) => known[i] === undefined);
  if (unknown.length === 0) return known;
  const { client, sdk } = await ec2Api(ctx.aws);
  const out = await awsCall("ec2:DescribeSubnets", unknown.join(", "), () =>
    client.send(
      new sdk.DescribeSubnetsCommand({
        Filters: [
          { Name: `tag:${TAG_CLUSTER}`, Values: [ctx.cluster] },
          { Name: `tag:${TAG_ID}`, Values: unknown },
        ],
      }),
    ),
  );
  return subnetSteps.map((step, i) => known[i] ?? out.Subnets?.find((s) => tagValue(s.Tags, TAG_ID) === step)?.SubnetId);
}

/** Associates a subnet, moving it over when it is explicitly associated with another table. */
async function associate(ctx: KxContext, RouteTableId: string, SubnetId: string): Promise<void> {
  const { client, sdk } = await ec2Api(ctx.aws);
  const resource = `${RouteTableId} with ${SubnetId}`;
  try {
    await awsCallEventually("ec2:AssociateRouteTable", resource, () => client.send(new sdk.AssociateRouteTableCommand({ RouteTableId, SubnetId })));
    return;
  } catch (e) {
    if (errorCode(e) !== "Resource.AlreadyAssociated") throw e;
  }
  const out = await awsCall("ec2:DescribeRouteTables", SubnetId, () =>
    client.send(new sdk.DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: [SubnetId] }] })),
  );
  const existing = out.RouteTables?.flatMap((t) => t.Associations ?? []).find((a) => a.SubnetId === SubnetId);
  if (!existing?.RouteTableAssociationId || existing.RouteTableId === RouteTableId) return;
  await awsCall("ec2:ReplaceRouteTableAssociation", resource, () =>
    client.send(new sdk.ReplaceRouteTableAssociationCommand({ AssociationId: existing.RouteTableAssociationId, RouteTableId })),
  );
}
