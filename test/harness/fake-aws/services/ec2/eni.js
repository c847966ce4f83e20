// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id, hex } from "../../core/ids.js";
import { intToIp, parseCidr } from "../../core/cidr.js";
import { describe, notFound, ok, required, tagSet } from "./common.js";

/**
 * Network interfaces. Instances, NAT gateways and load balancers each get one in their
 * subnet; they are what keeps a subnet (and so its VPC) from being deleted, as on AWS.
 */

/** @typedef {import("../../core/world.js").World} World */

/** The next free address of a subnet (AWS keeps the first four and the last). @param {World} world @param {any} subnet */
function allocateIp(world, subnet) {
  const c = /** @type {{base: number, size: number}} */ (parseCidr(subnet.cidrBlock));
  const used = new Set(world.store.list("eni").filter((e) => e.subnetId === subnet.id).map((e) => e.subnetIp));
  for (let i = 4; i < c.size - 1; i++) {
    const ip = intToIp(c.base + i);
    if (!used.has(ip)) return ip;
  }
  throw new AwsError("InsufficientFreeAddressesInSubnet", `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`);
}

/**
 * @param {World} world
 * @param {{ subnet: any, description: string, interfaceType: string, groups?: string[], instanceId?: string,
 *           requesterManaged?: boolean, privateIp?: string }} spec
 */
export function createEni(world, spec) {
  const id = ec2Id("eni");
  const subnetIp = allocateIp(world, spec.subnet);
  return world.store.put("eni", id, {
    id,
    subnetId: spec.subnet.id,
    vpcId: spec.subnet.vpcId,
    availabilityZone: spec.subnet.availabilityZone,
    description: spec.description,
    interfaceType: spec.interfaceType,
    requesterManaged: spec.requesterManaged ?? false,
    groups: spec.groups ?? [],
    subnetIp,
    privateIp: spec.privateIp ?? subnetIp,
    macAddress: `0a:${hex(5).match(/../g)?.join(":")}`,
    instanceId: spec.instanceId,
    attachmentId: spec.instanceId ? ec2Id("eni-attach") : undefined,
    publicIp: undefined,
    allocationId: undefined,
    associationId: undefined,
  });
}

/** @param {World} world @param {any} e */
function renderEni(world, e) {
  const groups = e.groups.map((/** @type {string} */ g) => ({ groupId: g, groupName: world.store.get("sg", g)?.groupName }));
  return {
    networkInterfaceId: e.id,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    availabilityZone: e.availabilityZone,
    description: e.description,
    ownerId: world.account,
    requesterManaged: e.requesterManaged,
    status: e.instanceId || e.requesterManaged ? "in-use" : "available",
    macAddress: e.macAddress,
    privateIpAddress: e.privateIp,
    privateDnsName: `ip-${e.privateIp.replaceAll(".", "-")}.${world.region}.compute.internal`,
    sourceDestCheck: true,
    interfaceType: e.interfaceType,
    groupSet: groups,
    attachment: e.instanceId
      ? { attachmentId: e.attachmentId, instanceId: e.instanceId, instanceOwnerId: world.account, deviceIndex: 0, status: "attached", deleteOnTermination: true }
      : undefined,
    association: e.publicIp ? { publicIp: e.publicIp, ipOwnerId: "amazon", allocationId: e.allocationId, associationId: e.associationId } : undefined,
    privateIpAddressesSet: [{ privateIpAddress: e.privateIp, primary: true }],
    tagSet: tagSet(world, e.id),
  };
}

/** @type {import("../../core/filters.js").FilterFields} */
const fields = {
  "network-interface-id": (e) => e.id,
  "subnet-id": (e) => e.subnetId,
  "vpc-id": (e) => e.vpcId,
  "availability-zone": (e) => e.availabilityZone,
  description: (e) => e.description,
  "interface-type": (e) => e.interfaceType,
  "requester-managed": (e) => String(e.requesterManaged),
  status: (e) => (e.instanceId || e.requesterManaged ? "in-use" : "available"),
  "attachment.instance-id": (e) => e.instanceId,
  "group-id": (e) => e.groups,
  "private-ip-address": (e) => e.privateIp,
  "addresses.private-ip-address": (e) => e.privateIp,
};

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  DescribeNetworkInterfaces(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "eni",
      idParam: "NetworkInterfaceId",
      missing: (id) => notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface ID", id),
      fields,
      paged: true,
    });
    return { networkInterfaceSet: items.map((e) => renderEni(world, e)), nextToken: next };
  },

  DeleteNetworkInterface(p, { world }) {
    const id = required(p.NetworkInterfaceId, "NetworkInterfaceId");
    const e = world.store.get("eni", id);
    if (!e) throw notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface ID", id);
    if (e.requesterManaged) throw new AwsError("OperationNotPermitted", `You do not have permission to access the specified resource.`);
    if (e.instanceId) throw new AwsError("InvalidNetworkInterface.InUse", `The network interface at device index 0 and networkCard index 0 cannot be detached.`);
    world.store.remove("eni", id);
    return ok();
  },
};
