/**
 * Every resource kx creates carries kx:cluster, kx:id (the step id that owns it) and
 * Name, plus the Kubernetes cluster tag where the cloud controller looks for it. Finding
 * a resource again after a crash is a query on the first two.
 */
export interface Tag {
  Key: string;
  Value: string;
}

export const TAG_CLUSTER = "kx:cluster";
export const TAG_ID = "kx:id";

export function k8sClusterTagKey(cluster: string): string {
  return `kubernetes.io/cluster/${cluster}`;
}

export function kxTags(cluster: string, stepId: string, name: string, extra: Record<string, string> = {}): Tag[] {
  const tags: Record<string, string> = { [TAG_CLUSTER]: cluster, [TAG_ID]: stepId, Name: name, ...extra };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** kx tags plus `kubernetes.io/cluster/<name>=owned` (VPC, subnets, instances, one SG per instance). */
export function kxOwnedTags(cluster: string, stepId: string, name: string, extra: Record<string, string> = {}): Tag[] {
  return kxTags(cluster, stepId, name, { [k8sClusterTagKey(cluster)]: "owned", ...extra });
}

/** EC2-style TagSpecifications for a create call. */
export function tagSpecifications<T extends string>(resourceType: T, tags: Tag[]): { ResourceType: T; Tags: Tag[] }[] {
  return [{ ResourceType: resourceType, Tags: tags }];
}

/** EC2 Describe* filters that find the resource a step owns. */
export function stepFilters(cluster: string, stepId: string): { Name: string; Values: string[] }[] {
  return [
    { Name: `tag:${TAG_CLUSTER}`, Values: [cluster] },
    { Name: `tag:${TAG_ID}`, Values: [stepId] },
  ];
}

/** EC2 Describe* filters that find everything of the cluster (destroy's sweep). */
export function clusterFilters(cluster: string): { Name: string; Values: string[] }[] {
  return [{ Name: `tag:${TAG_CLUSTER}`, Values: [cluster] }];
}

export function tagValue(tags: readonly { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** The wanted tags a live resource lacks or carries with another value (to re-tag it). */
export function missingTags(have: readonly { Key?: string; Value?: string }[] | undefined, want: readonly Tag[]): Tag[] {
  return want.filter((t) => tagValue(have, t.Key) !== t.Value);
}
