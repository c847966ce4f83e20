/** The worker launch template and autoscaling group against the fake. */
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { keyPairStep } from "../../../src/steps/machines/key-pair.js";
import { workerAsgStep } from "../../../src/steps/machines/worker-asg.js";
import { workerLaunchTemplateStep } from "../../../src/steps/machines/worker-launch-template.js";
import { renderUserData } from "../../../src/steps/machines/user-data.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import { awsInventory } from "../../../src/steps/inventory-aws.js";
import { applyAll, planAll, testContext } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";
import { until } from "../../fake-aws/fake.js";
import { machinesConfig, preparedContext, sshKeyOnDisk } from "./world.js";

const key = sshKeyOnDisk();
const config = machinesConfig(key.privateKeyFile);
const fake = useFakeAws({ cleanup: key.cleanup });

const workerSteps = (cfg: ClusterConfig) => [keyPairStep(cfg), workerLaunchTemplateStep(cfg), workerAsgStep(cfg)];

async function latestVersion(ctx: ReturnType<typeof testContext>) {
  const ec2 = await ctx.aws.ec2();
  const id = ctx.outputs("machines/worker-launch-template")!.launchTemplateId as string;
  const r = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ["$Latest"] }));
  return r.LaunchTemplateVersions![0]!;
}

async function group(ctx: ReturnType<typeof testContext>) {
  const autoscaling = await ctx.aws.autoscaling();
  const r = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["kx-lab-workers"] }));
  return r.AutoScalingGroups![0]!;
}

describe("worker launch template and autoscaling group", () => {
  it("launch template: IMDSv2 hop limit 1, encrypted gp3, the worker group and profile, the rendered join script", async () => {
    const ctx = await preparedContext(fake(), config);
    await applyAll(ctx, workerSteps(config));
    const version = await latestVersion(ctx);
    const data = version.LaunchTemplateData!;
    expect(ctx.outputs("machines/worker-launch-template")).toEqual({ launchTemplateId: expect.stringMatching(/^lt-/), version: "1" });
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: "required", HttpPutResponseHopLimit: 1 });
    expect(data.BlockDeviceMappings).toEqual([
      expect.objectContaining({ DeviceName: "/dev/xvda", Ebs: expect.objectContaining({ VolumeType: "gp3", Encrypted: true, VolumeSize: 50 }) }),
    ]);
    expect(data.SecurityGroupIds).toEqual([ctx.outputs("security/sg:worker")!.groupId]);
    expect(data.IamInstanceProfile?.Arn).toBe(ctx.outputs("security/iam:worker")!.instanceProfileArn);
    expect(data.ImageId).toBe(ctx.outputs("images/node")!.amiId);
    expect(data.InstanceType).toBe("t3.large");
    expect(Buffer.from(data.UserData!, "base64").toString()).toBe(renderUserData("worker.sh", { cluster: "lab", region: "eu-west-1" }));
  });

  it("group: across the three private subnets, sized from the config, cluster tags propagated at launch", async () => {
    const ctx = await preparedContext(fake(), config);
    await applyAll(ctx, workerSteps(config));
    const g = await group(ctx);
    const privateSubnets = config.zones.map((z) => ctx.outputs(`network/subnet-private:${z}`)!.subnetId);
    expect(g.VPCZoneIdentifier!.split(",").sort()).toEqual([...privateSubnets].sort());
    expect([g.MinSize, g.DesiredCapacity, g.MaxSize]).toEqual([3, 3, 6]);
    expect(g.LaunchTemplate).toMatchObject({ LaunchTemplateId: ctx.outputs("machines/worker-launch-template")!.launchTemplateId, Version: "1" });
    const tags = Object.fromEntries((g.Tags ?? []).map((t) => [t.Key, [t.Value, t.PropagateAtLaunch]]));
    expect(tags).toMatchObject({
      "kx:cluster": ["lab", true],
      Name: ["lab-worker", true],
      "kubernetes.io/cluster/lab": ["owned", true],
    });
    expect(ctx.outputs("machines/worker-asg")).toEqual({ autoScalingGroupName: "kx-lab-workers" });
  });

  it("a second run plans and writes nothing", async () => {
    const ctx = await preparedContext(fake(), config);
    const steps = workerSteps(config);
    await applyAll(ctx, steps);
    const writes = fake().counts().writes;
    expect(await planAll(ctx, steps)).toEqual({});
    await applyAll(ctx, steps);
    expect(fake().counts().writes).toBe(writes);

    // A version someone added by hand, not made the default, is not what the group runs: no change.
    const ec2 = await ctx.aws.ec2();
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: ctx.outputs("machines/worker-launch-template")!.launchTemplateId as string,
        VersionDescription: "tried by hand",
        SourceVersion: "1",
        LaunchTemplateData: { InstanceType: "t3.small" },
      }),
    );
    expect(await planAll(ctx, steps)).toEqual({});
  });

  it("a new size in the config is an update of the group; a new instance type a new template version", async () => {
    const ctx = await preparedContext(fake(), config);
    await applyAll(ctx, workerSteps(config));

    const resized = machinesConfig(key.privateKeyFile, { workers: { min: 4, desired: 5, max: 10, instanceType: "t3.xlarge" } });
    const next = testContext({ config: resized, aws: ctx.aws, outputs: Object.fromEntries(ctx.allOutputs()) });
    const steps = workerSteps(resized);
    const plans = await planAll(next, steps);
    expect(plans["machines/worker-launch-template"]).toEqual([expect.objectContaining({ action: "update" })]);
    expect(plans["machines/worker-asg"]).toEqual([expect.objectContaining({ action: "update", detail: "min 3 → 4, desired 3 → 5, max 6 → 10" })]);

    await applyAll(next, steps);
    expect(next.outputs("machines/worker-launch-template")!.version).toBe("2");
    expect((await latestVersion(next)).LaunchTemplateData!.InstanceType).toBe("t3.xlarge");
    const g = await group(next);
    expect([g.MinSize, g.DesiredCapacity, g.MaxSize]).toEqual([4, 5, 10]);
    expect(g.LaunchTemplate?.Version).toBe("2");
    expect(fake().calls().filter((c) => c.action === "UpdateAutoScalingGroup")).toHaveLength(1);
    expect(await planAll(next, steps)).toEqual({});
  });

  it("are listed by the inventory with their host keys from the console when it is given live clients", async () => {
    const ctx = await preparedContext(fake(), config);
    await applyAll(ctx, workerSteps(config));
    ctx.setOutputs("edge/bastion", { instanceId: "i-b", publicIp: "198.51.100.7", privateIp: "10.0.0.9", hostKeys: [] });

    expect(await awsInventory(ctx.outputs, config).hosts("worker")).toEqual([]);
    const inventory = awsInventory(ctx.outputs, config, { aws: ctx.aws, signal: ctx.signal });
    // The group launches its instances on its own; only running ones are listed.
    const workers = await until(async () => {
      const listed = await inventory.hosts("worker");
      return listed.length === 3 && listed;
    });
    const launched = ((fake().inventory() as Record<string, any[]>).instance ?? []).filter((i) => i.tags["aws:autoscaling:groupName"] === "kx-lab-workers");
    expect(workers).toHaveLength(3);
    expect(workers.map((w) => w.zone)).toEqual(config.zones);
    for (const worker of workers) {
      const instance = launched.find((i) => i.id === worker.instanceId);
      expect(worker.nodeName).toMatch(/^ip-10-0-\d+-\d+\.eu-west-1\.compute\.internal$/);
      expect(worker.name).toBe(worker.nodeName.split(".")[0]);
      expect(worker.ssh).toMatchObject({ address: instance.privateIp, hostKey: instance.hostKeys[0], user: "ubuntu", via: { address: "198.51.100.7" } });
    }
  });
});
