/**
 * Small builders shared by the contract tests: a network with public and private
 * subnets, an image, a key pair, an instance profile — made through the real SDK.
 */
import { generateKeyPairSync } from "node:crypto";
import {
  EC2Client,
  CreateVpcCommand,
  CreateSubnetCommand,
  CreateInternetGatewayCommand,
  AttachInternetGatewayCommand,
  ModifySubnetAttributeCommand,
  CreateSecurityGroupCommand,
  ImportKeyPairCommand,
} from "@aws-sdk/client-ec2";
import { IAMClient, CreateRoleCommand, CreateInstanceProfileCommand, AddRoleToInstanceProfileCommand } from "@aws-sdk/client-iam";
import type { Fake } from "./fake.js";

export function ed25519PublicKey(comment = "test"): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const type = Buffer.from("ssh-ed25519");
  return `ssh-ed25519 ${Buffer.concat([u32(type.length), type, u32(raw.length), raw]).toString("base64")} ${comment}`;
}

export interface Network {
  vpcId: string;
  publicSubnets: string[];
  privateSubnets: string[];
  sgId: string;
}

export async function network(ec2: EC2Client, cidr = "10.0.0.0/16"): Promise<Network> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const base = cidr.split(".").slice(0, 2).join(".");
  const publicSubnets: string[] = [];
  const privateSubnets: string[] = [];
  for (const [i, az] of ["a", "b", "c"].entries()) {
    const pub = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.${i}.0/24`, AvailabilityZone: `eu-west-1${az}` }))).Subnet!.SubnetId!;
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: pub, MapPublicIpOnLaunch: { Value: true } }));
    publicSubnets.push(pub);
    privateSubnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.${10 + i}.0/24`, AvailabilityZone: `eu-west-1${az}` }))).Subnet!.SubnetId!);
  }
  const sgId = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "nodes", Description: "nodes" }))).GroupId!;
  return { vpcId, publicSubnets, privateSubnets, sgId };
}

export function image(fake: Fake, name = "kx-node-1.31-abc", arch = "x86_64"): string {
  return fake.registerImage({ name, architecture: arch, tags: { "kx:image": "node" } });
}

export async function keyPair(ec2: EC2Client, name = "kx-test"): Promise<string> {
  await ec2.send(new ImportKeyPairCommand({ KeyName: name, PublicKeyMaterial: Buffer.from(ed25519PublicKey()) }));
  return name;
}

export async function instanceProfile(iam: IAMClient, name = "kx-node"): Promise<string> {
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  const p = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
  return p.InstanceProfile!.Arn!;
}
