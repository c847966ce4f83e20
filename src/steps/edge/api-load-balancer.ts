/**
 * The API server's network load balancer (edge/api-lb): TCP 6443 to a target group of IP
 * targets with TCP health checks, and its listener. IP targets, not instance targets:
 * with instance targets the NLB preserves the client IP, and a control-plane node that
 * reaches the API through the NLB and lands on itself drops the hairpinned connection.
 *
 * Scheme: internal in the private subnets, since only nodes (and kx through the bastion)
 * talk to the API. When the config publishes the API name in a public zone
 * (dns.publicZoneId) the NLB is internet-facing in the public subnets instead, its
 * security group deciding who may connect. The scheme cannot change on a live NLB.
 *
 * The masters are registered after `kubeadm init` by the kubernetes steps through
 * registerApiTargets (idempotent).
 */
import type { Listener, LoadBalancer, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "../../aws/clients.js";
import { elbv2Api } from "../../aws/sdk.js";
import { awsCall, isNotFound } from "../../aws/errors.js";
import { checkImmutable } from "../../aws/find.js";
import { kxTags, TAG_CLUSTER, tagValue } from "../../aws/tags.js";
import { waitFor } from "../../aws/waiters.js";
import { KxError } from "../../engine/errors.js";
import type { Change, Outputs, Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { needString } from "../machines/needs.js";
import { clusterZones } from "../machines/placement.js";
import { shortName } from "./names.js";

export const API_LB_STEP = "edge/api-lb";
export const API_PORT = 6443;

export type LoadBalancerScheme = "internal" | "internet-facing";

export function apiLoadBalancerScheme(config: ClusterConfig): LoadBalancerScheme {
  return config.dns?.publicZoneId ? "internet-facing" : "internal";
}

function subnetSteps(config: ClusterConfig): string[] {
  const kind = apiLoadBalancerScheme(config) === "internal" ? "private" : "public";
  return clusterZones(config).map((zone) => `network/subnet-${kind}:${zone}`);
}

interface Found {
  loadBalancer?: LoadBalancer;
  targetGroup?: TargetGroup;
  listener?: Listener;
}

/** Looks each piece up by name, refusing pieces that carry another cluster's (or no) kx tag. */
async function findAll(aws: AwsClients, cluster: string): Promise<Found> {
  const { client: elb, sdk } = await elbv2Api(aws);
  const lbName = shortName(cluster, "api");
  const loadBalancer = await awsCall("DescribeLoadBalancers", lbName, () => elb.send(new sdk.DescribeLoadBalancersCommand({ Names: [lbName] })))
    .then((r) => r.LoadBalancers?.[0])
    .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  const targetGroup = await awsCall("DescribeTargetGroups", lbName, () => elb.send(new sdk.DescribeTargetGroupsCommand({ Names: [lbName] })))
    .then((r) => r.TargetGroups?.[0])
    .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  const arns = [loadBalancer?.LoadBalancerArn, targetGroup?.TargetGroupArn].filter((a): a is string => !!a);
  if (arns.length > 0) {
    const tags = await awsCall("DescribeTags", lbName, () => elb.send(new sdk.DescribeTagsCommand({ ResourceArns: arns })));
    for (const description of tags.TagDescriptions ?? []) {
      if (tagValue(description.Tags, TAG_CLUSTER) !== cluster) {
        throw new KxError(`${description.ResourceArn} is named like cluster ${cluster}'s API load balancer but kx did not create it for this cluster`, {
          source: "user",
          hint: "Delete or rename it, or give the cluster another name.",
        });
      }
    }
  }
  let listener: Listener | undefined;
  if (loadBalancer) {
    const listeners = await awsCall("DescribeListeners", lbName, () =>
      elb.send(new sdk.DescribeListenersCommand({ LoadBalancerArn: loadBalancer.LoadBalancerArn })),
    );
    listener = listeners.Listeners?.find((l) => l.Port === API_PORT);
  }
  return { loadBalancer, targetGroup, listener };
}

/** What a live NLB or target group cannot change: a difference means destroying and creating again. */
function checkFixedFields(name: string, scheme: LoadBalancerScheme, found: Found): void {
  checkImmutable(`load balancer ${name}`, "scheme", scheme, found.loadBalancer?.Scheme);
  checkImmutable(`target group ${name}`, "target type", "ip", found.targetGroup?.TargetType);
  checkImmutable(`target group ${name}`, "port", String(API_PORT), found.targetGroup?.Port?.toString());
}

function planned(config: ClusterConfig, found: Found): Change[] {
  const name = shortName(config.name, "api");
  const changes: Change[] = [];
  if (!found.loadBalancer) changes.push({ action: "create", target: `load balancer ${name}`, detail: `network, ${apiLoadBalancerScheme(config)}, TCP ${API_PORT}` });
  if (!found.targetGroup) changes.push({ action: "create", target: `target group ${name}`, detail: `TCP ${API_PORT}, IP targets, TCP health checks` });
  if (!found.listener) changes.push({ action: "create", target: `listener ${name}:${API_PORT}`, detail: `forward to target group ${name}` });
  return changes;
}

export function apiLoadBalancerStep(config: ClusterConfig): Step<KxContext> {
  const subnets = subnetSteps(config);
  const scheme = apiLoadBalancerScheme(config);
  return {
    id: API_LB_STEP,
    title: "API server load balancer",
    needs: ["network/vpc", "security/sg:api-lb", ...subnets],
    inputs: () => ({ scheme }),

    async plan(ctx) {
      if (!ctx.aws.live) return planned(config, {});
      const found = await findAll(ctx.aws, ctx.cluster);
      checkFixedFields(shortName(ctx.cluster, "api"), scheme, found);
      return planned(config, found);
    },

    async apply(ctx) {
      const { client: elb, sdk } = await elbv2Api(ctx.aws);
      const name = shortName(ctx.cluster, "api");
      const tags = kxTags(ctx.cluster, API_LB_STEP, name);
      const found = await findAll(ctx.aws, ctx.cluster);
      checkFixedFields(name, scheme, found);
      let { loadBalancer, targetGroup, listener } = found;

      // CreateLoadBalancer and CreateTargetGroup are idempotent by name with the same settings.
      if (!loadBalancer) {
        ctx.log.info(`creating load balancer ${name}`);
        const created = await awsCall("CreateLoadBalancer", name, () =>
          elb.send(
            new sdk.CreateLoadBalancerCommand({
              Name: name,
              Type: "network",
              Scheme: scheme,
              IpAddressType: "ipv4",
              Subnets: subnets.map((id) => needString(ctx, id, "subnetId")),
              SecurityGroups: [needString(ctx, "security/sg:api-lb", "groupId")],
              Tags: tags,
            }),
          ),
        );
        loadBalancer = created.LoadBalancers?.[0];
      }
      if (!targetGroup) {
        const created = await awsCall("CreateTargetGroup", name, () =>
          elb.send(
            new sdk.CreateTargetGroupCommand({
              Name: name,
              Protocol: "TCP",
              Port: API_PORT,
              VpcId: needString(ctx, "network/vpc", "vpcId"),
              TargetType: "ip",
              HealthCheckProtocol: "TCP",
              HealthCheckPort: "traffic-port",
              HealthCheckIntervalSeconds: 10,
              HealthyThresholdCount: 3,
              UnhealthyThresholdCount: 3,
              Tags: tags,
            }),
          ),
        );
        targetGroup = created.TargetGroups?.[0];
      }
      if (!loadBalancer?.LoadBalancerArn || !targetGroup?.TargetGroupArn) throw new KxError(`creating ${name} returned no load balancer or target group`);
      const lbArn = loadBalancer.LoadBalancerArn;
      const tgArn = targetGroup.TargetGroupArn;
      if (!listener) {
        const created = await awsCall("CreateListener", name, () =>
          elb.send(
            new sdk.CreateListenerCommand({
              LoadBalancerArn: lbArn,
              Protocol: "TCP",
              Port: API_PORT,
              DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }],
              Tags: tags,
            }),
          ),
        );
        listener = created.Listeners?.[0];
      }
      const active = await waitActive(ctx, lbArn, name);
      return {
        loadBalancerArn: lbArn,
        dnsName: active.DNSName ?? "",
        canonicalHostedZoneId: active.CanonicalHostedZoneId ?? "",
        scheme,
        targetGroupArn: tgArn,
        listenerArn: listener?.ListenerArn ?? "",
      } satisfies Outputs;
    },
  };
}

async function waitActive(ctx: KxContext, arn: string, name: string): Promise<LoadBalancer> {
  const { client: elb, sdk } = await elbv2Api(ctx.aws);
  return waitFor(
    () => awsCall("DescribeLoadBalancers", name, () => elb.send(new sdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }))).then((r) => r.LoadBalancers?.[0]),
    (lb) => {
      const state = lb?.State?.Code ?? "not visible yet";
      if (state === "active") return { done: true, value: lb! };
      if (state === "failed") throw new KxError(`load balancer ${name} failed: ${lb?.State?.Reason ?? "no reason given"}`);
      return { done: false, state };
    },
    { what: `load balancer ${name} to become active`, signal: ctx.signal },
  );
}

async function registeredIps(aws: AwsClients, targetGroupArn: string): Promise<Set<string>> {
  const { client: elb, sdk } = await elbv2Api(aws);
  const health = await awsCall("DescribeTargetHealth", targetGroupArn, () => elb.send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })));
  return new Set(
    (health.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== "draining")
      .map((d) => d.Target?.Id)
      .filter((id): id is string => !!id),
  );
}

/** What registerApiTargets would do, for the calling step's plan. */
export async function planApiTargets(ctx: KxContext, privateIps: readonly string[]): Promise<Change[]> {
  const targetGroupArn = ctx.outputs(API_LB_STEP)?.targetGroupArn;
  if (!ctx.aws.live || typeof targetGroupArn !== "string") {
    return privateIps.map((ip) => ({ action: "create" as const, target: `API target ${ip}:${API_PORT}` }));
  }
  const have = await registeredIps(ctx.aws, targetGroupArn);
  return privateIps.filter((ip) => !have.has(ip)).map((ip) => ({ action: "create" as const, target: `API target ${ip}:${API_PORT}` }));
}

/**
 * Registers the masters' private IPs as targets of the API target group; IPs already
 * registered are left alone, others are not removed. Returns the IPs it registered.
 */
export async function registerApiTargets(ctx: KxContext, privateIps: readonly string[]): Promise<string[]> {
  const targetGroupArn = needString(ctx, API_LB_STEP, "targetGroupArn");
  const { client: elb, sdk } = await elbv2Api(ctx.aws);
  const have = await registeredIps(ctx.aws, targetGroupArn);
  const missing = privateIps.filter((ip) => !have.has(ip));
  if (missing.length > 0) {
    ctx.log.info(`registering ${missing.join(", ")} with the API load balancer`);
    await awsCall("RegisterTargets", targetGroupArn, () =>
      elb.send(new sdk.RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: missing.map((Id) => ({ Id, Port: API_PORT })) })),
    );
  }
  return missing;
}
