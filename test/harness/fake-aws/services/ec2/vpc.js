// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { contains, overlaps, parseCidr } from "../../core/cidr.js";
import { bool } from "../../core/form.js";
import { checkSpecTypes, describe, notFound, ok, required, tagOnCreate, tagSet } from "./common.js";
import { createDefaultSecurityGroup } from "./security-groups.js";
import { createMainRouteTable } from "./route-tables.js";
import { zoneNames, zoneId } from "./catalogue.js";

/** VPCs and subnets. No default VPC exists: kx must create its own network. */

/** @typedef {import("../../core/world.js").World} World */

/** @param {World} world @param {string} id */
export function getVpc(world, id) {
  const v = world.store.get("vpc", id);
  if (!v) throw notFound("InvalidVpcID.NotFound", "vpc ID", id);
  return v;
}

/** @param {World} world @param {string} id */
export function getSubnet(world, id) {
  const s = world.store.get("subnet", id);
  if (!s) throw notFound("InvalidSubnetID.NotFound", "subnet ID", id);
  return s;
}

/** @param {string} cidr */
function validCidr(cidr) {
  const c = parseCidr(cidr);
  if (!c) throw new AwsError("InvalidParameterValue", `Value (${cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  return c;
}

/** @param {World} world @param {any} v */
function renderVpc(world, v) {
  return {
    vpcId: v.id,
    ownerId: world.account,
    state: v.state,
    cidrBlock: v.cidrBlock,
    cidrBlockAssociationSet: [{ cidrBlock: v.cidrBlock, associationId: v.cidrAssociationId, cidrBlockState: { state: "associated" } }],
    dhcpOptionsId: v.dhcpOptionsId,
    instanceTenancy: "default",
    isDefault: false,
    tagSet: tagSet(world, v.id),
  };
}

/** @param {World} world @param {any} s */
function renderSubnet(world, s) {
  const c = /** @type {{size: number}} */ (parseCidr(s.cidrBlock));
  const used = world.store.list("eni").filter((e) => e.subnetId === s.id).length;
  return {
    subnetId: s.id,
    subnetArn: world.arn("ec2", `subnet/${s.id}`),
    state: s.state,
    vpcId: s.vpcId,
    ownerId: world.account,
    cidrBlock: s.cidrBlock,
    availableIpAddressCount: c.size - 5 - used,
    availabilityZone: s.availabilityZone,
    availabilityZoneId: zoneId(world, s.availabilityZone),
    defaultForAz: false,
    mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: [],
    tagSet: tagSet(world, s.id),
  };
}

/** @type {import("../../core/filters.js").FilterFields} */
const vpcFields = {
  "vpc-id": (v) => v.id,
  cidr: (v) => v.cidrBlock,
  "cidr-block-association.cidr-block": (v) => v.cidrBlock,
  state: (v) => v.state,
  "is-default": () => "false",
  "dhcp-options-id": (v) => v.dhcpOptionsId,
};

/** @type {import("../../core/filters.js").FilterFields} */
const subnetFields = {
  "subnet-id": (s) => s.id,
  "vpc-id": (s) => s.vpcId,
  "availability-zone": (s) => s.availabilityZone,
  availabilityZone: (s) => s.availabilityZone,
  "cidr-block": (s) => s.cidrBlock,
  cidr: (s) => s.cidrBlock,
  cidrBlock: (s) => s.cidrBlock,
  state: (s) => s.state,
  "map-public-ip-on-launch": (s) => String(s.mapPublicIpOnLaunch),
  "default-for-az": () => "false",
};

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  CreateVpc(p, { world }) {
    const cidr = required(p.CidrBlock, "CidrBlock");
    const c = validCidr(cidr);
    if (c.prefix < 16 || c.prefix > 28) throw new AwsError("InvalidVpc.Range", `The CIDR '${cidr}' is invalid.`);
    checkSpecTypes(p, ["vpc"]);
    const id = ec2Id("vpc");
    const vpc = world.store.put("vpc", id, {
      id,
      cidrBlock: cidr,
      cidrAssociationId: ec2Id("vpc-cidr-assoc"),
      state: "pending",
      dhcpOptionsId: "dopt-0a1b2c3d4e5f60718",
      enableDnsSupport: true,
      enableDnsHostnames: false,
    });
    tagOnCreate(world, id, p, "vpc");
    createDefaultSecurityGroup(world, id);
    createMainRouteTable(world, vpc);
    world.after("vpc", () => {
      if (world.store.get("vpc", id)) vpc.state = "available";
    });
    return { vpc: renderVpc(world, vpc) };
  },

  DescribeVpcs(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "vpc",
      idParam: "VpcId",
      missing: (id) => notFound("InvalidVpcID.NotFound", "vpc ID", id),
      fields: vpcFields,
      paged: true,
    });
    return { vpcSet: items.map((v) => renderVpc(world, v)), nextToken: next };
  },

  ModifyVpcAttribute(p, { world }) {
    const vpc = getVpc(world, required(p.VpcId, "VpcId"));
    const hostnames = bool(p.EnableDnsHostnames);
    const support = bool(p.EnableDnsSupport);
    if ((hostnames === undefined) === (support === undefined)) {
      throw new AwsError("InvalidParameterCombination", "Exactly one attribute must be specified per request.");
    }
    if (hostnames !== undefined) {
      if (hostnames && !vpc.enableDnsSupport) throw new AwsError("InvalidParameterValue", "Cannot enable DNS hostnames when DNS support is disabled.");
      vpc.enableDnsHostnames = hostnames;
    }
    if (support !== undefined) vpc.enableDnsSupport = support;
    return ok();
  },

  DescribeVpcAttribute(p, { world }) {
    const vpc = getVpc(world, required(p.VpcId, "VpcId"));
    const attr = required(p.Attribute, "Attribute");
    if (attr === "enableDnsHostnames") return { vpcId: vpc.id, enableDnsHostnames: { value: vpc.enableDnsHostnames } };
    if (attr === "enableDnsSupport") return { vpcId: vpc.id, enableDnsSupport: { value: vpc.enableDnsSupport } };
    throw new AwsError("InvalidParameterValue", `Value (${attr}) for parameter attribute is invalid. Unknown attribute.`);
  },

  DeleteVpc(p, { world }) {
    const id = required(p.VpcId, "VpcId");
    getVpc(world, id);
    const s = world.store;
    const blocking =
      s.list("subnet").some((x) => x.vpcId === id) ||
      s.list("igw").some((x) => x.vpcId === id) ||
      s.list("sg").some((x) => x.vpcId === id && x.groupName !== "default") ||
      s.list("rtb").some((x) => x.vpcId === id && !x.main) ||
      s.list("eni").some((x) => x.vpcId === id);
    if (blocking) throw new AwsError("DependencyViolation", `The vpc '${id}' has dependencies and cannot be deleted.`);
    for (const sg of s.list("sg").filter((x) => x.vpcId === id)) s.remove("sg", sg.id);
    for (const rt of s.list("rtb").filter((x) => x.vpcId === id)) s.remove("rtb", rt.id);
    s.remove("vpc", id);
    return ok();
  },

  CreateSubnet(p, { world }) {
    const vpc = getVpc(world, required(p.VpcId, "VpcId"));
    const cidr = required(p.CidrBlock, "CidrBlock");
    const c = validCidr(cidr);
    const vc = /** @type {{base: number, size: number}} */ (parseCidr(vpc.cidrBlock));
    if (c.prefix < 16 || c.prefix > 28 || !contains(vc, c)) throw new AwsError("InvalidSubnet.Range", `The CIDR '${cidr}' is invalid.`);
    for (const other of world.store.list("subnet").filter((x) => x.vpcId === vpc.id)) {
      const oc = /** @type {{base: number, size: number}} */ (parseCidr(other.cidrBlock));
      if (overlaps(c, oc)) throw new AwsError("InvalidSubnet.Conflict", `The CIDR '${cidr}' conflicts with another subnet`);
    }
    const zones = zoneNames(world);
    const az = p.AvailabilityZone ? String(p.AvailabilityZone) : zones[0];
    if (!zones.includes(az)) {
      throw new AwsError(
        "InvalidParameterValue",
        `Value (${az}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.join(", ")}.`,
      );
    }
    checkSpecTypes(p, ["subnet"]);
    const id = ec2Id("subnet");
    const subnet = world.store.put("subnet", id, { id, vpcId: vpc.id, cidrBlock: cidr, availabilityZone: az, state: "pending", mapPublicIpOnLaunch: false });
    tagOnCreate(world, id, p, "subnet");
    world.after("subnet", () => {
      subnet.state = "available";
    });
    return { subnet: renderSubnet(world, subnet) };
  },

  DescribeSubnets(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "subnet",
      idParam: "SubnetId",
      missing: (id) => notFound("InvalidSubnetID.NotFound", "subnet ID", id),
      fields: subnetFields,
      paged: true,
    });
    return { subnetSet: items.map((s) => renderSubnet(world, s)), nextToken: next };
  },

  ModifySubnetAttribute(p, { world }) {
    const subnet = getSubnet(world, required(p.SubnetId, "SubnetId"));
    const map = bool(p.MapPublicIpOnLaunch);
    if (map === undefined) throw new AwsError("InvalidParameterCombination", "Exactly one attribute must be specified per request.");
    subnet.mapPublicIpOnLaunch = map;
    return ok();
  },

  DeleteSubnet(p, { world }) {
    const id = required(p.SubnetId, "SubnetId");
    getSubnet(world, id);
    if (world.store.list("eni").some((e) => e.subnetId === id)) {
      throw new AwsError("DependencyViolation", `The subnet '${id}' has dependencies and cannot be deleted.`);
    }
    for (const rt of world.store.list("rtb")) rt.associations = rt.associations.filter((/** @type {any} */ a) => a.subnetId !== id);
    world.store.remove("subnet", id);
    return ok();
  },
};
