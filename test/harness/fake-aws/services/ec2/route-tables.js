// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { checkSpecTypes, describe, notFound, ok, required, tagOnCreate, tagSet, withClientToken } from "./common.js";
import { getSubnet, getVpc } from "./vpc.js";

/** Route tables, their routes and subnet associations. Every VPC has a main table. */

/** @typedef {import("../../core/world.js").World} World */

/** @param {World} world @param {any} vpc */
export function createMainRouteTable(world, vpc) {
  const id = ec2Id("rtb");
  return world.store.put("rtb", id, {
    id,
    vpcId: vpc.id,
    main: true,
    routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: "local", origin: "CreateRouteTable" }],
    associations: [{ id: ec2Id("rtbassoc"), main: true }],
  });
}

/** @param {World} world @param {string} id */
function getRtb(world, id) {
  const r = world.store.get("rtb", id);
  if (!r) throw notFound("InvalidRouteTableID.NotFound", "routeTable ID", id);
  return r;
}

/** A route is a blackhole once its target is gone. @param {World} world @param {any} r */
function routeState(world, r) {
  if (r.natGatewayId) {
    const n = world.store.get("nat", r.natGatewayId);
    return n && n.state !== "deleted" && n.state !== "deleting" && n.state !== "failed" ? "active" : "blackhole";
  }
  if (r.gatewayId && r.gatewayId !== "local") return world.store.get("igw", r.gatewayId)?.vpcId ? "active" : "blackhole";
  if (r.instanceId) return world.store.get("instance", r.instanceId)?.state === "running" ? "active" : "blackhole";
  return "active";
}

/** @param {World} world @param {any} t */
function renderRtb(world, t) {
  return {
    routeTableId: t.id,
    vpcId: t.vpcId,
    ownerId: world.account,
    routeSet: t.routes.map((/** @type {any} */ r) => ({ ...r, state: routeState(world, r) })),
    associationSet: t.associations.map((/** @type {any} */ a) => ({
      main: a.main,
      routeTableAssociationId: a.id,
      routeTableId: t.id,
      subnetId: a.subnetId,
      associationState: { state: "associated" },
    })),
    propagatingVgwSet: [],
    tagSet: tagSet(world, t.id),
  };
}

/** @type {import("../../core/filters.js").FilterFields} */
const fields = {
  "route-table-id": (t) => t.id,
  "vpc-id": (t) => t.vpcId,
  "association.subnet-id": (t) => t.associations.map((/** @type {any} */ a) => a.subnetId),
  "association.route-table-association-id": (t) => t.associations.map((/** @type {any} */ a) => a.id),
  "association.route-table-id": (t) => (t.associations.length ? t.id : undefined),
  "association.main": (t) => (t.main ? "true" : t.associations.length ? "false" : undefined),
  "route.destination-cidr-block": (t) => t.routes.map((/** @type {any} */ r) => r.destinationCidrBlock),
  "route.gateway-id": (t) => t.routes.map((/** @type {any} */ r) => r.gatewayId),
  "route.nat-gateway-id": (t) => t.routes.map((/** @type {any} */ r) => r.natGatewayId),
};

/** @param {World} world @param {any} p @param {any} table */
function routeTarget(world, p, table) {
  if (p.GatewayId) {
    const g = world.store.get("igw", String(p.GatewayId));
    if (!g) throw notFound("InvalidGatewayID.NotFound", "gateway ID", String(p.GatewayId));
    if (g.vpcId !== table.vpcId) throw new AwsError("InvalidParameterValue", `route table ${table.id} and network gateway ${g.id} belong to different networks`);
    return { gatewayId: g.id };
  }
  if (p.NatGatewayId) {
    const n = world.store.get("nat", String(p.NatGatewayId));
    if (!n || n.state === "deleted") throw new AwsError("InvalidNatGatewayID.NotFound", `The natGateway ID '${p.NatGatewayId}' does not exist`);
    if (n.vpcId !== table.vpcId) throw new AwsError("InvalidParameterValue", `route table ${table.id} and NAT gateway ${n.id} belong to different networks`);
    return { natGatewayId: n.id };
  }
  if (p.InstanceId) {
    const i = world.store.get("instance", String(p.InstanceId));
    if (!i) throw notFound("InvalidInstanceID.NotFound", "instance ID", String(p.InstanceId));
    return { instanceId: i.id, instanceOwnerId: world.account, networkInterfaceId: i.eniId };
  }
  if (p.NetworkInterfaceId) {
    const e = world.store.get("eni", String(p.NetworkInterfaceId));
    if (!e) throw notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface ID", String(p.NetworkInterfaceId));
    return { networkInterfaceId: e.id };
  }
  throw new AwsError("InvalidParameterCombination", "No route target was specified; one of gatewayId, natGatewayId, instanceId or networkInterfaceId is required");
}

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  CreateRouteTable(p, { world }) {
    const { id } = withClientToken(world, "CreateRouteTable", p, () => {
      const vpc = getVpc(world, required(p.VpcId, "VpcId"));
      checkSpecTypes(p, ["route-table"]);
      const rid = ec2Id("rtb");
      world.store.put("rtb", rid, {
        id: rid,
        vpcId: vpc.id,
        main: false,
        routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: "local", origin: "CreateRouteTable" }],
        associations: [],
      });
      tagOnCreate(world, rid, p, "route-table");
      return rid;
    });
    const t = world.store.get("rtb", id);
    if (!t) throw notFound("InvalidRouteTableID.NotFound", "routeTable ID", id);
    return { routeTable: renderRtb(world, t), clientToken: p.ClientToken };
  },

  DescribeRouteTables(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "rtb",
      idParam: "RouteTableId",
      missing: (id) => notFound("InvalidRouteTableID.NotFound", "routeTable ID", id),
      fields,
      paged: true,
    });
    return { routeTableSet: items.map((t) => renderRtb(world, t)), nextToken: next };
  },

  CreateRoute(p, { world }) {
    const table = getRtb(world, required(p.RouteTableId, "RouteTableId"));
    const dest = required(p.DestinationCidrBlock, "DestinationCidrBlock");
    const target = routeTarget(world, p, table);
    const existing = table.routes.find((/** @type {any} */ r) => r.destinationCidrBlock === dest);
    if (existing) {
      throw new AwsError("RouteAlreadyExists", `The route identified by ${dest} already exists.`);
    }
    table.routes.push({ destinationCidrBlock: dest, ...target, origin: "CreateRoute" });
    return ok();
  },

  ReplaceRoute(p, { world }) {
    const table = getRtb(world, required(p.RouteTableId, "RouteTableId"));
    const dest = required(p.DestinationCidrBlock, "DestinationCidrBlock");
    const i = table.routes.findIndex((/** @type {any} */ r) => r.destinationCidrBlock === dest);
    if (i < 0) throw new AwsError("InvalidRoute.NotFound", `There is no route defined for '${dest}' in the route table. Use CreateRoute instead.`);
    if (table.routes[i].gatewayId === "local") throw new AwsError("InvalidParameterValue", `cannot replace local route ${dest} in route table ${table.id}`);
    table.routes[i] = { destinationCidrBlock: dest, ...routeTarget(world, p, table), origin: "CreateRoute" };
    return ok();
  },

  DeleteRoute(p, { world }) {
    const table = getRtb(world, required(p.RouteTableId, "RouteTableId"));
    const dest = required(p.DestinationCidrBlock, "DestinationCidrBlock");
    const i = table.routes.findIndex((/** @type {any} */ r) => r.destinationCidrBlock === dest);
    if (i < 0) throw new AwsError("InvalidRoute.NotFound", `no route with destination-cidr-block ${dest} in route table ${table.id}`);
    if (table.routes[i].gatewayId === "local") throw new AwsError("InvalidParameterValue", `cannot remove local route ${dest} in route table ${table.id}`);
    table.routes.splice(i, 1);
    return ok();
  },

  AssociateRouteTable(p, { world }) {
    const table = getRtb(world, required(p.RouteTableId, "RouteTableId"));
    const subnet = getSubnet(world, required(p.SubnetId, "SubnetId"));
    if (subnet.vpcId !== table.vpcId) throw new AwsError("InvalidParameterValue", `Route table ${table.id} and subnet ${subnet.id} belong to different networks`);
    const current = world.store.list("rtb").find((t) => t.associations.some((/** @type {any} */ a) => a.subnetId === subnet.id));
    if (current) {
      throw new AwsError("Resource.AlreadyAssociated", `the specified association for route table ${current.id} conflicts with an existing association`);
    }
    const assoc = { id: ec2Id("rtbassoc"), main: false, subnetId: subnet.id };
    table.associations.push(assoc);
    return { associationId: assoc.id, associationState: { state: "associated" } };
  },

  ReplaceRouteTableAssociation(p, { world }) {
    const id = required(p.AssociationId, "AssociationId");
    const target = getRtb(world, required(p.RouteTableId, "RouteTableId"));
    const current = world.store.list("rtb").find((t) => t.associations.some((/** @type {any} */ a) => a.id === id));
    if (!current) throw new AwsError("InvalidAssociationID.NotFound", `The association ID '${id}' does not exist`);
    const assoc = current.associations.find((/** @type {any} */ a) => a.id === id);
    if (target.vpcId !== current.vpcId) throw new AwsError("InvalidParameterValue", `Route table ${target.id} belongs to a different network`);
    current.associations = current.associations.filter((/** @type {any} */ a) => a.id !== id);
    const moved = { id: ec2Id("rtbassoc"), main: assoc.main, subnetId: assoc.subnetId };
    target.associations.push(moved);
    if (assoc.main) {
      current.main = false;
      target.main = true;
    }
    return { newAssociationId: moved.id, associationState: { state: "associated" } };
  },

  DisassociateRouteTable(p, { world }) {
    const id = required(p.AssociationId, "AssociationId");
    const table = world.store.list("rtb").find((t) => t.associations.some((/** @type {any} */ a) => a.id === id && !a.main));
    if (!table) throw new AwsError("InvalidAssociationID.NotFound", `The association ID '${id}' does not exist`);
    table.associations = table.associations.filter((/** @type {any} */ a) => a.id !== id);
    return ok();
  },

  DeleteRouteTable(p, { world }) {
    const table = getRtb(world, required(p.RouteTableId, "RouteTableId"));
    if (table.main || table.associations.length) {
      throw new AwsError("DependencyViolation", `The routeTable '${table.id}' has dependencies and cannot be deleted.`);
    }
    world.store.remove("rtb", table.id);
    return ok();
  },
};
