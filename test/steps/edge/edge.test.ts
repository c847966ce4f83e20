/**
 * The edge steps against the fake: the API NLB (IP targets, TCP health checks, scheme),
 * the private zone and its records, the bastion, and that a second run writes nothing.
 */
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, GetHostedZoneCommand, ListResourceRecordSetsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-route-53";
import {
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { edgeSteps, planApiTargets, registerApiTargets } from "../../../src/steps/edge/index.js";
import { keyPairStep } from "../../../src/steps/machines/key-pair.js";
import { nodeInstanceStep } from "../../../src/steps/machines/node-instance.js";
import { placements } from "../../../src/steps/machines/placement.js";
import { ImmutableFieldError } from "../../../src/aws/find.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import type { Step } from "../../../src/engine/types.js";
import type { KxContext } from "../../../src/steps/context.js";
import { applyAll, planAll, testContext, type TestContext } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";
import { freshContextLike, machinesConfig, preparedContext, sshKeyOnDisk, testHosts } from "../machines/world.js";

const key = sshKeyOnDisk();
const config = machinesConfig(key.privateKeyFile);
const hosts = testHosts(["etcd-a", "etcd-b", "etcd-c", "lab-bastion"]);
const fake = useFakeAws({ hosts, cleanup: key.cleanup });

/** Key pair, etcd instances (for their records) and the edge steps. */
function stepsFor(cfg: ClusterConfig): Step<KxContext>[] {
  return [keyPairStep(cfg), ...placements(cfg, "etcd").map((p) => nodeInstanceStep(cfg, p)), ...edgeSteps(cfg)];
}

async function created(cfg: ClusterConfig = config): Promise<TestContext> {
  const ctx = await preparedContext(fake(), cfg);
  await applyAll(ctx, stepsFor(cfg));
  return ctx;
}

describe("API server load balancer", () => {
  it("is an internal NLB in the private subnets, TCP 6443 to IP targets with TCP health checks", async () => {
    const ctx = await created();
    const out = ctx.outputs("edge/api-lb")!;
    const elb = await ctx.aws.elbv2();
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [out.loadBalancerArn as string] }))).LoadBalancers![0]!;
    expect(lb).toMatchObject({ Type: "network", Scheme: "internal", State: { Code: "active" }, DNSName: out.dnsName });
    expect(lb.SecurityGroups).toEqual([ctx.outputs("security/sg:api-lb")!.groupId]);
    const subnets = (lb.AvailabilityZones ?? []).map((z) => z.SubnetId).sort();
    expect(subnets).toEqual(config.zones.map((z) => ctx.outputs(`network/subnet-private:${z}`)!.subnetId).sort());

    const tg = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [out.targetGroupArn as string] }))).TargetGroups![0]!;
    expect(tg).toMatchObject({ Protocol: "TCP", Port: 6443, TargetType: "ip", HealthCheckProtocol: "TCP", VpcId: ctx.outputs("network/vpc")!.vpcId });
    const listener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0]!;
    expect(listener).toMatchObject({ Protocol: "TCP", Port: 6443, ListenerArn: out.listenerArn });
    expect(listener.DefaultActions).toEqual([expect.objectContaining({ Type: "forward", TargetGroupArn: tg.TargetGroupArn })]);
  });

  it("registers the masters as IP targets once; a second registration calls nothing", async () => {
    const ctx = await created();
    const ips = ["10.0.64.5", "10.0.128.5", "10.0.192.5"];
    expect(await planApiTargets(ctx, ips)).toHaveLength(3);
    expect(await registerApiTargets(ctx, ips)).toEqual(ips);
    expect(await planApiTargets(ctx, ips)).toEqual([]);
    expect(await registerApiTargets(ctx, ips)).toEqual([]);
    expect(fake().calls().filter((c) => c.action === "RegisterTargets")).toHaveLength(1);
    const elb = await ctx.aws.elbv2();
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: ctx.outputs("edge/api-lb")!.targetGroupArn as string }));
    expect((health.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id, d.Target?.Port]).sort()).toEqual(ips.map((ip) => [ip, 6443]).sort());
  });

  it("refuses to change the scheme of a live load balancer, naming both values", async () => {
    const ctx = await created();
    const publicConfig = machinesConfig(key.privateKeyFile, { dns: { zone: "lab.example.com", publicZoneId: "Z0000000000000000PUB" } });
    const next = testContext({ config: publicConfig, aws: ctx.aws, outputs: Object.fromEntries(ctx.allOutputs()) });
    const lbStep = edgeSteps(publicConfig).find((s) => s.id === "edge/api-lb")!;
    const err = await lbStep.plan(next).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImmutableFieldError);
    expect(String(err)).toContain("scheme internet-facing wanted, internal found");
  });
});

describe("API target group adopted from an earlier run", () => {
  it("is refused when it has instance targets, naming both values", async () => {
    const ctx = await preparedContext(fake(), config);
    const elb = await ctx.aws.elbv2();
    await elb.send(
      new CreateTargetGroupCommand({
        Name: "lab-api",
        Protocol: "TCP",
        Port: 6443,
        VpcId: ctx.outputs("network/vpc")!.vpcId as string,
        TargetType: "instance",
        Tags: [{ Key: "kx:cluster", Value: "lab" }],
      }),
    );
    const step = edgeSteps(config).find((s) => s.id === "edge/api-lb")!;
    const err = await step.plan(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImmutableFieldError);
    expect(String(err)).toContain("target group lab-api: target type ip wanted, instance found");
  });
});

describe("DNS", () => {
  it("makes a private zone for the cluster's domain in the VPC, api → the NLB, etcd-a/b/c → the members", async () => {
    const ctx = await created();
    const out = ctx.outputs("edge/dns")!;
    expect(out).toEqual({ hostedZoneId: expect.any(String), apiFqdn: "api.lab.example.com" });
    const route53 = await ctx.aws.route53();
    const zone = await route53.send(new GetHostedZoneCommand({ Id: out.hostedZoneId as string }));
    expect(zone.HostedZone).toMatchObject({ Name: "lab.example.com.", Config: { PrivateZone: true } });
    expect(zone.VPCs).toEqual([expect.objectContaining({ VPCId: ctx.outputs("network/vpc")!.vpcId })]);
    const tags = await route53.send(new ListTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: out.hostedZoneId as string }));
    expect(Object.fromEntries((tags.ResourceTagSet?.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({ "kx:cluster": "lab", "kx:id": "edge/dns" });

    const records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: out.hostedZoneId as string }))).ResourceRecordSets ?? [];
    const api = records.find((r) => r.Name === "api.lab.example.com.")!;
    const lb = ctx.outputs("edge/api-lb")!;
    if (api.AliasTarget) {
      expect(api.Type).toBe("A");
      expect(api.AliasTarget.DNSName?.replace(/\.$/, "")).toBe(lb.dnsName);
    } else {
      expect(api).toMatchObject({ Type: "CNAME", ResourceRecords: [{ Value: lb.dnsName }] });
    }
    for (const p of placements(config, "etcd")) {
      const record = records.find((r) => r.Name === `${p.name}.lab.example.com.`);
      expect(record).toMatchObject({ Type: "A", ResourceRecords: [{ Value: ctx.outputs(p.stepId)!.privateIp }] });
    }
  });

  it("plans a missing member record as a create and a changed one as an update", async () => {
    const ctx = await created();
    const step = edgeSteps(config).find((s) => s.id === "edge/etcd-records")!;
    const route53 = await ctx.aws.route53();
    const zoneId = ctx.outputs("edge/dns")!.hostedZoneId as string;
    const set = (name: string, value: string) => ({ Name: name, Type: "A" as const, TTL: 300, ResourceRecords: [{ Value: value }] });
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            { Action: "DELETE", ResourceRecordSet: set("etcd-a.lab.example.com", ctx.outputs("machines/etcd:eu-west-1a")!.privateIp as string) },
            { Action: "UPSERT", ResourceRecordSet: set("etcd-b.lab.example.com", "10.9.9.9") },
          ],
        },
      }),
    );
    expect(await step.plan(ctx)).toEqual([
      { action: "create", target: "record etcd-a.lab.example.com" },
      { action: "update", target: "record etcd-b.lab.example.com" },
    ]);
    await step.apply(ctx, []);
    expect(await step.plan(ctx)).toEqual([]);
  });

  it("also publishes the API name in the public zone, with an internet-facing NLB in the public subnets", async () => {
    const base = await preparedContext(fake(), config);
    const route53 = await base.aws.route53();
    const pub = await route53.send(new CreateHostedZoneCommand({ Name: "lab.example.com", CallerReference: "public-zone-of-the-test" }));
    const publicZoneId = pub.HostedZone!.Id!.replace("/hostedzone/", "");
    const cfg = machinesConfig(key.privateKeyFile, { dns: { zone: "lab.example.com", publicZoneId } });
    const ctx = testContext({ config: cfg, aws: base.aws, outputs: Object.fromEntries(base.allOutputs()) });
    await applyAll(ctx, stepsFor(cfg));

    expect(ctx.outputs("edge/api-lb")!.scheme).toBe("internet-facing");
    const elb = await ctx.aws.elbv2();
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [ctx.outputs("edge/api-lb")!.loadBalancerArn as string] }))).LoadBalancers![0]!;
    expect((lb.AvailabilityZones ?? []).map((z) => z.SubnetId).sort()).toEqual(cfg.zones.map((z) => ctx.outputs(`network/subnet-public:${z}`)!.subnetId).sort());
    const records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: publicZoneId }))).ResourceRecordSets ?? [];
    expect(records.map((r) => r.Name)).toContain("api.lab.example.com.");
    expect(records.map((r) => r.Name)).not.toContain("etcd-a.lab.example.com.");
    expect(await planAll(ctx, stepsFor(cfg))).toEqual({});
  });
});

describe("bastion", () => {
  it("is in the first public subnet with a public IP, IMDSv2 hop 1, encrypted root, no instance profile, host keys pinned", async () => {
    const ctx = await created();
    const out = ctx.outputs("edge/bastion")!;
    const host = hosts.find((h) => h.namePattern === "lab-bastion")!;
    expect(out).toEqual({ instanceId: expect.stringMatching(/^i-/), publicIp: host.address, privateIp: host.address, hostKeys: host.hostKeys });
    const instance = ((fake().inventory() as Record<string, any[]>).instance ?? []).find((i) => i.id === out.instanceId);
    expect(instance.subnetId).toBe(ctx.outputs(`network/subnet-public:${config.zones[0]}`)!.subnetId);
    expect(instance.groups).toEqual([ctx.outputs("security/sg:bastion")!.groupId]);
    expect(instance.metadata).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(instance.volumes[0]).toMatchObject({ encrypted: true });
    expect(instance.iamProfile).toBeUndefined();
    expect(instance.tags).toMatchObject({ Name: "lab-bastion", "kx:id": "edge/bastion", "kx:role": "bastion" });
  });

  it("is left out when the config turns it off", () => {
    const cfg = machinesConfig(key.privateKeyFile, { ssh: { privateKeyFile: key.privateKeyFile, bastion: { enabled: false } } });
    expect(edgeSteps(cfg).map((s) => s.id)).toEqual(["edge/api-lb", "edge/dns", "edge/etcd-records"]);
  });
});

describe("the edge steps as a whole", () => {
  it("plan nothing and write nothing on a second run, also with the state lost", async () => {
    const ctx = await created();
    const steps = stepsFor(config);
    const writes = fake().counts().writes;
    expect(await planAll(ctx, steps)).toEqual({});
    await applyAll(ctx, steps);
    expect(fake().counts().writes).toBe(writes);

    const amnesic = await freshContextLike(fake(), ctx, (id) => !id.startsWith("edge/") && !id.startsWith("machines/"));
    expect(await planAll(amnesic, steps)).toEqual({});
    await applyAll(amnesic, steps);
    expect(fake().counts().writes).toBe(writes);
    for (const step of steps) expect(amnesic.outputs(step.id)).toEqual(ctx.outputs(step.id));
  });
});
