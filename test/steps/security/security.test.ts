import { describe, expect, it } from "vitest";
import { networkSteps } from "../../../src/steps/network/index.js";
import { securitySteps } from "../../../src/steps/security/index.js";
import { flattenPermissions } from "../../../src/steps/security/sg-rules.js";
import { rolePolicy, type PolicyDocument } from "../../../src/steps/security/iam-policies.js";
import type { KxContext } from "../../../src/steps/context.js";
import type { Step } from "../../../src/engine/types.js";
import { awsTestConfig, fakeAwsClients, planAll, runWithEngine, testContext, applyAll, type TestContext } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";

const fake = useFakeAws();

const config = awsTestConfig({ addons: { ebsCsi: { enabled: true } } });

/** Only the VPC of the network: security groups need nothing else. */
const vpcStep = () => networkSteps(config).filter((s) => s.id === "network/vpc");

async function created(): Promise<{ ctx: TestContext; steps: Step<KxContext>[] }> {
  const ctx = testContext({ config, aws: await fakeAwsClients(fake().url) });
  const steps = [...vpcStep(), ...securitySteps(config)];
  await runWithEngine(ctx, steps);
  return { ctx, steps };
}

async function ec2(ctx: TestContext) {
  const sdk = await import("@aws-sdk/client-ec2");
  return { client: (await ctx.aws.ec2()) as InstanceType<typeof sdk.EC2Client>, sdk };
}
async function iam(ctx: TestContext) {
  const sdk = await import("@aws-sdk/client-iam");
  return { client: (await ctx.aws.iam()) as InstanceType<typeof sdk.IAMClient>, sdk };
}

/** Every rule of every kx group as "group: proto ports source", sources named by group. */
async function liveRules(ctx: TestContext): Promise<Record<string, string[]>> {
  const { client, sdk } = await ec2(ctx);
  const groups = (await client.send(new sdk.DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["lab"] }] })))
    .SecurityGroups!;
  const nameOf = new Map(groups.map((g) => [g.GroupId!, g.GroupName!.replace("kx-lab-", "sg:")]));
  const out: Record<string, string[]> = {};
  for (const g of groups) {
    const fmt = (dir: string) => (r: ReturnType<typeof flattenPermissions>[number]) =>
      `${dir} ${r.protocol} ${r.fromPort}-${r.toPort} ${r.cidr ?? nameOf.get(r.groupId!) ?? r.groupId}`;
    out[nameOf.get(g.GroupId!)!] = [
      ...flattenPermissions(g.IpPermissions).map(fmt("in")),
      ...flattenPermissions(g.IpPermissionsEgress).map(fmt("out")),
    ].sort();
  }
  return out;
}

const cilium = (from: string) => [`in tcp 4240-4240 ${from}`, `in udp 8472-8472 ${from}`, `in tcp 4244-4244 ${from}`, `in icmp 8-0 ${from}`];
const EGRESS = "out -1 -1--1 0.0.0.0/0";
const METRICS = ["in tcp 9100-9100 sg:worker", "in tcp 9962-9962 sg:worker", "in tcp 9964-9965 sg:worker"];

describe("security groups against the fake", () => {
  it("open exactly what each role needs", async () => {
    const { ctx } = await created();
    const expected: Record<string, string[]> = {
      "sg:bastion": ["in tcp 22-22 203.0.113.0/24", EGRESS],
      "sg:etcd": ["in tcp 22-22 sg:bastion", "in tcp 2379-2379 sg:control-plane", "in tcp 2379-2379 sg:etcd", "in tcp 2380-2380 sg:etcd", EGRESS],
      "sg:control-plane": [
        "in tcp 22-22 sg:bastion",
        "in tcp 6443-6443 sg:api-lb",
        "in tcp 6443-6443 10.0.0.0/16",
        "in tcp 10250-10250 sg:control-plane",
        "in tcp 10250-10250 sg:worker",
        ...cilium("sg:control-plane"),
        ...cilium("sg:worker"),
        ...METRICS,
        EGRESS,
      ],
      "sg:worker": [
        "in tcp 22-22 sg:bastion",
        "in tcp 10250-10250 sg:control-plane",
        "in tcp 10250-10250 sg:worker",
        ...cilium("sg:control-plane"),
        ...cilium("sg:worker"),
        ...METRICS,
        "in tcp 30000-32767 sg:ingress-lb",
        EGRESS,
      ],
      "sg:api-lb": ["in tcp 6443-6443 10.0.0.0/16", EGRESS],
      "sg:ingress-lb": ["in tcp 80-80 0.0.0.0/0", "in tcp 443-443 0.0.0.0/0", EGRESS],
    };
    const live = await liveRules(ctx);
    for (const key of Object.keys(expected)) expected[key]!.sort();
    expect(live).toEqual(expected);

    // SSH reaches nothing but the bastion from outside; 2380 only between etcd members.
    const fromOutside = Object.entries(live).flatMap(([g, rules]) => rules.filter((r) => r.startsWith("in") && / (?!10\.)\d+\.\d+\.\d+\.\d+\/\d+$/.test(r)).map((r) => `${g} ${r}`));
    expect(fromOutside.sort()).toEqual(
      ["sg:bastion in tcp 22-22 203.0.113.0/24", "sg:ingress-lb in tcp 443-443 0.0.0.0/0", "sg:ingress-lb in tcp 80-80 0.0.0.0/0"].sort(),
    );
  });

  it("tag only the control-plane and worker groups for the cloud controller", async () => {
    const { ctx } = await created();
    const { client, sdk } = await ec2(ctx);
    const groups = (await client.send(new sdk.DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:kx:cluster", Values: ["lab"] }] })))
      .SecurityGroups!;
    const owned = groups.filter((g) => g.Tags?.some((t) => t.Key === "kubernetes.io/cluster/lab" && t.Value === "owned")).map((g) => g.GroupName);
    expect(owned.sort()).toEqual(["kx-lab-control-plane", "kx-lab-worker"]);
  });

  it("plan nothing and write nothing on a second run, also with the state lost", async () => {
    const { ctx, steps } = await created();
    expect(await planAll(ctx, steps)).toEqual({});
    const writes = fake().counts().writes;
    await applyAll(ctx, steps);
    const amnesic = testContext({ config, aws: ctx.aws });
    expect(await planAll(amnesic, steps)).toEqual({});
    await applyAll(amnesic, steps);
    expect(fake().counts().writes).toBe(writes);
  });

  it("authorize rule by rule when AWS reports one as a duplicate (a describe that lagged)", async () => {
    fake().setFaults({ failAfter: { action: "AuthorizeSecurityGroupIngress", n: 2, code: "InvalidPermission.Duplicate", message: "the specified rule already exists" } });
    const { ctx, steps } = await created();
    fake().setFaults({});
    expect(await planAll(ctx, steps)).toEqual({});
  });

  it("revoke a rule added by hand and restore one removed by hand", async () => {
    const { ctx, steps } = await created();
    const { client, sdk } = await ec2(ctx);
    const worker = ctx.outputs("security/sg:worker")!.groupId as string;
    const etcd = ctx.outputs("security/sg:etcd")!.groupId as string;
    const cp = ctx.outputs("security/sg:control-plane")!.groupId as string;
    await client.send(
      new sdk.AuthorizeSecurityGroupIngressCommand({
        GroupId: worker,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await client.send(
      new sdk.RevokeSecurityGroupIngressCommand({
        GroupId: etcd,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 2379, ToPort: 2379, UserIdGroupPairs: [{ GroupId: cp }] }],
      }),
    );
    const plans = await planAll(ctx, steps);
    expect(plans).toEqual({
      "security/sg-rules:worker": [{ action: "delete", target: "security group worker", detail: "ingress tcp 22 from 0.0.0.0/0" }],
      "security/sg-rules:etcd": [{ action: "create", target: "security group etcd", detail: "ingress tcp 2379 from sg control-plane" }],
    });
    await applyAll(ctx, steps);
    expect(await planAll(ctx, steps)).toEqual({});
  });
});

/** A tiny IAM evaluator: is the action on the resource allowed by some statement (conditions aside)? */
function allows(doc: PolicyDocument, action: string, resource: string): boolean {
  const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return doc.Statement.some(
    (s) =>
      s.Effect === "Allow" &&
      s.Action.some((a) => glob(a).test(action)) &&
      [s.Resource].flat().some((r) => glob(r).test(resource)),
  );
}

describe("IAM roles against the fake", () => {
  const scope = { cluster: "lab", region: "eu-west-1", account: "000000000000", partition: "aws" };
  const param = (name: string) => `arn:aws:ssm:eu-west-1:000000000000:parameter/kx/lab/${name}`;

  it("let each role read only its own SSM paths", () => {
    const worker = rolePolicy("worker", scope);
    const etcd = rolePolicy("etcd", scope);
    const cp = rolePolicy("control-plane", scope);
    expect(allows(worker, "ssm:GetParameter", param("join/token"))).toBe(true);
    expect(allows(worker, "ssm:GetParametersByPath", param("join"))).toBe(true);
    for (const secret of ["pki/ca.key", "pki/etcd/ca.key", "kubeconfig/admin", "rds/password"]) {
      expect(allows(worker, "ssm:GetParameter", param(secret))).toBe(false);
    }
    expect(allows(worker, "ssm:GetParametersByPath", param("pki"))).toBe(false);
    expect(allows(worker, "ssm:PutParameter", param("join/token"))).toBe(false);

    expect(allows(etcd, "ssm:GetParameter", param("pki/etcd/etcd-a/server.key"))).toBe(true);
    expect(allows(etcd, "ssm:GetParameter", param("pki/ca.key"))).toBe(false);
    expect(allows(etcd, "ssm:GetParameter", param("join/token"))).toBe(false);
    expect(allows(etcd, "ec2:DescribeInstances", "*")).toBe(false);

    expect(allows(cp, "ssm:GetParameter", param("pki/ca.key"))).toBe(true);
    expect(allows(cp, "ssm:PutParameter", param("join/token"))).toBe(true);
    expect(allows(cp, "ssm:PutParameter", param("pki/ca.key"))).toBe(false);
    expect(allows(cp, "ssm:GetParameter", param("kubeconfig/admin"))).toBe(false);
    expect(allows(cp, "ssm:GetParameter", "arn:aws:ssm:eu-west-1:000000000000:parameter/kx/other/pki/ca.key")).toBe(false);

    // Decryption only through SSM, only for the role's own parameters.
    const decrypt = worker.Statement.find((s) => s.Action.includes("kms:Decrypt"))!;
    expect(decrypt.Condition).toEqual({
      StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" },
      StringLike: { "kms:EncryptionContext:PARAMETER_ARN": [param("join/*")] },
    });
  });

  it("give the control plane, and only it, the interface actions of Cilium's ENI mode", () => {
    const eni = { ...scope, ciliumEni: true };
    const iface = "arn:aws:ec2:eu-west-1:000000000000:network-interface/eni-1";
    expect(allows(rolePolicy("control-plane", eni), "ec2:CreateNetworkInterface", iface)).toBe(true);
    expect(allows(rolePolicy("control-plane", eni), "ec2:AssignPrivateIpAddresses", iface)).toBe(true);
    expect(allows(rolePolicy("worker", eni), "ec2:CreateNetworkInterface", iface)).toBe(false);
    expect(allows(rolePolicy("control-plane", scope), "ec2:CreateNetworkInterface", iface)).toBe(false);
  });

  it("create roles, policies and instance profiles once, and repair a policy edited by hand", async () => {
    const { ctx, steps } = await created();
    const { client, sdk } = await iam(ctx);
    for (const role of ["etcd", "control-plane", "worker"]) {
      const out = ctx.outputs(`security/iam:${role}`)!;
      expect(out.roleName).toBe(`kx-lab-${role}`);
      expect(out.instanceProfileName).toBe(`kx-lab-${role}`);
      const profile = (await client.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: `kx-lab-${role}` }))).InstanceProfile!;
      expect(profile.Roles!.map((r) => r.RoleName)).toEqual([`kx-lab-${role}`]);
      expect(profile.Arn).toBe(out.instanceProfileArn);
      const attached = (await client.send(new sdk.ListAttachedRolePoliciesCommand({ RoleName: `kx-lab-${role}` }))).AttachedPolicies!;
      expect(attached.map((p) => p.PolicyArn)).toEqual(
        role === "etcd" ? [] : ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
      );
      const role_ = (await client.send(new sdk.GetRoleCommand({ RoleName: `kx-lab-${role}` }))).Role!;
      expect(role_.Path).toBe("/kx/lab/");
      expect(role_.Tags).toContainEqual({ Key: "kx:cluster", Value: "lab" });
    }
    const workerPolicy = JSON.parse(
      decodeURIComponent((await client.send(new sdk.GetRolePolicyCommand({ RoleName: "kx-lab-worker", PolicyName: "kx" }))).PolicyDocument!),
    );
    expect(workerPolicy).toEqual(rolePolicy("worker", scope));

    await client.send(
      new sdk.PutRolePolicyCommand({
        RoleName: "kx-lab-worker",
        PolicyName: "kx",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ssm:*", Resource: "*" }] }),
      }),
    );
    await client.send(
      new sdk.PutRolePolicyCommand({
        RoleName: "kx-lab-worker",
        PolicyName: "extra",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
      }),
    );
    const plans = await planAll(ctx, steps);
    expect(plans).toEqual({
      "security/iam:worker": [
        { action: "update", target: "iam role worker", detail: "inline policy kx" },
        { action: "update", target: "iam role worker", detail: "remove inline policy extra" },
      ],
    });
    await applyAll(ctx, steps);
    expect(await planAll(ctx, steps)).toEqual({});
    const names = (await client.send(new sdk.ListRolePoliciesCommand({ RoleName: "kx-lab-worker" }))).PolicyNames;
    expect(names).toEqual(["kx"]);
  });

  it("shortens names that would pass IAM's 64 characters, stably", async () => {
    const { iamName } = await import("../../../src/steps/security/iam-role.js");
    const long = "a".repeat(63);
    const name = iamName(long, "control-plane");
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toBe(iamName(long, "control-plane"));
    expect(name).toMatch(/^kx-a+-[0-9a-f]{8}-control-plane$/);
  });
});
