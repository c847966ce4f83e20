import { describe, expect, it } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import { EC2Client, RunInstancesCommand, CreateLaunchTemplateCommand, DescribeInstancesCommand, TerminateInstancesCommand, DeleteSubnetCommand, CreateSubnetCommand, CreateVpcCommand } from "@aws-sdk/client-ec2";
import {
  ElasticLoadBalancingV2Client,
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  DeleteLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DeleteTargetGroupCommand,
  RegisterTargetsCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  CreateListenerCommand,
  DescribeListenersCommand,
  DeleteListenerCommand,
  AddTagsCommand,
  DescribeTagsCommand,
  RemoveTagsCommand,
  ModifyLoadBalancerAttributesCommand,
  DescribeLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  DescribeTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
  SetDesiredCapacityCommand,
  DeleteAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DescribeTagsCommand as DescribeAsgTagsCommand,
  DescribeScalingActivitiesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { clientConfig, failure, until, useFake } from "./fake.js";
import { image, network } from "./world.js";

const fake = useFake({ hosts: [{ address: "127.0.1.2", hostKeys: [] }, { address: "127.0.1.3", hostKeys: [] }, { address: "127.0.1.4", hostKeys: [] }] });
let ec2c: EC2Client | undefined;
let elbc: ElasticLoadBalancingV2Client | undefined;
let asgc: AutoScalingClient | undefined;
const ec2 = () => (ec2c ??= new EC2Client(clientConfig(fake())));
const elb = () => (elbc ??= new ElasticLoadBalancingV2Client(clientConfig(fake())));
const asg = () => (asgc ??= new AutoScalingClient(clientConfig(fake())));

describe("network load balancers", () => {
  it("provision → active, listener → target health initial → healthy, and guard deletion", async () => {
    const net = await network(ec2());
    fake().setLatencyScale(1);
    const lb = await elb().send(new CreateLoadBalancerCommand({ Name: "kx-a-api", Type: "network", Scheme: "internal", Subnets: net.privateSubnets, Tags: [{ Key: "kx:cluster", Value: "a" }] }));
    const l = lb.LoadBalancers![0];
    expect(l).toMatchObject({ LoadBalancerName: "kx-a-api", Type: "network", Scheme: "internal", VpcId: net.vpcId, State: { Code: "provisioning" } });
    expect(l.DNSName).toMatch(/^kx-a-api-[0-9a-f]{16}\.elb\.eu-west-1\.amazonaws\.com$/);
    expect(l.AvailabilityZones!.map((z) => z.ZoneName)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    const same = await elb().send(new CreateLoadBalancerCommand({ Name: "kx-a-api", Type: "network", Scheme: "internal", Subnets: net.privateSubnets, Tags: [{ Key: "kx:cluster", Value: "a" }] }));
    expect(same.LoadBalancers![0].LoadBalancerArn).toBe(l.LoadBalancerArn);
    expect((await failure(elb().send(new CreateLoadBalancerCommand({ Name: "kx-a-api", Type: "network", Scheme: "internet-facing", Subnets: net.publicSubnets })))).name).toBe("DuplicateLoadBalancerNameException");
    expect((await elb().send(new DescribeLoadBalancersCommand({ Names: ["kx-a-api"] }))).LoadBalancers![0].State!.Code).toBe("provisioning");
    fake().setLatencyScale(0);
    await until(async () => (await elb().send(new DescribeLoadBalancersCommand({ Names: ["kx-a-api"] }))).LoadBalancers![0].State!.Code === "active");
    fake().setLatencyScale(1);
    expect((await failure(elb().send(new DescribeLoadBalancersCommand({ Names: ["nope"] })))).name).toBe("LoadBalancerNotFoundException");

    await elb().send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: l.LoadBalancerArn, Attributes: [{ Key: "load_balancing.cross_zone.enabled", Value: "true" }] }));
    const lbAttrs = await elb().send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: l.LoadBalancerArn }));
    expect(lbAttrs.Attributes).toContainEqual({ Key: "load_balancing.cross_zone.enabled", Value: "true" });
    const tg = (await elb().send(new CreateTargetGroupCommand({ Name: "kx-a-api", Protocol: "TCP", Port: 6443, VpcId: net.vpcId, TargetType: "ip", HealthCheckProtocol: "HTTPS", HealthCheckPath: "/readyz" }))).TargetGroups![0];
    expect(tg).toMatchObject({ TargetType: "ip", Protocol: "TCP", Port: 6443, HealthCheckPath: "/readyz", LoadBalancerArns: [] });
    await elb().send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "30" }] }));
    expect((await elb().send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }))).Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "30" });
    await elb().send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: "127.0.1.2" }, { Id: "127.0.1.3" }] }));
    const unused = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(unused.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State)).toEqual(["unused", "unused"]);
    const listener = (await elb().send(new CreateListenerCommand({ LoadBalancerArn: l.LoadBalancerArn, Protocol: "TCP", Port: 6443, DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }] }))).Listeners![0];
    expect(listener).toMatchObject({ Port: 6443, Protocol: "TCP", DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }] });
    expect((await failure(elb().send(new CreateListenerCommand({ LoadBalancerArn: l.LoadBalancerArn, Protocol: "UDP", Port: 6443, DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }] })))).name).toBe("DuplicateListenerException");
    const initial = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(initial.TargetHealthDescriptions![0].TargetHealth).toMatchObject({ State: "initial", Reason: "Elb.RegistrationInProgress" });
    fake().setLatencyScale(0);
    const healthy = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(healthy.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State)).toEqual(["healthy", "healthy"]);
    fake().setLatencyScale(1);
    expect((await elb().send(new DescribeTargetGroupsCommand({ LoadBalancerArn: l.LoadBalancerArn }))).TargetGroups![0].LoadBalancerArns).toEqual([l.LoadBalancerArn]);
    expect((await elb().send(new DescribeListenersCommand({ LoadBalancerArn: l.LoadBalancerArn }))).Listeners).toHaveLength(1);

    await elb().send(new DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: "127.0.1.3" }] }));
    const draining = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: "127.0.1.3" }] }));
    expect(draining.TargetHealthDescriptions![0].TargetHealth!.State).toBe("draining");
    fake().setLatencyScale(0);

    await elb().send(new AddTagsCommand({ ResourceArns: [l.LoadBalancerArn!, tg.TargetGroupArn!], Tags: [{ Key: "Name", Value: "api" }] }));
    await elb().send(new RemoveTagsCommand({ ResourceArns: [l.LoadBalancerArn!], TagKeys: ["kx:cluster"] }));
    const tags = await elb().send(new DescribeTagsCommand({ ResourceArns: [l.LoadBalancerArn!, tg.TargetGroupArn!] }));
    expect(tags.TagDescriptions!.map((d) => d.Tags)).toEqual([[{ Key: "Name", Value: "api" }], [{ Key: "Name", Value: "api" }]]);

    expect((await failure(elb().send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn })))).name).toBe("ResourceInUseException");
    expect((await failure(ec2().send(new DeleteSubnetCommand({ SubnetId: net.privateSubnets[0] })))).name).toBe("DependencyViolation");
    await elb().send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
    expect((await failure(elb().send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn })))).name).toBe("ListenerNotFoundException");
    await elb().send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect((await failure(elb().send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg.TargetGroupArn!] })))).name).toBe("TargetGroupNotFoundException");
    await elb().send(new DeleteLoadBalancerCommand({ LoadBalancerArn: l.LoadBalancerArn }));
    await elb().send(new DeleteLoadBalancerCommand({ LoadBalancerArn: l.LoadBalancerArn }));
    expect((await elb().send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    await until(async () => {
      try {
        await ec2().send(new DeleteSubnetCommand({ SubnetId: net.privateSubnets[0] }));
        return true;
      } catch {
        return false;
      }
    });
  });

  it("reports instance targets by their instance's state", async () => {
    const net = await network(ec2());
    const ami = image(fake());
    fake().setLatencyScale(1);
    const inst = (await ec2().send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, SubnetId: net.privateSubnets[0] }))).Instances![0];
    const lb = (await elb().send(new CreateLoadBalancerCommand({ Name: "ingress", Type: "network", Scheme: "internal", Subnets: [net.privateSubnets[0]] }))).LoadBalancers![0];
    const tg = (await elb().send(new CreateTargetGroupCommand({ Name: "ingress", Protocol: "TCP", Port: 443, VpcId: net.vpcId, TargetType: "instance" }))).TargetGroups![0];
    await elb().send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: "TCP", Port: 443, DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }] }));
    await elb().send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: inst.InstanceId }] }));
    const health = async () => (await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0].TargetHealth;
    expect(await health()).toMatchObject({ State: "initial" });
    fake().setLatencyScale(0);
    expect(await until(async () => (await health())!.State === "healthy")).toBe(true);
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
    expect(await until(async () => (await health())!.Reason === "Target.InvalidState")).toBe(true);
    expect((await failure(elb().send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: "i-0123456789abcdef0" }] })))).name).toBe("InvalidTargetException");
  });

  it("with probing on, a target is healthy only while something listens on its health-check port", async () => {
    fake().setProbeTargets(true);
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const net = await network(ec2());
      const lb = (await elb().send(new CreateLoadBalancerCommand({ Name: "probe", Type: "network", Scheme: "internal", Subnets: [net.privateSubnets[0]] }))).LoadBalancers![0];
      const tg = (await elb().send(new CreateTargetGroupCommand({ Name: "probe", Protocol: "TCP", Port: port, VpcId: net.vpcId, TargetType: "ip" }))).TargetGroups![0];
      await elb().send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: "TCP", Port: 443, DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }] }));
      await elb().send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: "127.0.0.1" }] }));
      const state = async () => (await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0].TargetHealth!.State;
      expect(await until(async () => (await state()) === "healthy")).toBe(true);
      await new Promise<void>((r) => server.close(() => r()));
      expect(await state()).toBe("unhealthy");
    } finally {
      server.close();
    }
  });

  it("refuses an internet-facing load balancer in a VPC with no internet gateway, and two subnets in one zone", async () => {
    const vpcId = (await ec2().send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
    const a = (await ec2().send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.9.1.0/24", AvailabilityZone: "eu-west-1a" }))).Subnet!.SubnetId!;
    const b = (await ec2().send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.9.2.0/24", AvailabilityZone: "eu-west-1a" }))).Subnet!.SubnetId!;
    expect((await failure(elb().send(new CreateLoadBalancerCommand({ Name: "pub", Type: "network", Scheme: "internet-facing", Subnets: [a] })))).name).toBe("InvalidSubnetException");
    expect((await failure(elb().send(new CreateLoadBalancerCommand({ Name: "two", Type: "network", Scheme: "internal", Subnets: [a, b] })))).name).toBe("InvalidConfigurationRequestException");
    expect((await failure(elb().send(new CreateLoadBalancerCommand({ Name: "bad", Type: "network", Scheme: "internal", Subnets: ["subnet-0123456789abcdef0"] })))).name).toBe("SubnetNotFoundException");
  });
});

describe("auto scaling groups", () => {
  it("launch from the template into the subnets round robin, tagged, registered with the target group, and follow desired capacity", async () => {
    const net = await network(ec2());
    const ami = image(fake());
    const lt = await ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "kx-a-workers", LaunchTemplateData: { ImageId: ami, InstanceType: "m6i.large", SecurityGroupIds: [net.sgId] } }));
    const tg = (await elb().send(new CreateTargetGroupCommand({ Name: "ingress", Protocol: "TCP", Port: 443, VpcId: net.vpcId, TargetType: "instance" }))).TargetGroups![0];
    await asg().send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "kx-a-workers",
        LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId, Version: "$Latest" },
        MinSize: 0,
        MaxSize: 5,
        DesiredCapacity: 3,
        VPCZoneIdentifier: net.privateSubnets.join(","),
        TargetGroupARNs: [tg.TargetGroupArn!],
        Tags: [
          { Key: "kx:cluster", Value: "a", PropagateAtLaunch: true, ResourceId: "kx-a-workers", ResourceType: "auto-scaling-group" },
          { Key: "Name", Value: "worker", PropagateAtLaunch: true, ResourceId: "kx-a-workers", ResourceType: "auto-scaling-group" },
          { Key: "only-group", Value: "x", PropagateAtLaunch: false, ResourceId: "kx-a-workers", ResourceType: "auto-scaling-group" },
        ],
      }),
    );
    expect((await failure(asg().send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "kx-a-workers", LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId }, MinSize: 0, MaxSize: 1, VPCZoneIdentifier: net.privateSubnets[0] })))).name).toBe("AlreadyExistsFault");
    const g = (await asg().send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["a"] }] }))).AutoScalingGroups![0];
    expect(g).toMatchObject({ AutoScalingGroupName: "kx-a-workers", DesiredCapacity: 3, MinSize: 0, MaxSize: 5 });
    expect(g.Instances).toHaveLength(3);
    const d = await ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: "tag:aws:autoscaling:groupName", Values: ["kx-a-workers"] }] }));
    const insts = d.Reservations!.flatMap((r) => r.Instances!);
    expect(insts.map((i) => i.SubnetId).sort()).toEqual([...net.privateSubnets].sort());
    expect(insts.map((i) => i.PrivateIpAddress).sort()).toEqual(["127.0.1.2", "127.0.1.3", "127.0.1.4"]);
    for (const i of insts) {
      const tags = Object.fromEntries(i.Tags!.map((t) => [t.Key, t.Value]));
      expect(tags).toMatchObject({ "kx:cluster": "a", Name: "worker", "aws:autoscaling:groupName": "kx-a-workers" });
      expect(tags["only-group"]).toBeUndefined();
    }
    const health = await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
    expect(health.TargetHealthDescriptions!.map((h) => h.Target!.Id).sort()).toEqual(insts.map((i) => i.InstanceId).sort());

    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [insts[0].InstanceId!] }));
    await until(async () => {
      const gg = (await asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["kx-a-workers"] }))).AutoScalingGroups![0];
      return gg.Instances!.filter((i) => i.LifecycleState !== "Terminating").length === 3 && !gg.Instances!.some((i) => i.InstanceId === insts[0].InstanceId);
    });

    const victim = (await asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["kx-a-workers"] }))).AutoScalingGroups![0].Instances!.find((i) => i.LifecycleState === "InService" || i.LifecycleState === "Pending")!;
    const term = await asg().send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim.InstanceId, ShouldDecrementDesiredCapacity: true }));
    expect(term.Activity!.Description).toContain(victim.InstanceId!);
    expect((await asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["kx-a-workers"] }))).AutoScalingGroups![0].DesiredCapacity).toBe(2);
    await asg().send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "kx-a-workers", DesiredCapacity: 1 }));
    await until(async () => {
      const gg = (await asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["kx-a-workers"] }))).AutoScalingGroups![0];
      return gg.Instances!.length === 1;
    });
    expect((await failure(asg().send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "kx-a-workers", DesiredCapacity: 9 })))).name).toBe("ValidationError");
    await asg().send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "kx-a-workers", MaxSize: 2, DesiredCapacity: 2 }));
    expect((await asg().send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["kx-a-workers"] }))).AutoScalingGroups![0]).toMatchObject({ MaxSize: 2, DesiredCapacity: 2 });

    await asg().send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: "kx-a-workers", ResourceType: "auto-scaling-group", Key: "Name", Value: "w2", PropagateAtLaunch: true }] }));
    const tags = await asg().send(new DescribeAsgTagsCommand({ Filters: [{ Name: "auto-scaling-group", Values: ["kx-a-workers"] }, { Name: "key", Values: ["Name"] }] }));
    expect(tags.Tags).toEqual([{ ResourceId: "kx-a-workers", ResourceType: "auto-scaling-group", Key: "Name", Value: "w2", PropagateAtLaunch: true }]);
    const acts = await asg().send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "kx-a-workers" }));
    expect(acts.Activities!.some((a) => a.StatusCode === "Successful")).toBe(true);

    expect((await failure(asg().send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: "kx-a-workers" })))).name).toBe("ResourceInUseFault");
    await asg().send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: "kx-a-workers", ForceDelete: true }));
    await until(async () => (await asg().send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!.length === 0);
    expect((await failure(asg().send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "kx-a-workers", DesiredCapacity: 1 })))).name).toBe("ValidationError");
  });

  it("records failed launches and retries them, and validates its inputs", async () => {
    const net = await network(ec2());
    const lt = await ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "broken", LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro" } }));
    await asg().send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "broken", LaunchTemplate: { LaunchTemplateName: "broken" }, MinSize: 1, MaxSize: 1, VPCZoneIdentifier: net.privateSubnets[0] }));
    const acts = await until(async () => (await asg().send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "broken" }))).Activities!.find((a) => a.StatusCode === "Failed"));
    expect(acts.StatusMessage).toContain("InvalidAMIID.NotFound");
    expect(lt.LaunchTemplate!.LaunchTemplateId).toBeTruthy();
    expect((await failure(asg().send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "x", LaunchTemplate: { LaunchTemplateName: "missing" }, MinSize: 1, MaxSize: 1, VPCZoneIdentifier: net.privateSubnets[0] })))).name).toBe("ValidationError");
    expect((await failure(asg().send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "y", LaunchTemplate: { LaunchTemplateName: "broken" }, MinSize: 2, MaxSize: 1, VPCZoneIdentifier: net.privateSubnets[0] })))).name).toBe("ValidationError");
  });
});
