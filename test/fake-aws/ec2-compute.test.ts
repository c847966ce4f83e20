import { describe, expect, it } from "vitest";
import {
  EC2Client,
  AuthorizeSecurityGroupIngressCommand,
  AuthorizeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  RevokeSecurityGroupEgressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSecurityGroupRulesCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcCommand,
  ImportKeyPairCommand,
  DescribeKeyPairsCommand,
  DeleteKeyPairCommand,
  DescribeImagesCommand,
  RegisterImageCommand,
  DeregisterImageCommand,
  RunInstancesCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
  GetConsoleOutputCommand,
  ModifyInstanceMetadataOptionsCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  ModifyLaunchTemplateCommand,
  DeleteNetworkInterfaceCommand,
  DeleteLaunchTemplateCommand,
  DescribeNetworkInterfacesCommand,
  DeleteSubnetCommand,
} from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { clientConfig, failure, until, useFake } from "./fake.js";
import { ed25519PublicKey, image, instanceProfile, keyPair, network } from "./world.js";

const HOST_KEY_A = ed25519PublicKey("a").split(" ").slice(0, 2).join(" ");
const HOST_KEY_B = ed25519PublicKey("b").split(" ").slice(0, 2).join(" ");
const fake = useFake({ hosts: [{ address: "127.0.1.2", hostKeys: [HOST_KEY_A] }, { address: "127.0.1.3", hostKeys: [HOST_KEY_B] }] });
let ec2c: EC2Client | undefined;
let iamc: IAMClient | undefined;
const ec2 = () => (ec2c ??= new EC2Client(clientConfig(fake())));
const iam = () => (iamc ??= new IAMClient(clientConfig(fake())));

describe("security groups", () => {
  it("authorizes, describes, revokes rules, and guards deletion while referenced", async () => {
    const net = await network(ec2());
    const other = (await ec2().send(new CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: "lb", Description: "lb" }))).GroupId!;
    expect((await failure(ec2().send(new CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: "lb", Description: "again" })))).name).toBe("InvalidGroup.Duplicate");
    expect((await failure(ec2().send(new CreateSecurityGroupCommand({ GroupName: "x", Description: "x" })))).name).toBe("VPCIdNotSpecified");
    const auth = await ec2().send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: net.sgId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 6443, ToPort: 6443, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "api" }] },
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: other }] },
        ],
      }),
    );
    expect(auth.Return).toBe(true);
    expect(auth.SecurityGroupRules).toHaveLength(2);
    expect(auth.SecurityGroupRules![0]).toMatchObject({ GroupId: net.sgId, IsEgress: false, IpProtocol: "tcp", FromPort: 6443, CidrIpv4: "10.0.0.0/16" });
    const dup = await failure(ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.sgId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 6443, ToPort: 6443, IpRanges: [{ CidrIp: "10.0.0.0/16" }] }] })));
    expect(dup.name).toBe("InvalidPermission.Duplicate");
    const d = await ec2().send(new DescribeSecurityGroupsCommand({ GroupIds: [net.sgId] }));
    const perms = d.SecurityGroups![0].IpPermissions!;
    expect(perms.find((p) => p.FromPort === 6443)!.IpRanges).toEqual([{ CidrIp: "10.0.0.0/16", Description: "api" }]);
    expect(perms.find((p) => p.FromPort === 22)!.UserIdGroupPairs![0].GroupId).toBe(other);
    expect(d.SecurityGroups![0].IpPermissionsEgress![0]).toMatchObject({ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] });
    const byName = await ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["lb"] }, { Name: "vpc-id", Values: [net.vpcId] }] }));
    expect(byName.SecurityGroups!.map((g) => g.GroupId)).toEqual([other]);
    const rules = await ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [net.sgId] }] }));
    expect(rules.SecurityGroupRules!.filter((r) => !r.IsEgress)).toHaveLength(2);

    expect((await failure(ec2().send(new DeleteSecurityGroupCommand({ GroupId: other })))).name).toBe("DependencyViolation");
    await ec2().send(new RevokeSecurityGroupIngressCommand({ GroupId: net.sgId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: other }] }] }));
    expect((await failure(ec2().send(new RevokeSecurityGroupIngressCommand({ GroupId: net.sgId, IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: other }] }] })))).name).toBe(
      "InvalidPermission.NotFound",
    );
    await ec2().send(new AuthorizeSecurityGroupEgressCommand({ GroupId: other, IpPermissions: [{ IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: "10.0.0.2/32" }] }] }));
    await ec2().send(new RevokeSecurityGroupEgressCommand({ GroupId: other, IpPermissions: [{ IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: "10.0.0.2/32" }] }] }));
    await ec2().send(new DeleteSecurityGroupCommand({ GroupId: other }));
    expect((await failure(ec2().send(new DescribeSecurityGroupsCommand({ GroupIds: [other] })))).name).toBe("InvalidGroup.NotFound");
    const def = await ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }));
    expect((await failure(ec2().send(new DeleteSecurityGroupCommand({ GroupId: def.SecurityGroups![0].GroupId! })))).name).toBe("CannotDelete");
    expect((await failure(ec2().send(new DeleteVpcCommand({ VpcId: net.vpcId })))).name).toBe("DependencyViolation");
  });
});

describe("key pairs and images", () => {
  it("imports, describes and deletes key pairs", async () => {
    const r = await ec2().send(new ImportKeyPairCommand({ KeyName: "k", PublicKeyMaterial: Buffer.from(ed25519PublicKey()), TagSpecifications: [{ ResourceType: "key-pair", Tags: [{ Key: "kx:cluster", Value: "a" }] }] }));
    expect(r.KeyFingerprint).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect((await failure(ec2().send(new ImportKeyPairCommand({ KeyName: "k", PublicKeyMaterial: Buffer.from(ed25519PublicKey()) })))).name).toBe("InvalidKeyPair.Duplicate");
    expect((await failure(ec2().send(new ImportKeyPairCommand({ KeyName: "bad", PublicKeyMaterial: Buffer.from("not a key") })))).name).toBe("InvalidKey.Format");
    const d = await ec2().send(new DescribeKeyPairsCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["a"] }] }));
    expect(d.KeyPairs!.map((k) => [k.KeyName, k.KeyType])).toEqual([["k", "ed25519"]]);
    expect((await failure(ec2().send(new DescribeKeyPairsCommand({ KeyNames: ["missing"] })))).name).toBe("InvalidKeyPair.NotFound");
    await ec2().send(new DeleteKeyPairCommand({ KeyName: "k" }));
    expect((await ec2().send(new DescribeKeyPairsCommand({}))).KeyPairs).toEqual([]);
  });

  it("finds registered images by owner, name and tag, and deregisters them", async () => {
    const mine = image(fake(), "kx-node-1.31-aaa");
    fake().registerImage({ name: "ubuntu-noble-24.04-amd64-server-20250101", ownerId: "099720109477" });
    const self = await ec2().send(new DescribeImagesCommand({ Owners: ["self"], Filters: [{ Name: "name", Values: ["kx-node-*"] }] }));
    expect(self.Images!.map((i) => i.ImageId)).toEqual([mine]);
    expect(self.Images![0]).toMatchObject({ State: "available", Architecture: "x86_64", RootDeviceName: "/dev/xvda" });
    const byTag = await ec2().send(new DescribeImagesCommand({ Filters: [{ Name: "tag:kx:image", Values: ["node"] }] }));
    expect(byTag.Images).toHaveLength(1);
    const canonical = await ec2().send(new DescribeImagesCommand({ Owners: ["099720109477"], Filters: [{ Name: "name", Values: ["ubuntu-noble-24.04-amd64-server-*"] }] }));
    expect(canonical.Images).toHaveLength(1);
    const reg = await ec2().send(new RegisterImageCommand({ Name: "registered", Architecture: "arm64", RootDeviceName: "/dev/xvda" }));
    expect((await ec2().send(new DescribeImagesCommand({ ImageIds: [reg.ImageId!] }))).Images![0].Architecture).toBe("arm64");
    await ec2().send(new DeregisterImageCommand({ ImageId: reg.ImageId! }));
    expect((await failure(ec2().send(new DescribeImagesCommand({ ImageIds: [reg.ImageId!] })))).name).toBe("InvalidAMIID.NotFound");
  });
});

describe("launch templates", () => {
  it("creates templates with versions, describes them, and rejects duplicates", async () => {
    const ami = image(fake());
    const data = {
      ImageId: ami,
      InstanceType: "m6i.large" as const,
      MetadataOptions: { HttpTokens: "required" as const, HttpPutResponseHopLimit: 2 },
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 50, VolumeType: "gp3" as const, Encrypted: true } }],
      TagSpecifications: [{ ResourceType: "instance" as const, Tags: [{ Key: "Name", Value: "node" }] }],
      UserData: Buffer.from("#cloud-config\n").toString("base64"),
    };
    const lt = await ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "kx-a-nodes", LaunchTemplateData: data, ClientToken: "lt-1", TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "kx:cluster", Value: "a" }] }] }));
    const id = lt.LaunchTemplate!.LaunchTemplateId!;
    expect(lt.LaunchTemplate).toMatchObject({ LaunchTemplateName: "kx-a-nodes", DefaultVersionNumber: 1, LatestVersionNumber: 1 });
    const replay = await ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "kx-a-nodes", LaunchTemplateData: data, ClientToken: "lt-1", TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "kx:cluster", Value: "a" }] }] }));
    expect(replay.LaunchTemplate!.LaunchTemplateId).toBe(id);
    expect((await failure(ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "kx-a-nodes", LaunchTemplateData: data })))).name).toBe("InvalidLaunchTemplateName.AlreadyExistsException");
    const v2 = await ec2().send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, SourceVersion: "1", LaunchTemplateData: { InstanceType: "m6i.xlarge" } }));
    expect(v2.LaunchTemplateVersion).toMatchObject({ VersionNumber: 2, DefaultVersion: false });
    expect(v2.LaunchTemplateVersion!.LaunchTemplateData).toMatchObject({ ImageId: ami, InstanceType: "m6i.xlarge", MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2 } });
    await ec2().send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: "2" }));
    const versions = await ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ["$Default"] }));
    expect(versions.LaunchTemplateVersions!.map((v) => v.VersionNumber)).toEqual([2]);
    expect(versions.LaunchTemplateVersions![0].LaunchTemplateData!.BlockDeviceMappings![0].Ebs).toMatchObject({ VolumeSize: 50, Encrypted: true });
    expect(versions.LaunchTemplateVersions![0].LaunchTemplateData!.TagSpecifications![0].Tags).toEqual([{ Key: "Name", Value: "node" }]);
    const byTag = await ec2().send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["a"] }] }));
    expect(byTag.LaunchTemplates!.map((t) => t.LatestVersionNumber)).toEqual([2]);
    expect((await failure(ec2().send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ["nope"] })))).name).toBe("InvalidLaunchTemplateName.NotFoundException");
    expect((await failure(ec2().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ["9"] })))).name).toBe("InvalidLaunchTemplateId.VersionNotFound");
    await ec2().send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: id }));
    expect((await failure(ec2().send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] })))).name).toBe("InvalidLaunchTemplateId.NotFound");
  });
});

describe("instances", () => {
  it("launch on test hosts: pending → running, console shows the host keys only after a while, terminate leaves them visible", async () => {
    const net = await network(ec2());
    const ami = image(fake());
    const key = await keyPair(ec2());
    const profile = await instanceProfile(iam());
    fake().setLatencyScale(1);
    const run = await ec2().send(
      new RunInstancesCommand({
        ImageId: ami,
        InstanceType: "t3.medium",
        MinCount: 1,
        MaxCount: 1,
        KeyName: key,
        SubnetId: net.privateSubnets[0],
        SecurityGroupIds: [net.sgId],
        IamInstanceProfile: { Arn: profile },
        MetadataOptions: { HttpTokens: "required" },
        ClientToken: "cp-0",
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "cp-0" }, { Key: "kx:cluster", Value: "a" }] }],
      }),
    );
    const inst = run.Instances![0];
    expect(inst).toMatchObject({ State: { Name: "pending", Code: 0 }, PrivateIpAddress: "127.0.1.2", PrivateDnsName: "ip-127-0-1-2.eu-west-1.compute.internal", SubnetId: net.privateSubnets[0], VpcId: net.vpcId, KeyName: key });
    expect(inst.PublicIpAddress).toBeUndefined();
    expect(inst.MetadataOptions).toMatchObject({ HttpTokens: "required" });
    expect(inst.IamInstanceProfile!.Arn).toBe(profile);

    const replay = await ec2().send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.medium", MinCount: 1, MaxCount: 1, KeyName: key, SubnetId: net.privateSubnets[0], SecurityGroupIds: [net.sgId], IamInstanceProfile: { Arn: profile }, MetadataOptions: { HttpTokens: "required" }, ClientToken: "cp-0", TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "cp-0" }, { Key: "kx:cluster", Value: "a" }] }] }));
    expect(replay.Instances![0].InstanceId).toBe(inst.InstanceId);
    expect((await failure(ec2().send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.large", MinCount: 1, MaxCount: 1, SubnetId: net.privateSubnets[0], ClientToken: "cp-0" })))).name).toBe("IdempotentParameterMismatch");

    const early = await ec2().send(new GetConsoleOutputCommand({ InstanceId: inst.InstanceId! }));
    expect(early.Output).toBeUndefined();
    fake().setLatencyScale(0);
    const running = await until(async () => {
      const d = await ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["a"] }, { Name: "instance-state-name", Values: ["running"] }] }));
      return d.Reservations![0]?.Instances![0];
    });
    expect(running.InstanceId).toBe(inst.InstanceId);
    const output = await until(async () => (await ec2().send(new GetConsoleOutputCommand({ InstanceId: inst.InstanceId! }))).Output);
    const text = Buffer.from(output, "base64").toString();
    const block = /-----BEGIN SSH HOST KEY KEYS-----\r?\n([\s\S]*?)\r?\n-----END SSH HOST KEY KEYS-----/.exec(text);
    expect(block![1].split(/\r?\n/).map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual([HOST_KEY_A]);
    expect(text).toContain("-----BEGIN SSH HOST KEY FINGERPRINTS-----");

    expect((await failure(ec2().send(new DeleteSubnetCommand({ SubnetId: net.privateSubnets[0] })))).name).toBe("DependencyViolation");
    expect((await failure(ec2().send(new DeleteSecurityGroupCommand({ GroupId: net.sgId })))).name).toBe("DependencyViolation");
    const eni = (await ec2().send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [inst.InstanceId!] }] }))).NetworkInterfaces![0];
    expect(eni).toMatchObject({ PrivateIpAddress: "127.0.1.2", Status: "in-use", InterfaceType: "interface", Attachment: { InstanceId: inst.InstanceId } });
    expect((await failure(ec2().send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId! })))).name).toBe("InvalidNetworkInterface.InUse");
    expect((await failure(ec2().send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: "eni-0123456789abcdef0" })))).name).toBe("InvalidNetworkInterfaceID.NotFound");

    const mod = await ec2().send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: inst.InstanceId!, HttpPutResponseHopLimit: 2 }));
    expect(mod.InstanceMetadataOptions).toMatchObject({ HttpTokens: "required", HttpPutResponseHopLimit: 2 });

    const term = await ec2().send(new TerminateInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
    expect(term.TerminatingInstances![0]).toMatchObject({ PreviousState: { Name: "running" }, CurrentState: { Name: "shutting-down" } });
    const gone = await until(async () => {
      const d = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
      return d.Reservations![0].Instances![0].State!.Name === "terminated" && d.Reservations![0].Instances![0];
    });
    expect(gone.PrivateIpAddress).toBeUndefined();
    expect((await ec2().send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [net.privateSubnets[0]] }] }))).NetworkInterfaces).toEqual([]);
    await ec2().send(new DeleteSubnetCommand({ SubnetId: net.privateSubnets[0] }));
  });

  it("gives a public-subnet instance a host address as its public IP, and falls back to subnet addresses beyond the hosts", async () => {
    const net = await network(ec2());
    const ami = image(fake());
    const bastion = await ec2().send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, SubnetId: net.publicSubnets[0] }));
    expect(bastion.Instances![0]).toMatchObject({ PublicIpAddress: "127.0.1.2", PrivateIpAddress: "127.0.1.2" });
    const more = await ec2().send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 2, MaxCount: 2, SubnetId: net.privateSubnets[1] }));
    expect(more.Instances![0].PrivateIpAddress).toBe("127.0.1.3");
    expect(more.Instances![1].PrivateIpAddress).toMatch(/^10\.0\.11\.\d+$/);
    expect(more.Instances![1].PrivateDnsName).toBe(`ip-${more.Instances![1].PrivateIpAddress!.replaceAll(".", "-")}.eu-west-1.compute.internal`);
    const d = await ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: "subnet-id", Values: [net.privateSubnets[1]] }] }));
    expect(d.Reservations).toHaveLength(1);
    expect(d.Reservations![0].Instances).toHaveLength(2);
  });

  it("rejects bad launches with AWS's codes", async () => {
    const net = await network(ec2());
    const ami = image(fake());
    const base = { ImageId: ami, InstanceType: "t3.micro" as const, MinCount: 1, MaxCount: 1, SubnetId: net.privateSubnets[0] };
    expect((await failure(ec2().send(new RunInstancesCommand({ ...base, ImageId: "ami-0123456789abcdef0" })))).name).toBe("InvalidAMIID.NotFound");
    expect((await failure(ec2().send(new RunInstancesCommand({ ...base, InstanceType: "x9.huge" as never })))).name).toBe("InvalidParameterValue");
    expect((await failure(ec2().send(new RunInstancesCommand({ ...base, KeyName: "missing" })))).name).toBe("InvalidKeyPair.NotFound");
    expect((await failure(ec2().send(new RunInstancesCommand({ ...base, SubnetId: undefined })))).name).toBe("VPCIdNotSpecified");
    expect((await failure(ec2().send(new RunInstancesCommand({ ...base, IamInstanceProfile: { Name: "missing" } })))).name).toBe("InvalidParameterValue");
    expect((await failure(ec2().send(new RunInstancesCommand({ ...base, UserData: Buffer.alloc(20000).toString("base64") })))).name).toBe("InvalidParameterValue");
    expect((await failure(ec2().send(new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })))).name).toBe("InvalidInstanceID.NotFound");
    expect((await failure(ec2().send(new TerminateInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })))).name).toBe("InvalidInstanceID.NotFound");
  });

  it("launches from a launch template with overrides", async () => {
    const net = await network(ec2());
    const ami = image(fake());
    const lt = await ec2().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "tmpl", LaunchTemplateData: { ImageId: ami, InstanceType: "t3.small", SecurityGroupIds: [net.sgId] } }));
    const r = await ec2().send(new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId, Version: "$Latest" }, MinCount: 1, MaxCount: 1, SubnetId: net.privateSubnets[2], InstanceType: "t3.large" }));
    expect(r.Instances![0]).toMatchObject({ ImageId: ami, InstanceType: "t3.large", SubnetId: net.privateSubnets[2] });
    expect(r.Instances![0].SecurityGroups!.map((g) => g.GroupId)).toEqual([net.sgId]);
  });

  it("gives a host with a name pattern only to a matching instance, and frees hosts when instances terminate", async () => {
    fake().setHosts([
      { address: "127.0.1.2", hostKeys: [HOST_KEY_A] },
      { address: "127.0.1.5", hostKeys: [HOST_KEY_B], namePattern: "*-bastion" },
    ]);
    const net = await network(ec2());
    const ami = image(fake());
    const named = (name: string) => ({ ImageId: ami, InstanceType: "t3.micro" as const, MinCount: 1, MaxCount: 1, SubnetId: net.privateSubnets[0], TagSpecifications: [{ ResourceType: "instance" as const, Tags: [{ Key: "Name", Value: name }] }] });
    const node = (await ec2().send(new RunInstancesCommand(named("a-node")))).Instances![0];
    const bastion = (await ec2().send(new RunInstancesCommand(named("a-bastion")))).Instances![0];
    expect([node.PrivateIpAddress, bastion.PrivateIpAddress]).toEqual(["127.0.1.2", "127.0.1.5"]);
    const extra = (await ec2().send(new RunInstancesCommand(named("b-node")))).Instances![0];
    expect(extra.PrivateIpAddress).toMatch(/^10\.0\.10\./);
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [node.InstanceId!] }));
    const terminated = await until(async () => {
      const d = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [node.InstanceId!] }));
      return d.Reservations![0].Instances![0].State!.Name === "terminated" && d;
    });
    expect(terminated.Reservations).toHaveLength(1);
    const replacement = (await ec2().send(new RunInstancesCommand(named("a-node")))).Instances![0];
    expect(replacement.PrivateIpAddress).toBe("127.0.1.2");
    const stillListed = await ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["terminated"] }] }));
    expect(stillListed.Reservations!.flatMap((r) => r.Instances!).map((i) => i.InstanceId)).toEqual([node.InstanceId]);
  });

  it("pages DescribeInstances and refuses MaxResults with instance ids", async () => {
    const net = await network(ec2());
    const ami = image(fake());
    const r = await ec2().send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 7, MaxCount: 7, SubnetId: net.privateSubnets[0] }));
    const p1 = await ec2().send(new DescribeInstancesCommand({ MaxResults: 5 }));
    const p2 = await ec2().send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: p1.NextToken }));
    const ids = [...p1.Reservations!, ...p2.Reservations!].flatMap((x) => x.Instances!.map((i) => i.InstanceId));
    expect(ids.sort()).toEqual(r.Instances!.map((i) => i.InstanceId).sort());
    expect(p2.NextToken).toBeUndefined();
    expect((await failure(ec2().send(new DescribeInstancesCommand({ InstanceIds: [ids[0]!], MaxResults: 5 })))).name).toBe("InvalidParameterCombination");
  });

  it("refuses an instance profile IAM has not propagated yet, as EC2 does for a few seconds", async () => {
    fake().setLatencyScale(1);
    const net = await network(ec2());
    const ami = image(fake());
    const profile = await instanceProfile(iam(), "fresh");
    const launch = () => ec2().send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, SubnetId: net.privateSubnets[0], IamInstanceProfile: { Arn: profile } }));
    expect((await failure(launch())).message).toContain("Invalid IAM Instance Profile");
    fake().setLatencyScale(0);
    const ok = await launch();
    expect(ok.Instances![0].IamInstanceProfile!.Arn).toBe(profile);
  });
});

