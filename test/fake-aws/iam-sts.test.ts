import { describe, expect, it } from "vitest";
import {
  IAMClient,
  CreateRoleCommand,
  GetRoleCommand,
  DeleteRoleCommand,
  TagRoleCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  GetRolePolicyCommand,
  ListRolePoliciesCommand,
  DeleteRolePolicyCommand,
  AttachRolePolicyCommand,
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  CreateInstanceProfileCommand,
  GetInstanceProfileCommand,
  AddRoleToInstanceProfileCommand,
  RemoveRoleFromInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  ListInstanceProfilesCommand,
  TagInstanceProfileCommand,
  ListInstanceProfileTagsCommand,
  ListInstanceProfilesForRoleCommand,
  UntagRoleCommand,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { EC2Client, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";
import { Route53Client, CreateHostedZoneCommand, ListResourceRecordSetsCommand, ListHostedZonesByNameCommand } from "@aws-sdk/client-route-53";
import { clientConfig, failure, useFake } from "./fake.js";

const fake = useFake();
let iamc: IAMClient | undefined;
const iam = () => (iamc ??= new IAMClient(clientConfig(fake())));
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }] });

describe("IAM roles", () => {
  it("creates a tagged role, finds it, and refuses a duplicate", async () => {
    const r = await iam().send(new CreateRoleCommand({ RoleName: "kx-a-cp", Path: "/kx/", AssumeRolePolicyDocument: trust, Tags: [{ Key: "kx:cluster", Value: "a" }] }));
    expect(r.Role).toMatchObject({ RoleName: "kx-a-cp", Path: "/kx/", Arn: "arn:aws:iam::000000000000:role/kx/kx-a-cp" });
    expect(r.Role!.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    const got = await iam().send(new GetRoleCommand({ RoleName: "kx-a-cp" }));
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust));
    expect(got.Role!.Tags).toEqual([{ Key: "kx:cluster", Value: "a" }]);
    expect((await failure(iam().send(new CreateRoleCommand({ RoleName: "kx-a-cp", AssumeRolePolicyDocument: trust })))).name).toBe("EntityAlreadyExistsException");
    expect((await failure(iam().send(new GetRoleCommand({ RoleName: "nope" })))).name).toBe("NoSuchEntityException");
    expect((await failure(iam().send(new CreateRoleCommand({ RoleName: "bad", AssumeRolePolicyDocument: "{" })))).name).toBe("MalformedPolicyDocumentException");
    await iam().send(new TagRoleCommand({ RoleName: "kx-a-cp", Tags: [{ Key: "Name", Value: "cp" }] }));
    const tags = await iam().send(new ListRoleTagsCommand({ RoleName: "kx-a-cp" }));
    expect(tags.Tags!.map((t) => t.Key)).toEqual(["kx:cluster", "Name"]);
    await iam().send(new UntagRoleCommand({ RoleName: "kx-a-cp", TagKeys: ["Name"] }));
    expect((await iam().send(new ListRoleTagsCommand({ RoleName: "kx-a-cp" }))).Tags).toEqual([{ Key: "kx:cluster", Value: "a" }]);
    const list = await iam().send(new ListRolesCommand({ PathPrefix: "/kx/" }));
    expect(list.Roles!.map((x) => x.RoleName)).toEqual(["kx-a-cp"]);
    expect(list.IsTruncated).toBe(false);
  });

  it("manages inline and attached policies and blocks deletion until they are gone", async () => {
    await iam().send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: trust }));
    await iam().send(new PutRolePolicyCommand({ RoleName: "r", PolicyName: "describe", PolicyDocument: policy }));
    const got = await iam().send(new GetRolePolicyCommand({ RoleName: "r", PolicyName: "describe" }));
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(JSON.parse(policy));
    expect((await iam().send(new ListRolePoliciesCommand({ RoleName: "r" }))).PolicyNames).toEqual(["describe"]);
    expect((await failure(iam().send(new GetRolePolicyCommand({ RoleName: "r", PolicyName: "x" })))).name).toBe("NoSuchEntityException");
    const arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
    await iam().send(new AttachRolePolicyCommand({ RoleName: "r", PolicyArn: arn }));
    expect((await iam().send(new ListAttachedRolePoliciesCommand({ RoleName: "r" }))).AttachedPolicies).toEqual([{ PolicyName: "AmazonSSMManagedInstanceCore", PolicyArn: arn }]);
    expect((await failure(iam().send(new AttachRolePolicyCommand({ RoleName: "r", PolicyArn: "arn:aws:iam::000000000000:policy/missing" })))).name).toBe("NoSuchEntityException");
    expect((await failure(iam().send(new DeleteRoleCommand({ RoleName: "r" })))).name).toBe("DeleteConflictException");
    await iam().send(new DeleteRolePolicyCommand({ RoleName: "r", PolicyName: "describe" }));
    expect((await failure(iam().send(new DeleteRoleCommand({ RoleName: "r" })))).name).toBe("DeleteConflictException");
    await iam().send(new DetachRolePolicyCommand({ RoleName: "r", PolicyArn: arn }));
    expect((await failure(iam().send(new DetachRolePolicyCommand({ RoleName: "r", PolicyArn: arn })))).name).toBe("NoSuchEntityException");
    await iam().send(new DeleteRoleCommand({ RoleName: "r" }));
    expect((await failure(iam().send(new DeleteRoleCommand({ RoleName: "r" })))).name).toBe("NoSuchEntityException");
  });
});

describe("IAM listing", () => {
  it("pages ListRoles with Marker and IsTruncated", async () => {
    for (let i = 0; i < 5; i++) await iam().send(new CreateRoleCommand({ RoleName: `r${i}`, AssumeRolePolicyDocument: trust }));
    const p1 = await iam().send(new ListRolesCommand({ MaxItems: 3 }));
    expect(p1).toMatchObject({ IsTruncated: true });
    const p2 = await iam().send(new ListRolesCommand({ MaxItems: 3, Marker: p1.Marker }));
    expect(p2.IsTruncated).toBe(false);
    expect([...p1.Roles!, ...p2.Roles!].map((r) => r.RoleName)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  });
});

describe("IAM instance profiles", () => {
  it("holds one role, blocks deletes while linked, and carries tags", async () => {
    await iam().send(new CreateRoleCommand({ RoleName: "node", AssumeRolePolicyDocument: trust }));
    await iam().send(new CreateRoleCommand({ RoleName: "other", AssumeRolePolicyDocument: trust }));
    const p = await iam().send(new CreateInstanceProfileCommand({ InstanceProfileName: "node", Tags: [{ Key: "kx:cluster", Value: "a" }] }));
    expect(p.InstanceProfile).toMatchObject({ InstanceProfileName: "node", Arn: "arn:aws:iam::000000000000:instance-profile/node", Roles: [] });
    expect((await failure(iam().send(new CreateInstanceProfileCommand({ InstanceProfileName: "node" })))).name).toBe("EntityAlreadyExistsException");
    await iam().send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "node", RoleName: "node" }));
    expect((await failure(iam().send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "node", RoleName: "other" })))).name).toBe("LimitExceededException");
    expect((await iam().send(new ListInstanceProfilesForRoleCommand({ RoleName: "node" }))).InstanceProfiles!.map((x) => x.InstanceProfileName)).toEqual(["node"]);
    const got = await iam().send(new GetInstanceProfileCommand({ InstanceProfileName: "node" }));
    expect(got.InstanceProfile!.Roles!.map((r) => r.RoleName)).toEqual(["node"]);
    expect((await failure(iam().send(new DeleteRoleCommand({ RoleName: "node" })))).name).toBe("DeleteConflictException");
    expect((await failure(iam().send(new DeleteInstanceProfileCommand({ InstanceProfileName: "node" })))).name).toBe("DeleteConflictException");
    await iam().send(new TagInstanceProfileCommand({ InstanceProfileName: "node", Tags: [{ Key: "Name", Value: "n" }] }));
    expect((await iam().send(new ListInstanceProfileTagsCommand({ InstanceProfileName: "node" }))).Tags).toHaveLength(2);
    expect((await iam().send(new ListInstanceProfilesCommand({}))).InstanceProfiles!.map((x) => x.InstanceProfileName)).toEqual(["node"]);
    await iam().send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "node", RoleName: "node" }));
    await iam().send(new DeleteInstanceProfileCommand({ InstanceProfileName: "node" }));
    expect((await failure(iam().send(new GetInstanceProfileCommand({ InstanceProfileName: "node" })))).name).toBe("NoSuchEntityException");
    await iam().send(new DeleteRoleCommand({ RoleName: "node" }));
  });
});

describe("STS and credentials", () => {
  it("returns the caller identity, with a configured account", async () => {
    const sts = new STSClient(clientConfig(fake()));
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: "000000000000", Arn: "arn:aws:iam::000000000000:user/kx-test" });
    fake().setCredentials({ account: "123456789012" });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("123456789012");
  });

  it("verifies SigV4 signatures when given the secrets, across the four wire protocols", async () => {
    fake().setCredentials({ secrets: { AKIDGOOD: "right-secret" } });
    const as = (secretAccessKey: string) => ({ ...clientConfig(fake()), credentials: { accessKeyId: "AKIDGOOD", secretAccessKey } });
    const good = as("right-secret");
    await new EC2Client(good).send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["a b/c"] }] }));
    await new STSClient(good).send(new GetCallerIdentityCommand({}));
    await expect(new SSMClient(good).send(new GetParameterCommand({ Name: "/kx/x" }))).rejects.toMatchObject({ name: "ParameterNotFound" });
    const r53 = new Route53Client(good);
    const zone = await r53.send(new CreateHostedZoneCommand({ Name: "sig.example.com", CallerReference: "sig" }));
    await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.HostedZone!.Id, StartRecordName: "a.sig.example.com", StartRecordType: "A", MaxItems: 5 }));
    await r53.send(new ListHostedZonesByNameCommand({ DNSName: "sig.example.com" }));
    const bad = as("wrong-secret");
    expect((await failure(new EC2Client(bad).send(new DescribeVpcsCommand({})))).name).toBe("SignatureDoesNotMatch");
    expect((await failure(new STSClient(bad).send(new GetCallerIdentityCommand({})))).name).toBe("SignatureDoesNotMatch");
    expect((await failure(new SSMClient(bad).send(new GetParameterCommand({ Name: "/kx/x" })))).name).toBe("InvalidSignatureException");
    expect((await failure(new Route53Client(bad).send(new ListHostedZonesByNameCommand({ DNSName: "sig.example.com" })))).name).toBe("SignatureDoesNotMatch");
  });

  it("rejects unknown and expired access keys in each service's own error shape", async () => {
    fake().setCredentials({ valid: ["AKIDGOOD"], expired: ["AKIDOLD"] });
    const as = (key: string) => ({ ...clientConfig(fake()), credentials: { accessKeyId: key, secretAccessKey: "s" } });
    expect((await new STSClient(as("AKIDGOOD")).send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
    expect((await failure(new STSClient(as("AKIDFAKE")).send(new GetCallerIdentityCommand({})))).name).toBe("InvalidClientTokenId");
    expect((await failure(new STSClient(as("AKIDOLD")).send(new GetCallerIdentityCommand({})))).name).toBe("ExpiredToken");
    expect((await failure(new EC2Client(as("AKIDFAKE")).send(new DescribeVpcsCommand({})))).name).toBe("AuthFailure");
    expect((await failure(new SSMClient(as("AKIDFAKE")).send(new GetParameterCommand({ Name: "/x" })))).name).toBe("UnrecognizedClientException");
  });
});
