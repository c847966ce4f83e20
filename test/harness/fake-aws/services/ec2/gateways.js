// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { checkSpecTypes, describe, notFound, ok, required, tagOnCreate, tagSet, withClientToken } from "./common.js";
import { getSubnet, getVpc } from "./vpc.js";
import { createEni } from "./eni.js";

/** Internet gateways, Elastic IPs and NAT gateways. */

/** @typedef {import("../../core/world.js").World} World */

/** @param {World} world @param {string} id */
function getIgw(world, id) {
  const g = world.store.get("igw", id);
  if (!g) throw notFound("InvalidInternetGatewayID.NotFound", "internetGateway ID", id);
  return g;
}

/** @param {World} world @param {string} id */
function getEip(world, id) {
  const a = world.store.get("eip", id);
  if (!a) throw new AwsError("InvalidAllocationID.NotFound", `The allocation ID '${id}' does not exist`);
  return a;
}

/** @param {World} world @param {any} g */
const renderIgw = (world, g) => ({
  internetGatewayId: g.id,
  ownerId: world.account,
  attachmentSet: g.vpcId ? [{ vpcId: g.vpcId, state: "available" }] : [],
  tagSet: tagSet(world, g.id),
});

/** @param {World} world @param {any} a */
const renderEip = (world, a) => ({
  publicIp: a.publicIp,
  allocationId: a.id,
  domain: "vpc",
  publicIpv4Pool: "amazon",
  networkBorderGroup: world.region,
  associationId: a.associationId,
  networkInterfaceId: a.networkInterfaceId,
  networkInterfaceOwnerId: a.networkInterfaceId ? world.account : undefined,
  privateIpAddress: a.privateIp,
  instanceId: a.instanceId,
  tagSet: tagSet(world, a.id),
});

/** @param {World} world @param {any} n */
function renderNat(world, n) {
  const eip = world.store.get("eip", n.allocationId);
  return {
    natGatewayId: n.id,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    state: n.state,
    connectivityType: "public",
    createTime: n.createTime,
    deleteTime: n.deleteTime,
    natGatewayAddressSet: [
      {
        allocationId: n.allocationId,
        networkInterfaceId: n.eniId,
        privateIp: n.privateIp,
        publicIp: eip?.publicIp ?? n.publicIp,
        associationId: n.associationId,
        isPrimary: true,
        status: n.state === "deleted" ? "succeeded" : n.state === "available" ? "succeeded" : n.state === "deleting" ? "disassociating" : "associating",
      },
    ],
    tagSet: tagSet(world, n.id),
  };
}

/** Any public address mapped in the VPC keeps its internet gateway attached. @param {World} world @param {string} vpcId */
function hasMappedPublicAddress(world, vpcId) {
  return world.store.list("eni").some((e) => e.vpcId === vpcId && e.publicIp);
}

let nextPublic = 1;
/** A public address from 198.51.100.0/24 (TEST-NET-2), unique within a run. */
function publicAddress() {
  const n = nextPublic++;
  return `198.51.${100 + Math.floor(n / 254)}.${(n % 254) + 1}`;
}

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  CreateInternetGateway(p, { world }) {
    checkSpecTypes(p, ["internet-gateway"]);
    const id = ec2Id("igw");
    const g = world.store.put("igw", id, { id, vpcId: undefined });
    tagOnCreate(world, id, p, "internet-gateway");
    return { internetGateway: renderIgw(world, g) };
  },

  AttachInternetGateway(p, { world }) {
    const g = getIgw(world, required(p.InternetGatewayId, "InternetGatewayId"));
    const vpc = getVpc(world, required(p.VpcId, "VpcId"));
    if (g.vpcId) throw new AwsError("Resource.AlreadyAssociated", `resource ${g.id} is already attached to network ${g.vpcId}`);
    const other = world.store.list("igw").find((x) => x.vpcId === vpc.id);
    if (other) throw new AwsError("Resource.AlreadyAssociated", `Network ${vpc.id} already has an internet gateway attached`);
    g.vpcId = vpc.id;
    return ok();
  },

  DetachInternetGateway(p, { world }) {
    const g = getIgw(world, required(p.InternetGatewayId, "InternetGatewayId"));
    const vpcId = required(p.VpcId, "VpcId");
    if (g.vpcId !== vpcId) throw new AwsError("Gateway.NotAttached", `resource ${g.id} is not attached to network ${vpcId}`);
    if (hasMappedPublicAddress(world, vpcId)) {
      throw new AwsError("DependencyViolation", `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
    }
    g.vpcId = undefined;
    return ok();
  },

  DescribeInternetGateways(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "igw",
      idParam: "InternetGatewayId",
      missing: (id) => notFound("InvalidInternetGatewayID.NotFound", "internetGateway ID", id),
      fields: {
        "internet-gateway-id": (g) => g.id,
        "attachment.vpc-id": (g) => g.vpcId,
        "attachment.state": (g) => (g.vpcId ? "available" : undefined),
        "owner-id": () => world.account,
      },
      paged: true,
    });
    return { internetGatewaySet: items.map((g) => renderIgw(world, g)), nextToken: next };
  },

  DeleteInternetGateway(p, { world }) {
    const g = getIgw(world, required(p.InternetGatewayId, "InternetGatewayId"));
    if (g.vpcId) throw new AwsError("DependencyViolation", `The internetGateway '${g.id}' has dependencies and cannot be deleted.`);
    world.store.remove("igw", g.id);
    return ok();
  },

  AllocateAddress(p, { world }) {
    if (p.Domain && p.Domain !== "vpc") throw new AwsError("InvalidParameterValue", `Value (${p.Domain}) for parameter domain is invalid.`);
    checkSpecTypes(p, ["elastic-ip"]);
    const id = ec2Id("eipalloc");
    const a = world.store.put("eip", id, { id, publicIp: publicAddress() });
    tagOnCreate(world, id, p, "elastic-ip");
    return { publicIp: a.publicIp, allocationId: id, domain: "vpc", publicIpv4Pool: "amazon", networkBorderGroup: world.region };
  },

  DescribeAddresses(p, { world }) {
    const ips = Object.values(p.PublicIp ?? {}).map(String);
    const { items } = describe(world, p, {
      type: "eip",
      idParam: "AllocationId",
      missing: (id) => new AwsError("InvalidAllocationID.NotFound", `The allocation ID '${id}' does not exist`),
      fields: {
        "allocation-id": (a) => a.id,
        "association-id": (a) => a.associationId,
        domain: () => "vpc",
        "public-ip": (a) => a.publicIp,
        "network-interface-id": (a) => a.networkInterfaceId,
        "instance-id": (a) => a.instanceId,
        "private-ip-address": (a) => a.privateIp,
      },
    });
    for (const ip of ips) {
      if (!items.some((a) => a.publicIp === ip)) throw new AwsError("InvalidAddress.NotFound", `Address '${ip}' not found.`);
    }
    return { addressesSet: items.filter((a) => !ips.length || ips.includes(a.publicIp)).map((a) => renderEip(world, a)) };
  },

  ReleaseAddress(p, { world }) {
    const a = getEip(world, required(p.AllocationId, "AllocationId"));
    if (a.associationId) throw new AwsError("InvalidIPAddress.InUse", `Address ${a.publicIp} is in use.`);
    world.store.remove("eip", a.id);
    return ok();
  },

  CreateNatGateway(p, { world }) {
    const { id } = withClientToken(world, "CreateNatGateway", p, () => {
      const subnet = getSubnet(world, required(p.SubnetId, "SubnetId"));
      if (p.ConnectivityType && p.ConnectivityType !== "public") {
        throw new AwsError("InvalidParameterValue", "Only public NAT gateways are modelled by the fake");
      }
      const eip = getEip(world, required(p.AllocationId, "AllocationId"));
      if (eip.associationId) throw new AwsError("Resource.AlreadyAssociated", `Elastic IP address [${eip.id}] is already associated`);
      checkSpecTypes(p, ["natgateway"]);
      const natId = ec2Id("nat");
      const eni = createEni(world, { subnet, description: `Interface for NAT Gateway ${natId}`, interfaceType: "nat_gateway", requesterManaged: true });
      eni.publicIp = eip.publicIp;
      eni.allocationId = eip.id;
      eni.associationId = ec2Id("eipassoc");
      Object.assign(eip, { associationId: eni.associationId, networkInterfaceId: eni.id, privateIp: eni.privateIp });
      const nat = world.store.put("nat", natId, {
        id: natId,
        subnetId: subnet.id,
        vpcId: subnet.vpcId,
        allocationId: eip.id,
        associationId: eni.associationId,
        publicIp: eip.publicIp,
        privateIp: eni.privateIp,
        eniId: eni.id,
        state: "pending",
        createTime: new Date(),
        deleteTime: undefined,
        clientToken: p.ClientToken,
      });
      tagOnCreate(world, natId, p, "natgateway");
      world.after("natAvailable", () => {
        if (nat.state === "pending") nat.state = "available";
      });
      return natId;
    });
    const nat = world.store.get("nat", id);
    if (!nat) throw new AwsError("NatGatewayNotFound", `The Nat Gateway ${id} was not found`);
    return { clientToken: p.ClientToken, natGateway: renderNat(world, nat) };
  },

  DescribeNatGateways(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "nat",
      idParam: "NatGatewayId",
      missing: (id) => new AwsError("NatGatewayNotFound", `The Nat Gateway ${id} was not found`),
      fields: {
        "nat-gateway-id": (n) => n.id,
        state: (n) => n.state,
        "subnet-id": (n) => n.subnetId,
        "vpc-id": (n) => n.vpcId,
      },
      paged: true,
    });
    return { natGatewaySet: items.map((n) => renderNat(world, n)), nextToken: next };
  },

  DeleteNatGateway(p, { world }) {
    const id = required(p.NatGatewayId, "NatGatewayId");
    const nat = world.store.get("nat", id);
    if (!nat) throw new AwsError("NatGatewayNotFound", `The Nat Gateway ${id} was not found`);
    if (nat.state === "deleted" || nat.state === "deleting") return { natGatewayId: id };
    nat.state = "deleting";
    world.after("natDeleted", () => {
      nat.state = "deleted";
      nat.deleteTime = new Date();
      world.store.remove("eni", nat.eniId);
      const eip = world.store.get("eip", nat.allocationId);
      if (eip) Object.assign(eip, { associationId: undefined, networkInterfaceId: undefined, privateIp: undefined });
      world.afterLinger(() => world.store.remove("nat", id));
    });
    return { natGatewayId: id };
  },
};
