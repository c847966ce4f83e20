/**
 * Load balancers and target groups: kx's own (the API server's) and those the cloud
 * controller made for Services of type LoadBalancer (tagged
 * kubernetes.io/cluster/<name>=owned, inside the cluster's VPC). They go first: their
 * network interfaces block the subnets and security groups.
 */
import { awsCall } from "../../../aws/errors.js";
import { elbv2Api } from "../../../aws/sdk.js";
import { waitFor } from "../../../aws/waiters.js";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { clusterVpcIds, ownedByCluster, stateIds, unlessNotFound, withStateIds } from "../lookup.js";
import { deleteWhenFree, forEachItem } from "../retry.js";
import type { DestroyContext, DestroyItem, DestroyPhase } from "../types.js";

type Sdk = typeof import("@aws-sdk/client-elastic-load-balancing-v2");

/** Tags of many ELBv2 resources (DescribeTags takes 20 ARNs at a time). */
async function tagsOf(client: ElasticLoadBalancingV2Client, sdk: Sdk, arns: string[]) {
  const tags = new Map<string, { Key?: string; Value?: string }[]>();
  for (let i = 0; i < arns.length; i += 20) {
    const ResourceArns = arns.slice(i, i + 20);
    const out = await awsCall("elasticloadbalancing:DescribeTags", `${ResourceArns.length} resources`, () =>
      client.send(new sdk.DescribeTagsCommand({ ResourceArns })),
    );
    for (const d of out.TagDescriptions ?? []) tags.set(d.ResourceArn!, d.Tags ?? []);
  }
  return tags;
}

export async function clusterLoadBalancers(ctx: DestroyContext): Promise<DestroyItem[]> {
  const { client, sdk } = await elbv2Api(ctx.aws);
  const all = [];
  let Marker: string | undefined;
  do {
    const out = await awsCall("elasticloadbalancing:DescribeLoadBalancers", `load balancers of ${ctx.cluster}`, () =>
      client.send(new sdk.DescribeLoadBalancersCommand({ Marker })),
    );
    all.push(...(out.LoadBalancers ?? []));
    Marker = out.NextMarker;
  } while (Marker);
  const vpcs = await clusterVpcIds(ctx);
  const tags = await tagsOf(client, sdk, all.map((lb) => lb.LoadBalancerArn!));
  const found = all
    .filter((lb) => ownedByCluster(ctx, tags.get(lb.LoadBalancerArn!), lb.VpcId, vpcs))
    .map((lb) => ({ id: lb.LoadBalancerArn!, name: lb.LoadBalancerName, facts: { dnsName: lb.DNSName } }));
  return withStateIds(found, stateIds(ctx, ["edge/api-lb"], "loadBalancerArn"), async (arn) => {
    const out = await unlessNotFound("elasticloadbalancing:DescribeLoadBalancers", arn, () =>
      client.send(new sdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })),
    );
    const lb = out?.LoadBalancers?.[0];
    return lb ? { id: arn, name: lb.LoadBalancerName, facts: { dnsName: lb.DNSName } } : undefined;
  });
}

export const loadBalancers: DestroyPhase = {
  name: "load-balancers",
  type: "load balancer",
  after: ["dns-public-record"],
  discover: clusterLoadBalancers,
  async remove(items, run) {
    const { client, sdk } = await elbv2Api(run.ctx.aws);
    await forEachItem(items, async ({ id, name }) => {
      // Listeners go with their load balancer.
      await unlessNotFound("elasticloadbalancing:DeleteLoadBalancer", name ?? id, () =>
        client.send(new sdk.DeleteLoadBalancerCommand({ LoadBalancerArn: id })),
      );
      await waitFor(
        () =>
          unlessNotFound("elasticloadbalancing:DescribeLoadBalancers", id, () =>
            client.send(new sdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [id] })),
          ).then((out) => out?.LoadBalancers?.[0]),
        (lb) => (lb === undefined ? { done: true, value: undefined } : { done: false, state: lb.State?.Code ?? "deleting" }),
        { what: `load balancer ${name ?? id} to be deleted`, timeoutMs: Math.max(1_000, run.deadline - Date.now()), signal: run.ctx.signal },
      );
    });
  },
};

export const targetGroups: DestroyPhase = {
  name: "target-groups",
  type: "target group",
  after: ["load-balancers"],
  async discover(ctx) {
    const { client, sdk } = await elbv2Api(ctx.aws);
    const all = [];
    let Marker: string | undefined;
    do {
      const out = await awsCall("elasticloadbalancing:DescribeTargetGroups", `target groups of ${ctx.cluster}`, () =>
        client.send(new sdk.DescribeTargetGroupsCommand({ Marker })),
      );
      all.push(...(out.TargetGroups ?? []));
      Marker = out.NextMarker;
    } while (Marker);
    const vpcs = await clusterVpcIds(ctx);
    const tags = await tagsOf(client, sdk, all.map((g) => g.TargetGroupArn!));
    const found = all
      .filter((g) => ownedByCluster(ctx, tags.get(g.TargetGroupArn!), g.VpcId, vpcs))
      .map((g) => ({ id: g.TargetGroupArn!, name: g.TargetGroupName }));
    return withStateIds(found, stateIds(ctx, ["edge/api-lb"], "targetGroupArn"), async (arn) => {
      const out = await unlessNotFound("elasticloadbalancing:DescribeTargetGroups", arn, () =>
        client.send(new sdk.DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })),
      );
      const g = out?.TargetGroups?.[0];
      return g ? { id: arn, name: g.TargetGroupName } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await elbv2Api(run.ctx.aws);
    await forEachItem(items, ({ id, name }) =>
      deleteWhenFree(run, "elasticloadbalancing:DeleteTargetGroup", `target group ${name ?? id}`, () =>
        client.send(new sdk.DeleteTargetGroupCommand({ TargetGroupArn: id })),
      ),
    );
  },
};
