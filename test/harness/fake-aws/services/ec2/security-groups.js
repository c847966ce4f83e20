// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { list } from "../../core/form.js";
import { ec2Filters, matchesFilters } from "../../core/filters.js";
import { paginate } from "../../core/paginate.js";
import { checkSpecTypes, describe, ok, required, specTags, tagOnCreate, tagSet } from "./common.js";
import { getVpc } from "./vpc.js";

/**
 * Security groups kept as individual rules (each with its sgr- id), rendered back as
 * IpPermissions grouped by protocol and ports, as DescribeSecurityGroups shows them.
 */

/** @typedef {import("../../core/world.js").World} World */
/** @typedef {{ id: string, groupId: string, isEgress: boolean, ipProtocol: string, fromPort?: number, toPort?: number, cidrIpv4?: string, refGroupId?: string, description?: string }} Rule */

const PROTOCOLS = /** @type {Record<string, string>} */ ({ tcp: "tcp", "6": "tcp", udp: "udp", "17": "udp", icmp: "icmp", "1": "icmp", "-1": "-1", all: "-1" });

/** @param {World} world @param {string} vpcId */
export function createDefaultSecurityGroup(world, vpcId) {
  const id = ec2Id("sg");
  const sg = world.store.put("sg", id, { id, vpcId, groupName: "default", description: "default VPC security group", rules: /** @type {Rule[]} */ ([]) });
  sg.rules.push({ id: ec2Id("sgr"), groupId: id, isEgress: false, ipProtocol: "-1", refGroupId: id });
  sg.rules.push({ id: ec2Id("sgr"), groupId: id, isEgress: true, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
  return sg;
}

/** @param {World} world @param {string} id */
export function getSecurityGroup(world, id) {
  const g = world.store.get("sg", id);
  if (!g) throw new AwsError("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
  return g;
}

/** @param {Rule} r */
const ruleKey = (r) => `${r.isEgress}|${r.ipProtocol}|${r.fromPort}|${r.toPort}|${r.cidrIpv4 ?? ""}|${r.refGroupId ?? ""}`;

/** @param {Rule} r */
function describeRule(r) {
  const peer = r.cidrIpv4 ?? r.refGroupId;
  const proto = r.ipProtocol === "-1" ? "ALL" : r.ipProtocol.toUpperCase();
  return `peer: ${peer}, ${proto}, from port: ${r.fromPort ?? "-1"}, to port: ${r.toPort ?? "-1"}, ALLOW`;
}

/**
 * IpPermissions.N (or the legacy flat CidrIp/IpProtocol/FromPort/ToPort) to rules.
 * @param {World} world @param {any} p @param {any} sg @param {boolean} isEgress @returns {Rule[]}
 */
function decodePermissions(world, p, sg, isEgress) {
  const perms = list(p.IpPermissions);
  if (!perms.length && p.IpProtocol) perms.push({ IpProtocol: p.IpProtocol, FromPort: p.FromPort, ToPort: p.ToPort, IpRanges: p.CidrIp ? { 1: { CidrIp: p.CidrIp } } : undefined });
  if (!perms.length) throw new AwsError("MissingParameter", "The request must contain the parameter ipPermissions");
  /** @type {Rule[]} */
  const rules = [];
  for (const perm of perms) {
    const proto = PROTOCOLS[String(perm.IpProtocol).toLowerCase()];
    if (!proto) throw new AwsError("InvalidParameterValue", `Invalid value '${perm.IpProtocol}' for IP protocol. Unknown protocol.`);
    const ports = proto === "-1" ? {} : { fromPort: Number(perm.FromPort), toPort: Number(perm.ToPort) };
    if (proto === "tcp" || proto === "udp") {
      if (!Number.isInteger(ports.fromPort) || !Number.isInteger(ports.toPort) || Number(ports.fromPort) > Number(ports.toPort) || Number(ports.toPort) > 65535 || Number(ports.fromPort) < 0) {
        throw new AwsError("InvalidParameterValue", `Invalid TCP/UDP port range ${perm.FromPort}-${perm.ToPort}`);
      }
    }
    const base = { groupId: sg.id, isEgress, ipProtocol: proto, ...ports };
    for (const range of list(perm.IpRanges)) {
      const cidr = String(range.CidrIp);
      if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr)) throw new AwsError("InvalidParameterValue", `CIDR block ${cidr} is malformed`);
      rules.push({ id: "", ...base, cidrIpv4: cidr, description: range.Description });
    }
    for (const pair of list(perm.Groups)) {
      const ref = String(pair.GroupId ?? "");
      const other = world.store.get("sg", ref);
      if (!other) throw new AwsError("InvalidGroup.NotFound", `The security group '${ref}' does not exist`);
      if (other.vpcId !== sg.vpcId) throw new AwsError("InvalidGroup.NotFound", `You have specified two resources that belong to different networks.`);
      rules.push({ id: "", ...base, refGroupId: ref, description: pair.Description });
    }
    if (!list(perm.IpRanges).length && !list(perm.Groups).length) {
      throw new AwsError("InvalidParameterValue", "The request must specify a source: an IP range or a security group");
    }
  }
  return rules;
}

/** @param {World} world @param {Rule} r */
function renderRule(world, r) {
  return {
    securityGroupRuleId: r.id,
    groupId: r.groupId,
    groupOwnerId: world.account,
    isEgress: r.isEgress,
    ipProtocol: r.ipProtocol,
    fromPort: r.fromPort ?? -1,
    toPort: r.toPort ?? -1,
    cidrIpv4: r.cidrIpv4,
    referencedGroupInfo: r.refGroupId ? { groupId: r.refGroupId, userId: world.account } : undefined,
    description: r.description,
    tagSet: tagSet(world, r.id),
    securityGroupRuleArn: world.arn("ec2", `security-group-rule/${r.id}`),
  };
}

/** Group rules into IpPermissions by protocol and port range. @param {World} world @param {Rule[]} rules */
function permissions(world, rules) {
  /** @type {Map<string, any>} */
  const byKey = new Map();
  for (const r of rules) {
    const k = `${r.ipProtocol}|${r.fromPort}|${r.toPort}`;
    let perm = byKey.get(k);
    if (!perm) {
      perm = { ipProtocol: r.ipProtocol, fromPort: r.fromPort, toPort: r.toPort, groups: [], ipRanges: [], ipv6Ranges: [], prefixListIds: [] };
      byKey.set(k, perm);
    }
    if (r.cidrIpv4) perm.ipRanges.push({ cidrIp: r.cidrIpv4, description: r.description });
    if (r.refGroupId) perm.groups.push({ groupId: r.refGroupId, userId: world.account, description: r.description });
  }
  return [...byKey.values()];
}

/** @param {World} world @param {any} g */
function renderGroup(world, g) {
  return {
    ownerId: world.account,
    groupId: g.id,
    groupName: g.groupName,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: world.arn("ec2", `security-group/${g.id}`),
    ipPermissions: permissions(world, g.rules.filter((/** @type {Rule} */ r) => !r.isEgress)),
    ipPermissionsEgress: permissions(world, g.rules.filter((/** @type {Rule} */ r) => r.isEgress)),
    tagSet: tagSet(world, g.id),
  };
}

/** @param {boolean} isEgress */
function authorize(isEgress) {
  /** @param {any} p @param {import("../../core/server.js").HandlerContext} ctx */
  return (p, { world }) => {
    const sg = getSecurityGroup(world, required(p.GroupId, "GroupId"));
    const wanted = decodePermissions(world, p, sg, isEgress);
    const existing = new Set(sg.rules.map(ruleKey));
    for (const r of wanted) {
      if (existing.has(ruleKey(r))) throw new AwsError("InvalidPermission.Duplicate", `the specified rule "${describeRule(r)}" already exists`);
    }
    checkSpecTypes(p, ["security-group-rule"]);
    for (const r of wanted) {
      r.id = ec2Id("sgr");
      sg.rules.push(r);
      world.store.addTags(r.id, specTags(p, "security-group-rule"));
    }
    return { return: true, securityGroupRuleSet: wanted.map((r) => renderRule(world, r)) };
  };
}

/** @param {boolean} isEgress */
function revoke(isEgress) {
  /** @param {any} p @param {import("../../core/server.js").HandlerContext} ctx */
  return (p, { world }) => {
    const sg = getSecurityGroup(world, required(p.GroupId, "GroupId"));
    const ruleIds = list(p.SecurityGroupRuleId).map(String);
    /** @type {Rule[]} */
    let doomed;
    if (ruleIds.length) {
      doomed = sg.rules.filter((/** @type {Rule} */ r) => ruleIds.includes(r.id) && r.isEgress === isEgress);
      if (doomed.length !== ruleIds.length) throw new AwsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${ruleIds.find((id) => !doomed.some((r) => r.id === id))}' does not exist`);
    } else {
      const keys = new Set(decodePermissions(world, p, sg, isEgress).map(ruleKey));
      doomed = sg.rules.filter((/** @type {Rule} */ r) => keys.has(ruleKey(r)));
      if (doomed.length !== keys.size) throw new AwsError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
    }
    sg.rules = sg.rules.filter((/** @type {Rule} */ r) => !doomed.includes(r));
    for (const r of doomed) world.store.tagMap.delete(r.id);
    return { return: true };
  };
}

/** @type {import("../../core/filters.js").FilterFields} */
const fields = {
  "group-id": (g) => g.id,
  "group-name": (g) => g.groupName,
  "vpc-id": (g) => g.vpcId,
  description: (g) => g.description,
  "ip-permission.group-id": (g) => g.rules.filter((/** @type {Rule} */ r) => !r.isEgress).map((/** @type {Rule} */ r) => r.refGroupId),
  "ip-permission.cidr": (g) => g.rules.filter((/** @type {Rule} */ r) => !r.isEgress).map((/** @type {Rule} */ r) => r.cidrIpv4),
  "egress.ip-permission.group-id": (g) => g.rules.filter((/** @type {Rule} */ r) => r.isEgress).map((/** @type {Rule} */ r) => r.refGroupId),
};

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  CreateSecurityGroup(p, { world }) {
    const name = required(p.GroupName, "GroupName");
    const description = required(p.GroupDescription, "GroupDescription");
    if (!p.VpcId) throw new AwsError("VPCIdNotSpecified", "No default VPC for this user");
    const vpc = getVpc(world, String(p.VpcId));
    if (/^sg-/i.test(name)) throw new AwsError("InvalidParameterValue", `Group names may not be in the format sg-*.`);
    if (name.length > 255 || description.length > 255) throw new AwsError("InvalidParameterValue", "Group name and description are limited to 255 characters");
    if (world.store.list("sg").some((g) => g.vpcId === vpc.id && g.groupName === name)) {
      throw new AwsError("InvalidGroup.Duplicate", `The security group '${name}' already exists for VPC '${vpc.id}'`);
    }
    checkSpecTypes(p, ["security-group"]);
    const id = ec2Id("sg");
    const sg = world.store.put("sg", id, { id, vpcId: vpc.id, groupName: name, description, rules: /** @type {Rule[]} */ ([]) });
    sg.rules.push({ id: ec2Id("sgr"), groupId: id, isEgress: true, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
    tagOnCreate(world, id, p, "security-group");
    return { return: true, groupId: id, securityGroupArn: world.arn("ec2", `security-group/${id}`), tagSet: tagSet(world, id) };
  },

  DescribeSecurityGroups(p, { world }) {
    const names = list(p.GroupName).map(String);
    if (names.length) throw new AwsError("InvalidGroup.NotFound", `The security group '${names[0]}' does not exist in default VPC`);
    const { items, next } = describe(world, p, {
      type: "sg",
      idParam: "GroupId",
      missing: (id) => new AwsError("InvalidGroup.NotFound", `The security group '${id}' does not exist`),
      fields,
      paged: true,
    });
    return { securityGroupInfo: items.map((g) => renderGroup(world, g)), nextToken: next };
  },

  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),

  DescribeSecurityGroupRules(p, { world }) {
    const ids = list(p.SecurityGroupRuleId).map(String);
    /** @type {Rule[]} */
    let rules = world.store.list("sg").flatMap((g) => g.rules);
    for (const id of ids) {
      if (!rules.some((r) => r.id === id)) throw new AwsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
    }
    if (ids.length) rules = rules.filter((r) => ids.includes(r.id));
    const filters = ec2Filters(p);
    rules = rules.filter((r) =>
      matchesFilters(filters, { "group-id": (x) => x.groupId, "security-group-rule-id": (x) => x.id }, r, world.store.tags(r.id)),
    );
    const { page, next } = paginate(rules, { max: p.MaxResults === undefined ? undefined : Number(p.MaxResults), token: p.NextToken, limits: [5, 1000] });
    return { securityGroupRuleSet: page.map((r) => renderRule(world, r)), nextToken: next };
  },

  DeleteSecurityGroup(p, { world }) {
    if (!p.GroupId && p.GroupName) throw new AwsError("InvalidGroup.NotFound", `The security group '${p.GroupName}' does not exist in default VPC`);
    const sg = getSecurityGroup(world, required(p.GroupId, "GroupId"));
    if (sg.groupName === "default") {
      throw new AwsError("CannotDelete", `the specified group: "${sg.id}" name: "default" cannot be deleted by a user`);
    }
    const referenced = world.store.list("sg").some((g) => g.id !== sg.id && g.rules.some((/** @type {Rule} */ r) => r.refGroupId === sg.id));
    const inUse = world.store.list("eni").some((e) => e.groups.includes(sg.id));
    if (referenced || inUse) throw new AwsError("DependencyViolation", `resource ${sg.id} has a dependent object`);
    world.store.remove("sg", sg.id);
    return ok();
  },
};

