/**
 * How destroy finds what the cluster owns: by the kx:cluster tag (works with no state
 * at all), plus the ids the state's outputs remember (works when someone removed a tag).
 */
import { awsCall, isNotFound, toAwsError } from "../../aws/errors.js";
import { ec2Api } from "../../aws/sdk.js";
import { clusterFilters, k8sClusterTagKey, TAG_CLUSTER, tagValue } from "../../aws/tags.js";
import type { DestroyContext, DestroyItem } from "./types.js";

/** Zone-suffixed step ids of the create contract for these zones ("machines/etcd:" → machines/etcd:eu-west-1a…). */
export function zoneIds(ctx: DestroyContext, prefix: string): string[] {
  return (ctx.config?.zones ?? []).map((zone) => `${prefix}${zone}`);
}

/** The string outputs `key` of the given steps, where the state has them. */
export function stateIds(ctx: DestroyContext, stepIds: readonly string[], key: string): string[] {
  const ids = stepIds.map((id) => ctx.outputs(id)?.[key]).filter((v): v is string => typeof v === "string" && v.length > 0);
  return [...new Set(ids)];
}

/** Items found by tag, plus state ids not already among them (looked up one by one: an unknown id fails a whole Describe). */
export async function withStateIds(
  found: DestroyItem[],
  fromState: readonly string[],
  lookup: (id: string) => Promise<DestroyItem | undefined>,
): Promise<DestroyItem[]> {
  const known = new Set(found.map((f) => f.id));
  const extra = await Promise.all(fromState.filter((id) => !known.has(id)).map(lookup));
  return [...found, ...extra.filter((e): e is DestroyItem => e !== undefined)];
}

/** undefined when the call says the resource does not exist. */
export async function unlessNotFound<T>(operation: string, resource: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw toAwsError(e, operation, resource);
  }
}

export const clusterTag = (ctx: DestroyContext) => clusterFilters(ctx.cluster);

export function nameOf(tags: readonly { Key?: string; Value?: string }[] | undefined): string | undefined {
  return tagValue(tags, "Name");
}

/** Tagged for this cluster by kx, or (inside one of its VPCs) by Kubernetes' cloud controller. */
export function ownedByCluster(
  ctx: DestroyContext,
  tags: readonly { Key?: string; Value?: string }[] | undefined,
  vpcId: string | undefined,
  clusterVpcs: readonly string[],
): boolean {
  if (tagValue(tags, TAG_CLUSTER) === ctx.cluster) return true;
  return tagValue(tags, k8sClusterTagKey(ctx.cluster)) === "owned" && vpcId !== undefined && clusterVpcs.includes(vpcId);
}

/**
 * The cluster's VPC ids (tag sweep plus state). Resources only Kubernetes tagged are
 * swept inside these VPCs alone: another tool's cluster of the same name elsewhere in
 * the account is never touched.
 */
export function clusterVpcIds(ctx: DestroyContext): Promise<string[]> {
  return findVpcIds(ctx);
}

async function findVpcIds(ctx: DestroyContext): Promise<string[]> {
  const { client, sdk } = await ec2Api(ctx.aws);
  const out = await awsCall("ec2:DescribeVpcs", `VPCs of ${ctx.cluster}`, () => client.send(new sdk.DescribeVpcsCommand({ Filters: clusterTag(ctx) })));
  const ids = (out.Vpcs ?? []).map((v) => v.VpcId!).filter(Boolean);
  const fromState = stateIds(ctx, ["network/vpc"], "vpcId").filter((id) => !ids.includes(id));
  for (const VpcId of fromState) {
    const found = await unlessNotFound("ec2:DescribeVpcs", VpcId, () => client.send(new sdk.DescribeVpcsCommand({ VpcIds: [VpcId] })));
    if (found?.Vpcs?.length) ids.push(VpcId);
  }
  return ids;
}
