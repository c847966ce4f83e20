/**
 * Reconciles a security group's rules with the wanted ones: missing rules are
 * authorized, extra ones revoked, so a rule someone added by hand does not survive
 * the next run. Rules are compared on protocol, ports and source; descriptions are
 * set but not compared.
 */
import type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { KxError } from "../../engine/errors.js";
import { awsCall, awsCallEventually, isAlreadyExists } from "../../aws/errors.js";
import { optionalOutput } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { TAG_CLUSTER, TAG_ID, tagValue } from "../../aws/tags.js";
import { sgRulesStepId, sgStepId, type SecurityGroupName } from "./ids.js";
import { referencedGroups, wantedRules, type RuleSpec } from "./sg-rules-wanted.js";

type Direction = "ingress" | "egress";

/** One rule as AWS holds it: a single source per rule. */
export interface FlatRule {
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr?: string;
  cidrV6?: string;
  groupId?: string;
  prefixListId?: string;
  description?: string;
}

export function ruleKey(r: FlatRule): string {
  const source = r.cidr ?? (r.cidrV6 && `v6:${r.cidrV6}`) ?? (r.groupId && `sg:${r.groupId}`) ?? `pl:${r.prefixListId}`;
  return `${r.protocol} ${r.fromPort}-${r.toPort} ${source}`;
}

/** Splits AWS's grouped IpPermissions into one rule per source. */
export function flattenPermissions(permissions: readonly IpPermission[] | undefined): FlatRule[] {
  return (permissions ?? []).flatMap((p) => {
    const base = { protocol: p.IpProtocol ?? "-1", fromPort: p.FromPort ?? -1, toPort: p.ToPort ?? -1 };
    return [
      ...(p.IpRanges ?? []).map((r) => ({ ...base, cidr: r.CidrIp, description: r.Description })),
      ...(p.Ipv6Ranges ?? []).map((r) => ({ ...base, cidrV6: r.CidrIpv6, description: r.Description })),
      ...(p.UserIdGroupPairs ?? []).map((g) => ({ ...base, groupId: g.GroupId, description: g.Description })),
      ...(p.PrefixListIds ?? []).map((l) => ({ ...base, prefixListId: l.PrefixListId, description: l.Description })),
    ];
  });
}

function toPermission(r: FlatRule): IpPermission {
  const ports = r.protocol === "-1" ? {} : { FromPort: r.fromPort, ToPort: r.toPort };
  const d = r.description ? { Description: r.description } : {};
  return {
    IpProtocol: r.protocol,
    ...ports,
    ...(r.cidr ? { IpRanges: [{ CidrIp: r.cidr, ...d }] } : {}),
    ...(r.cidrV6 ? { Ipv6Ranges: [{ CidrIpv6: r.cidrV6, ...d }] } : {}),
    ...(r.groupId ? { UserIdGroupPairs: [{ GroupId: r.groupId, ...d }] } : {}),
    ...(r.prefixListId ? { PrefixListIds: [{ PrefixListId: r.prefixListId, ...d }] } : {}),
  };
}

type GroupIds = Map<SecurityGroupName, string | undefined>;

/**
 * The groups' ids from their steps' outputs or, when planning without them (the state
 * was lost), found by their tags; undefined for a group that does not exist yet.
 */
async function groupIds(ctx: KxContext, names: readonly SecurityGroupName[]): Promise<GroupIds> {
  const ids: GroupIds = new Map(names.map((n) => [n, optionalOutput(ctx, sgStepId(n), "groupId")]));
  const unknown = names.filter((n) => ids.get(n) === undefined);
  if (unknown.length === 0 || !ctx.aws.live) return ids;
  const { client, sdk } = await ec2Api(ctx.aws);
  const out = await awsCall("ec2:DescribeSecurityGroups", unknown.map(sgStepId).join(", "), () =>
    client.send(
      new sdk.DescribeSecurityGroupsCommand({
        Filters: [
          { Name: `tag:${TAG_CLUSTER}`, Values: [ctx.cluster] },
          { Name: `tag:${TAG_ID}`, Values: unknown.map(sgStepId) },
        ],
      }),
    ),
  );
  for (const name of unknown) ids.set(name, out.SecurityGroups?.find((g) => tagValue(g.Tags, TAG_ID) === sgStepId(name))?.GroupId);
  return ids;
}

/** A wanted rule with its group resolved to an id; undefined id when that group does not exist yet. */
function resolve(spec: RuleSpec, ids: GroupIds): FlatRule & { peerName: string } {
  const base = { protocol: spec.protocol, fromPort: spec.fromPort, toPort: spec.toPort, description: spec.description };
  if ("cidr" in spec.peer) return { ...base, cidr: spec.peer.cidr, peerName: spec.peer.cidr };
  return { ...base, groupId: ids.get(spec.peer.group), peerName: `sg ${spec.peer.group}` };
}

const isResolved = (r: FlatRule) => r.cidr !== undefined || r.groupId !== undefined;

interface RuleDiff {
  direction: Direction;
  missing: (FlatRule & { peerName: string })[];
  extra: FlatRule[];
}

function diffRules(ctx: KxContext, name: SecurityGroupName, sg: SecurityGroup | undefined, ids: GroupIds): RuleDiff[] {
  const wanted = wantedRules(ctx.config, name);
  return (["ingress", "egress"] as const).map((direction) => {
    const want = wanted[direction].map((spec) => resolve(spec, ids));
    const have = flattenPermissions(direction === "ingress" ? sg?.IpPermissions : sg?.IpPermissionsEgress);
    const haveKeys = new Set(have.map(ruleKey));
    const wantKeys = new Set(want.filter(isResolved).map(ruleKey));
    return {
      direction,
      missing: want.filter((w) => !isResolved(w) || !haveKeys.has(ruleKey(w))),
      extra: have.filter((h) => !wantKeys.has(ruleKey(h))),
    };
  });
}

function describeRule(r: FlatRule & { peerName?: string }, direction: Direction): string {
  const ports = r.protocol === "-1" ? "all traffic" : r.protocol === "icmp" ? `icmp type ${r.fromPort}` : `${r.protocol} ${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`}`;
  const peer = r.peerName ?? r.cidr ?? r.cidrV6 ?? r.groupId ?? r.prefixListId;
  return `${direction} ${ports} ${direction === "ingress" ? "from" : "to"} ${peer}`;
}

/**
 * Authorizes the rules in one call; when AWS says one already exists (a describe that
 * lagged behind an earlier run's authorize), one by one, skipping the duplicates.
 */
async function authorize(ctx: KxContext, GroupId: string, ingress: boolean, permissions: IpPermission[]): Promise<void> {
  const { client, sdk } = await ec2Api(ctx.aws);
  const operation = ingress ? "ec2:AuthorizeSecurityGroupIngress" : "ec2:AuthorizeSecurityGroupEgress";
  const send = (IpPermissions: IpPermission[]) =>
    awsCallEventually(operation, GroupId, () =>
      ingress
        ? client.send(new sdk.AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions }))
        : client.send(new sdk.AuthorizeSecurityGroupEgressCommand({ GroupId, IpPermissions })),
    );
  try {
    await send(permissions);
  } catch (e) {
    if (!isAlreadyExists(e) || permissions.length === 1) {
      if (isAlreadyExists(e)) return;
      throw e;
    }
    for (const permission of permissions) {
      await send([permission]).catch((one: unknown) => {
        if (!isAlreadyExists(one)) throw one;
      });
    }
  }
}

export function securityGroupRulesStep(config: KxContext["config"], name: SecurityGroupName): Step<KxContext> {
  const id = sgRulesStepId(name);
  const target = `security group ${name}`;
  const referenced = referencedGroups(wantedRules(config, name)).filter((g) => g !== name);

  const groups = [name, ...referenced];
  const findGroup = async (ctx: KxContext, ids: GroupIds): Promise<SecurityGroup | undefined> => {
    const groupId = ids.get(name);
    if (!groupId) return undefined;
    const { client, sdk } = await ec2Api(ctx.aws);
    const out = await awsCall("ec2:DescribeSecurityGroups", `${target} (${groupId})`, () =>
      client.send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
    );
    return out.SecurityGroups?.[0];
  };
  const changesOf = (diffs: RuleDiff[]): Change[] =>
    diffs.flatMap((d) => [
      ...d.missing.map((r): Change => ({ action: "create", target, detail: describeRule(r, d.direction) })),
      ...d.extra.map((r): Change => ({ action: "delete", target, detail: describeRule(r, d.direction) })),
    ]);

  return {
    id,
    title: `rules of security group ${name}`,
    needs: [sgStepId(name), ...referenced.map(sgStepId)],
    inputs: (ctx) => wantedRules(ctx.config, name),
    async plan(ctx) {
      const ids = await groupIds(ctx, groups);
      const sg = ctx.aws.live ? await findGroup(ctx, ids) : undefined;
      return changesOf(diffRules(ctx, name, sg, ids));
    },
    async apply(ctx) {
      const ids = await groupIds(ctx, groups);
      const sg = await findGroup(ctx, ids);
      if (!sg?.GroupId) throw new KxError(`internal error: ${sgStepId(name)} must run before ${id}`);
      const GroupId = sg.GroupId;
      const { client, sdk } = await ec2Api(ctx.aws);
      for (const diff of diffRules(ctx, name, sg, ids)) {
        const ingress = diff.direction === "ingress";
        if (diff.extra.length > 0) {
          const IpPermissions = diff.extra.map(toPermission);
          if (ingress) {
            await awsCall("ec2:RevokeSecurityGroupIngress", GroupId, () =>
              client.send(new sdk.RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions })),
            );
          } else {
            await awsCall("ec2:RevokeSecurityGroupEgress", GroupId, () =>
              client.send(new sdk.RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions })),
            );
          }
          for (const r of diff.extra) ctx.log.info(`revoked ${describeRule(r, diff.direction)} on ${target}`);
        }
        if (diff.missing.length > 0) {
          const unresolved = diff.missing.find((r) => r.cidr === undefined && r.groupId === undefined);
          if (unresolved) throw new KxError(`internal error: ${id} refers to ${unresolved.peerName}, which has no id yet`);
          await authorize(ctx, GroupId, ingress, diff.missing.map(toPermission));
          for (const r of diff.missing) ctx.log.info(`authorized ${describeRule(r, diff.direction)} on ${target}`);
        }
      }
      const wanted = wantedRules(ctx.config, name);
      return { groupId: GroupId, ingressRules: wanted.ingress.length, egressRules: wanted.egress.length };
    },
  };
}
