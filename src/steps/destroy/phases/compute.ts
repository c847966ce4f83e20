/** Machines first: the worker group (it would replace what is terminated), instances, templates, key pairs. */
import { awsCall, errorCode } from "../../../aws/errors.js";
import { autoscalingApi, ec2Api } from "../../../aws/sdk.js";
import { TAG_CLUSTER } from "../../../aws/tags.js";
import { waitFor } from "../../../aws/waiters.js";
import { clusterTag, nameOf, stateIds, unlessNotFound, withStateIds, zoneIds } from "../lookup.js";
import { forEachItem } from "../retry.js";
import type { DestroyItem, DestroyPhase, PhaseRun } from "../types.js";

const LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"];

const remaining = (run: PhaseRun) => Math.max(1_000, run.deadline - Date.now());

export const autoscalingGroups: DestroyPhase = {
  name: "autoscaling-groups",
  type: "autoscaling group",
  after: [],
  async discover(ctx) {
    const { client, sdk } = await autoscalingApi(ctx.aws);
    const items: DestroyItem[] = [];
    let NextToken: string | undefined;
    do {
      const out = await awsCall("autoscaling:DescribeAutoScalingGroups", `groups of ${ctx.cluster}`, () =>
        client.send(new sdk.DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${TAG_CLUSTER}`, Values: [ctx.cluster] }], NextToken })),
      );
      for (const g of out.AutoScalingGroups ?? []) items.push({ id: g.AutoScalingGroupName! });
      NextToken = out.NextToken;
    } while (NextToken);
    return withStateIds(items, stateIds(ctx, ["machines/worker-asg"], "autoScalingGroupName"), async (name) => {
      const out = await awsCall("autoscaling:DescribeAutoScalingGroups", name, () =>
        client.send(new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
      );
      return out.AutoScalingGroups?.length ? { id: name } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await autoscalingApi(run.ctx.aws);
    await forEachItem(items, async ({ id }) => {
      // ForceDelete terminates the group's instances with it.
      await unlessNotFound("autoscaling:DeleteAutoScalingGroup", id, () =>
        client.send(new sdk.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: id, ForceDelete: true })),
      ).catch((e: unknown) => {
        // A group already being deleted: wait for it below.
        if (!["ScalingActivityInProgress", "ResourceInUse"].includes(errorCode(e) ?? "")) throw e;
      });
      await waitFor(
        async () =>
          (await awsCall("autoscaling:DescribeAutoScalingGroups", id, () =>
            client.send(new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [id] })),
          )).AutoScalingGroups?.[0],
        (g) => (g === undefined ? { done: true, value: undefined } : { done: false, state: g.Status ?? "deleting" }),
        { what: `autoscaling group ${id} to be deleted`, timeoutMs: remaining(run), signal: run.ctx.signal },
      );
    });
  },
};

export const instances: DestroyPhase = {
  name: "instances",
  type: "instance",
  after: ["autoscaling-groups"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const describe = async (input: { Filters: { Name: string; Values: string[] }[]; InstanceIds?: string[] }) => {
      const out: DestroyItem[] = [];
      let NextToken: string | undefined;
      do {
        const page = await awsCall("ec2:DescribeInstances", `instances of ${ctx.cluster}`, () =>
          client.send(new sdk.DescribeInstancesCommand({ ...input, NextToken })),
        );
        for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) out.push({ id: i.InstanceId!, name: nameOf(i.Tags) });
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    };
    const live = { Name: "instance-state-name", Values: LIVE_INSTANCE_STATES };
    const tagged = await describe({ Filters: [...clusterTag(ctx), live] });
    const fromState = stateIds(ctx, [...zoneIds(ctx, "machines/etcd:"), ...zoneIds(ctx, "machines/control-plane:"), "edge/bastion"], "instanceId");
    return withStateIds(tagged, fromState, async (id) =>
      (await unlessNotFound("ec2:DescribeInstances", id, () => describe({ Filters: [live], InstanceIds: [id] })))?.[0],
    );
  },
  async remove(items, run) {
    if (items.length === 0) return;
    const { client, sdk } = await ec2Api(run.ctx.aws);
    const ids = items.map((i) => i.id);
    await awsCall("ec2:TerminateInstances", ids.join(", "), () => client.send(new sdk.TerminateInstancesCommand({ InstanceIds: ids })));
    await waitFor(
      async () => {
        const out = await awsCall("ec2:DescribeInstances", ids.join(", "), () =>
          client.send(new sdk.DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: ids }] })),
        );
        return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== "terminated");
      },
      (left) => (left.length === 0 ? { done: true, value: undefined } : { done: false, state: left.map((i) => `${i.InstanceId} ${i.State?.Name}`).join(", ") }),
      { what: `instances ${ids.join(", ")} to terminate`, timeoutMs: remaining(run), signal: run.ctx.signal },
    );
  },
};

export const launchTemplates: DestroyPhase = {
  name: "launch-templates",
  type: "launch template",
  after: ["autoscaling-groups"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const out = await awsCall("ec2:DescribeLaunchTemplates", `launch templates of ${ctx.cluster}`, () =>
      client.send(new sdk.DescribeLaunchTemplatesCommand({ Filters: clusterTag(ctx) })),
    );
    const found = (out.LaunchTemplates ?? []).map((t) => ({ id: t.LaunchTemplateId!, name: t.LaunchTemplateName }));
    return withStateIds(found, stateIds(ctx, ["machines/worker-launch-template"], "launchTemplateId"), async (id) => {
      const one = await unlessNotFound("ec2:DescribeLaunchTemplates", id, () =>
        client.send(new sdk.DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] })),
      );
      const t = one?.LaunchTemplates?.[0];
      return t ? { id, name: t.LaunchTemplateName } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, async ({ id }) => {
      await unlessNotFound("ec2:DeleteLaunchTemplate", id, () => client.send(new sdk.DeleteLaunchTemplateCommand({ LaunchTemplateId: id })));
    });
  },
};

export const keyPairs: DestroyPhase = {
  name: "key-pairs",
  type: "key pair",
  after: ["instances", "autoscaling-groups"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const out = await awsCall("ec2:DescribeKeyPairs", `key pairs of ${ctx.cluster}`, () =>
      client.send(new sdk.DescribeKeyPairsCommand({ Filters: clusterTag(ctx) })),
    );
    const found = (out.KeyPairs ?? []).map((k) => ({ id: k.KeyName! }));
    return withStateIds(found, stateIds(ctx, ["machines/key-pair"], "keyName"), async (name) => {
      const one = await unlessNotFound("ec2:DescribeKeyPairs", name, () => client.send(new sdk.DescribeKeyPairsCommand({ KeyNames: [name] })));
      return one?.KeyPairs?.length ? { id: name } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, async ({ id }) => {
      await unlessNotFound("ec2:DeleteKeyPair", id, () => client.send(new sdk.DeleteKeyPairCommand({ KeyName: id })));
    });
  },
};

