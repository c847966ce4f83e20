/**
 * The workers' autoscaling group (machines/worker-asg) across the three private subnets.
 * Its size follows the config: changing workers.min/desired/max is an update of the
 * group, as is a new launch template version. Instances get the cluster's tags at launch
 * (the cloud controller finds its nodes by kubernetes.io/cluster/<name>=owned).
 */
import type { AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type { AwsClients } from "../../aws/clients.js";
import { autoscalingApi } from "../../aws/sdk.js";
import { awsCall, isAlreadyExists } from "../../aws/errors.js";
import { kxOwnedTags, TAG_CLUSTER, tagValue } from "../../aws/tags.js";
import { KxError } from "../../engine/errors.js";
import type { Change, Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { maybeString, needString } from "./needs.js";
import { clusterZones } from "./placement.js";
import { LAUNCH_TEMPLATE_STEP } from "./worker-launch-template.js";

export const ASG_STEP = "machines/worker-asg";

export function autoScalingGroupName(cluster: string): string {
  return `kx-${cluster}-workers`;
}

async function findGroup(aws: AwsClients, cluster: string): Promise<AutoScalingGroup | undefined> {
  const { client: autoscaling, sdk } = await autoscalingApi(aws);
  const name = autoScalingGroupName(cluster);
  const result = await awsCall("DescribeAutoScalingGroups", name, () =>
    autoscaling.send(new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
  );
  const group = result.AutoScalingGroups?.find((g) => g.Status !== "Delete in progress");
  if (group && tagValue(group.Tags, TAG_CLUSTER) !== cluster) {
    throw new KxError(`an autoscaling group named ${name} exists but does not belong to cluster ${cluster}`, {
      source: "user",
      hint: "Delete or rename that group, or give the cluster another name.",
    });
  }
  return group;
}

/** The group's desired capacity now (an autoscaler may have moved it since kx set it); undefined when it does not exist. */
export async function workerGroupDesired(aws: AwsClients, cluster: string): Promise<number | undefined> {
  return (await findGroup(aws, cluster))?.DesiredCapacity;
}

interface Wanted {
  min: number;
  desired: number;
  max: number;
  launchTemplateId?: string;
  version?: string;
  subnets?: string[];
}

function wanted(ctx: KxContext, config: ClusterConfig, subnetSteps: string[]): Wanted {
  const subnets = subnetSteps.map((id) => maybeString(ctx, id, "subnetId"));
  return {
    min: config.workers.min,
    desired: config.workers.desired,
    max: config.workers.max,
    launchTemplateId: maybeString(ctx, LAUNCH_TEMPLATE_STEP, "launchTemplateId"),
    version: maybeString(ctx, LAUNCH_TEMPLATE_STEP, "version"),
    subnets: subnets.every((s) => s) ? (subnets as string[]) : undefined,
  };
}

/** What differs, as "min 3 → 4" phrases; fields not known yet (fresh plan) are skipped. */
function differences(group: AutoScalingGroup, want: Wanted): string[] {
  const out: string[] = [];
  const compare = (label: string, have: unknown, need: unknown) => {
    if (need !== undefined && have !== need) out.push(`${label} ${String(have)} → ${String(need)}`);
  };
  compare("min", group.MinSize, want.min);
  compare("desired", group.DesiredCapacity, want.desired);
  compare("max", group.MaxSize, want.max);
  compare("launch template", group.LaunchTemplate?.LaunchTemplateId, want.launchTemplateId);
  compare("launch template version", group.LaunchTemplate?.Version, want.version);
  if (want.subnets) {
    const have = (group.VPCZoneIdentifier ?? "").split(",").filter(Boolean).sort().join(",");
    compare("subnets", have, [...want.subnets].sort().join(","));
  }
  return out;
}

export function workerAsgStep(config: ClusterConfig): Step<KxContext> {
  const subnetSteps = clusterZones(config).map((zone) => `network/subnet-private:${zone}`);
  const target = `autoscaling group ${autoScalingGroupName(config.name)}`;
  return {
    id: ASG_STEP,
    title: "worker autoscaling group",
    needs: [LAUNCH_TEMPLATE_STEP, ...subnetSteps],
    inputs: () => ({ min: config.workers.min, desired: config.workers.desired, max: config.workers.max }),

    async plan(ctx) {
      const want = wanted(ctx, config, subnetSteps);
      const size = `min ${want.min}, desired ${want.desired}, max ${want.max}`;
      if (!ctx.aws.live) return [{ action: "create", target, detail: size }];
      const group = await findGroup(ctx.aws, ctx.cluster);
      if (!group) return [{ action: "create", target, detail: size }];
      const diff = differences(group, want);
      return diff.length === 0 ? [] : ([{ action: "update", target, detail: diff.join(", ") }] satisfies Change[]);
    },

    async apply(ctx) {
      const { client: autoscaling, sdk } = await autoscalingApi(ctx.aws);
      const name = autoScalingGroupName(ctx.cluster);
      const want = wanted(ctx, config, subnetSteps);
      const launchTemplate = {
        LaunchTemplateId: needString(ctx, LAUNCH_TEMPLATE_STEP, "launchTemplateId"),
        Version: needString(ctx, LAUNCH_TEMPLATE_STEP, "version"),
      };
      const subnets = subnetSteps.map((id) => needString(ctx, id, "subnetId"));
      const group = await findGroup(ctx.aws, ctx.cluster);
      if (!group) {
        const tags = kxOwnedTags(ctx.cluster, ASG_STEP, `${ctx.cluster}-worker`, { "kx:role": "worker" }).map((t) => ({
          ...t,
          ResourceId: name,
          ResourceType: "auto-scaling-group",
          PropagateAtLaunch: true,
        }));
        try {
          await awsCall("CreateAutoScalingGroup", name, () =>
            autoscaling.send(
              new sdk.CreateAutoScalingGroupCommand({
                AutoScalingGroupName: name,
                LaunchTemplate: launchTemplate,
                MinSize: want.min,
                DesiredCapacity: want.desired,
                MaxSize: want.max,
                VPCZoneIdentifier: subnets.join(","),
                HealthCheckType: "EC2",
                HealthCheckGracePeriod: 300,
                Tags: tags,
              }),
            ),
          );
        } catch (e) {
          // Created by a run that crashed before saving; findGroup checks it is ours.
          if (!isAlreadyExists(e) || !(await findGroup(ctx.aws, ctx.cluster))) throw e;
        }
        return { autoScalingGroupName: name };
      }
      const diff = differences(group, { ...want, ...launchTemplate, subnets });
      if (diff.length > 0) {
        ctx.log.info(`updating ${name}: ${diff.join(", ")}`);
        await awsCall("UpdateAutoScalingGroup", name, () =>
          autoscaling.send(
            new sdk.UpdateAutoScalingGroupCommand({
              AutoScalingGroupName: name,
              LaunchTemplate: launchTemplate,
              MinSize: want.min,
              DesiredCapacity: want.desired,
              MaxSize: want.max,
              VPCZoneIdentifier: subnets.join(","),
            }),
          ),
        );
      }
      return { autoScalingGroupName: name };
    },
  };
}
