/**
 * The machines steps against the fake AWS endpoint with the real SDK: what the instances
 * look like, that a second run plans and writes nothing (also with the state lost), that
 * a launch retried after a crash returns the same instance, and the worker template and
 * group.
 */
import { DescribeInstancesCommand, ImportKeyPairCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { machineSteps } from "../../../src/steps/machines/index.js";
import { keyPairStep } from "../../../src/steps/machines/key-pair.js";
import { nodeInstanceStep } from "../../../src/steps/machines/node-instance.js";
import { launchInstance, readHostKeys } from "../../../src/steps/machines/ec2-instance.js";
import { WaitTimeoutError } from "../../../src/aws/waiters.js";
import { isKxError, type KxError } from "../../../src/engine/errors.js";
import { placements } from "../../../src/steps/machines/placement.js";
import { applyAll, planAll } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";
import { captureInputs, freshContextLike, machinesConfig, preparedContext, sshKeyOnDisk, testHosts } from "./world.js";

const key = sshKeyOnDisk();
const config = machinesConfig(key.privateKeyFile);
const names = [...placements(config, "etcd"), ...placements(config, "control-plane")].map((p) => p.name);
const hosts = testHosts(names);
const fake = useFakeAws({ hosts, cleanup: key.cleanup });

const instanceSteps = () => [keyPairStep(config), ...[...placements(config, "etcd"), ...placements(config, "control-plane")].map((p) => nodeInstanceStep(config, p))];

function liveInstances(): any[] {
  return ((fake().inventory() as Record<string, any[]>).instance ?? []).filter((i) => i.state !== "terminated" && i.state !== "shutting-down");
}

describe("etcd and control-plane instances", () => {
  it("are one per zone in the private subnets, IMDSv2 only with the role's hop limit, on encrypted gp3, with pinned host keys", async () => {
    const ctx = await preparedContext(fake(), config);
    const sent = captureInputs(await ctx.aws.ec2(), "RunInstancesCommand");
    await applyAll(ctx, instanceSteps());

    // What kx asked for, beside what the fake kept.
    expect(sent).toHaveLength(6);
    for (const input of sent) {
      expect(input.BlockDeviceMappings).toEqual([{ DeviceName: "/dev/xvda", Ebs: expect.objectContaining({ VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true }) }]);
      expect(input.ClientToken).toMatch(/^[0-9a-f]{64}$/);
    }
    const instances = liveInstances();
    expect(instances).toHaveLength(6);
    for (const p of [...placements(config, "etcd"), ...placements(config, "control-plane")]) {
      const out = ctx.outputs(p.stepId)!;
      const instance = instances.find((i) => i.id === out.instanceId);
      const host = hosts.find((h) => h.namePattern === p.name)!;
      expect(instance.tags).toMatchObject({ Name: p.name, "kx:cluster": "lab", "kx:id": p.stepId, "kubernetes.io/cluster/lab": "owned", "kx:role": p.role });
      expect(instance.subnetId).toBe(ctx.outputs(`network/subnet-private:${p.zone}`)!.subnetId);
      expect(instance.availabilityZone).toBe(p.zone);
      expect(instance.publicIp).toBeUndefined();
      expect(instance.metadata).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: p.role === "control-plane" ? 2 : 1 });
      expect(instance.volumes).toHaveLength(1);
      expect(instance.volumes[0]).toMatchObject({ deviceName: "/dev/xvda", volumeType: "gp3", encrypted: true, volumeSize: p.role === "etcd" ? 20 : 50 });
      expect(instance.groups).toEqual([ctx.outputs(`security/sg:${p.role}`)!.groupId]);
      expect(instance.iamProfile.arn).toBe(ctx.outputs(`security/iam:${p.role}`)!.instanceProfileArn);
      expect(instance.imageId).toBe(ctx.outputs(p.role === "etcd" ? "images/etcd" : "images/node")!.amiId);
      expect(instance.keyName).toBe("kx-lab");
      expect(out).toEqual({
        instanceId: instance.id,
        name: p.name,
        privateIp: host.address,
        privateDns: expect.stringMatching(/^ip-10-0-\d+-\d+\.eu-west-1\.compute\.internal$/),
        zone: p.zone,
        hostKeys: host.hostKeys,
      });
    }
    const zones = new Set(instances.filter((i) => i.tags["kx:role"] === "etcd").map((i) => i.availabilityZone));
    expect(zones.size).toBe(3);
  });

  it("plan nothing and write nothing on a second run, also when the state was lost", async () => {
    const ctx = await preparedContext(fake(), config);
    const steps = instanceSteps();
    await applyAll(ctx, steps);
    const writes = fake().counts().writes;

    expect(await planAll(ctx, steps)).toEqual({});
    await applyAll(ctx, steps);
    expect(fake().counts().writes).toBe(writes);

    const amnesic = await freshContextLike(fake(), ctx, (id) => !id.startsWith("machines/"));
    expect(await planAll(amnesic, steps)).toEqual({});
    await applyAll(amnesic, steps);
    expect(fake().counts().writes).toBe(writes);
    for (const step of steps) expect(amnesic.outputs(step.id)).toEqual(ctx.outputs(step.id));
  });

  it("a launch repeated after a crash (RunInstances sent, nothing saved) returns the same instance", async () => {
    const ctx = await preparedContext(fake(), config);
    await applyAll(ctx, [keyPairStep(config)]);
    const spec = {
      ImageId: ctx.outputs("images/etcd")!.amiId as string,
      InstanceType: "t3.medium" as const,
      SubnetId: ctx.outputs(`network/subnet-private:${config.zones[0]}`)!.subnetId as string,
      TagSpecifications: [{ ResourceType: "instance" as const, Tags: [{ Key: "kx:cluster", Value: "lab" }, { Key: "kx:id", Value: "machines/etcd:eu-west-1a" }] }],
    };
    const first = await launchInstance(ctx, "machines/etcd:eu-west-1a", spec);
    const again = await launchInstance(ctx, "machines/etcd:eu-west-1a", spec);
    expect(again.InstanceId).toBe(first.InstanceId);
    expect(liveInstances()).toHaveLength(1);
    expect(fake().calls().filter((c) => c.action === "RunInstances")).toHaveLength(2);
  });

  it("a run that dies after RunInstances, before its outputs are saved, is resumed without a second launch", async () => {
    const ctx = await preparedContext(fake(), config);
    const [etcdA] = placements(config, "etcd");
    const steps = [keyPairStep(config), nodeInstanceStep(config, etcdA!)];
    // The console read right after the launch fails for good: the step dies with its instance made.
    fake().setFaults({ failAfter: { action: "GetConsoleOutput", n: 0, code: "UnauthorizedOperation", status: 403 } });
    await expect(applyAll(ctx, steps)).rejects.toThrow(/GetConsoleOutput/);
    expect(ctx.outputs(etcdA!.stepId)).toBeUndefined();

    const resumed = await freshContextLike(fake(), ctx, (id) => id !== etcdA!.stepId);
    expect(await planAll(resumed, steps)).toEqual({});
    await applyAll(resumed, steps);
    expect(fake().calls().filter((c) => c.action === "RunInstances" && c.status === 200)).toHaveLength(1);
    expect(liveInstances()).toHaveLength(1);
    expect(resumed.outputs(etcdA!.stepId)!.instanceId).toBe(liveInstances()[0].id);
  });

  it("stop on a vCPU quota with one message naming the step, the code and what to do", async () => {
    const ctx = await preparedContext(fake(), config);
    const [etcdA] = placements(config, "etcd");
    fake().setFaults({ failAfter: { action: "RunInstances", n: 0, code: "VcpuLimitExceeded", message: "You have requested more vCPU capacity than your current vCPU limit of 2 allows" } });
    const err = (await applyAll(ctx, [keyPairStep(config), nodeInstanceStep(config, etcdA!)]).catch((e: unknown) => e)) as KxError;
    expect(isKxError(err)).toBe(true);
    expect(err.message).toBe(
      "RunInstances failed — You have requested more vCPU capacity than your current vCPU limit of 2 allows (machines/etcd:eu-west-1a): VcpuLimitExceeded",
    );
    expect(err.source).toBe("user");
    expect(err.hint).toMatch(/service quota.*Service Quotas console/);
    expect(liveInstances()).toHaveLength(0);
  });

  it("succeed with a quarter of the calls throttled, creating nothing twice", async () => {
    const ctx = await preparedContext(fake(), config);
    fake().setFaults({ throttleRate: 0.25, seed: 7 });
    await applyAll(ctx, instanceSteps());
    fake().setFaults({});
    expect(fake().calls().some((c) => c.status !== 200)).toBe(true);
    expect(liveInstances()).toHaveLength(6);
    expect(await planAll(ctx, instanceSteps())).toEqual({});
  });

  it("replace an instance terminated by hand instead of adopting it", async () => {
    const ctx = await preparedContext(fake(), config);
    const [etcdA] = placements(config, "etcd");
    const steps = [keyPairStep(config), nodeInstanceStep(config, etcdA!)];
    await applyAll(ctx, steps);
    const oldId = ctx.outputs(etcdA!.stepId)!.instanceId as string;
    const ec2 = await ctx.aws.ec2();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [oldId] }));

    expect(await planAll(ctx, steps)).toEqual({ [etcdA!.stepId]: [expect.objectContaining({ action: "create", target: "instance etcd-a" })] });
    await applyAll(ctx, steps);
    const newId = ctx.outputs(etcdA!.stepId)!.instanceId;
    expect(newId).not.toBe(oldId);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [newId as string] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe("running");
  });

  it("plan everything as a create without calling AWS when planning offline", async () => {
    const { offlineAwsClients } = await import("../../../src/aws/factory.js");
    const { testContext } = await import("../context.js");
    const ctx = testContext({ config, aws: offlineAwsClients("eu-west-1") });
    const plans = await planAll(ctx, machineSteps(config));
    expect(Object.keys(plans)).toHaveLength(machineSteps(config).length);
    expect(Object.values(plans).flat().every((c) => c.action === "create")).toBe(true);
    expect(fake().counts()).toEqual({ reads: 0, writes: 0 });
  });
});

describe("host keys from the console", () => {
  it("are read from the buffered console where the live one is not supported (non-Nitro types)", async () => {
    const ctx = await preparedContext(fake(), config);
    const [etcdA] = placements(config, "etcd");
    fake().setFaults({ failAfter: { action: "GetConsoleOutput", n: 0, code: "UnsupportedOperation", message: "This instance type does not support retrieving the latest console output" } });
    await applyAll(ctx, [keyPairStep(config), nodeInstanceStep(config, etcdA!)]);
    expect(ctx.outputs(etcdA!.stepId)!.hostKeys).toEqual(hosts.find((h) => h.namePattern === "etcd-a")!.hostKeys);
    expect(fake().calls().filter((c) => c.action === "GetConsoleOutput").map((c) => c.status)).toEqual([400, 200]);
  });

  it("give up with a message naming the instance when cloud-init never prints them", async () => {
    const ctx = await preparedContext(fake(), config);
    await applyAll(ctx, [keyPairStep(config)]);
    fake().setLatencyScale(10); // the console of an instance launched now stays empty for minutes
    const instance = await launchInstance(ctx, "machines/etcd:eu-west-1a", {
      ImageId: ctx.outputs("images/etcd")!.amiId as string,
      InstanceType: "t3.medium",
      SubnetId: ctx.outputs(`network/subnet-private:${config.zones[0]}`)!.subnetId as string,
    });
    const err = await readHostKeys(ctx, instance.InstanceId!, "etcd-a", { timeoutMs: 50, initialDelayMs: 5 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(String((err as Error).message)).toMatch(
      new RegExp(`^timed out after 50 ms waiting for the SSH host keys of etcd-a \\(${instance.InstanceId}\\) in its console output; last state: (no console output yet|console output without host keys yet)$`),
    );
  });
});

describe("the key pair", () => {
  it("derives the public key from the private key when there is no .pub, and refuses a different key later", async () => {
    const other = sshKeyOnDisk();
    try {
      rmSync(`${other.privateKeyFile}.pub`);
      const cfg = machinesConfig(other.privateKeyFile);
      const ctx = await preparedContext(fake(), cfg);
      await applyAll(ctx, [keyPairStep(cfg)]);
      const pair = (fake().inventory() as Record<string, any[]>).keypair!.find((k) => k.id === "kx-lab");
      expect(JSON.stringify(pair)).toContain(other.publicKey.split(" ")[1]);

      const changed = machinesConfig(key.privateKeyFile);
      const err = await keyPairStep(changed).plan({ ...ctx, config: changed }).catch((e: Error) => e);
      expect(String(err)).toMatch(/key pair kx-lab holds the key SHA256:\S+, but the configured SSH key is SHA256:\S+/);
    } finally {
      other.cleanup();
    }
  });

  it("refuses a key pair of the same name that kx did not create", async () => {
    const ctx = await preparedContext(fake(), config);
    const ec2 = await ctx.aws.ec2();
    await ec2.send(new ImportKeyPairCommand({ KeyName: "kx-lab", PublicKeyMaterial: Buffer.from(key.publicKey) }));
    await expect(applyAll(ctx, [keyPairStep(config)])).rejects.toThrow(/an EC2 key pair named kx-lab exists but kx did not create it for cluster lab/);
  });
});
