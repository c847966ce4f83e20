/**
 * What the machines, edge and optional steps stand on, made in the fake: the network (by
 * the network steps), one security group per role, an instance profile per node role, the
 * two AMIs, and an SSH key on disk. The security steps are another area's; these are
 * plain SDK calls so these tests depend only on the contract's outputs.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecurityGroupCommand } from "@aws-sdk/client-ec2";
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import type { ClusterConfig, ClusterConfigInput } from "../../../src/config/schema.js";
import { networkSteps } from "../../../src/steps/network/index.js";
import type { startFakeAws } from "../../harness/fake-aws/index.js";
import { applyAll, awsTestConfig, fakeAwsClients, testContext, type TestContext } from "../context.js";
import { sshEd25519PublicKey } from "./keys.js";

export type Fake = Awaited<ReturnType<typeof startFakeAws>>;

export const SG_ROLES = ["bastion", "etcd", "control-plane", "worker", "api-lb", "ingress-lb"] as const;
export const NODE_ROLES = ["etcd", "control-plane", "worker"] as const;

/** An ed25519 key made by ssh-keygen in a temp dir; `cleanup` removes it. */
export function sshKeyOnDisk(): { privateKeyFile: string; publicKey: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "kx-key-"));
  const privateKeyFile = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "kx-test", "-f", privateKeyFile]);
  const publicKey = execFileSync("cat", [`${privateKeyFile}.pub`], { encoding: "utf8" }).trim().split(" ").slice(0, 2).join(" ");
  return { privateKeyFile, publicKey, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Test hosts for every machine of the config, matched by Name, each with its own host key. */
export function testHosts(names: string[]): { address: string; hostKeys: string[]; namePattern: string }[] {
  return names.map((name, i) => ({ address: `10.0.${64 + i}.${10 + i}`, hostKeys: [sshEd25519PublicKey()], namePattern: name }));
}

export function machinesConfig(privateKeyFile: string, overrides: Partial<ClusterConfigInput> = {}): ClusterConfig {
  return awsTestConfig({
    ssh: { privateKeyFile, bastion: { enabled: true, allowedCidrs: ["203.0.113.0/24"] } },
    ...overrides,
  });
}

/** A context whose network, security groups, instance profiles and images exist. */
export async function preparedContext(fake: Fake, config: ClusterConfig): Promise<TestContext> {
  const aws = await fakeAwsClients(fake.url);
  const ctx = testContext({ config, aws });
  await applyAll(ctx, networkSteps(config));
  const vpcId = ctx.outputs("network/vpc")!.vpcId as string;
  const ec2 = await aws.ec2();
  for (const role of SG_ROLES) {
    const created = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${config.name}-${role}`, Description: role, VpcId: vpcId }));
    ctx.setOutputs(`security/sg:${role}`, { groupId: created.GroupId! });
  }
  const iam = await aws.iam();
  for (const role of NODE_ROLES) {
    const name = `${config.name}-${role}`;
    const r = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    const p = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
    ctx.setOutputs(`security/iam:${role}`, {
      roleName: name,
      roleArn: r.Role!.Arn!,
      instanceProfileName: name,
      instanceProfileArn: p.InstanceProfile!.Arn!,
    });
  }
  ctx.setOutputs("images/node", { amiId: fake.registerImage({ name: "kx-node-test" }) });
  ctx.setOutputs("images/etcd", { amiId: fake.registerImage({ name: "kx-etcd-test" }) });
  return ctx;
}

/** The same outputs in a context that knows nothing else (a lost state, or a second process). */
export async function freshContextLike(fake: Fake, ctx: TestContext, keep: (id: string) => boolean): Promise<TestContext> {
  const outputs = Object.fromEntries([...ctx.allOutputs()].filter(([id]) => keep(id)));
  return testContext({ config: ctx.config, aws: await fakeAwsClients(fake.url), outputs });
}

/** Records the input of every `commandName` the client sends (what kx asked for, beside what the fake kept). */
export function captureInputs(client: { middlewareStack: { add: (mw: any, options: any) => void } }, commandName: string): any[] {
  const inputs: any[] = [];
  client.middlewareStack.add(
    (next: (args: any) => Promise<any>, context: { commandName?: string }) => async (args: any) => {
      if (context.commandName === commandName) inputs.push(structuredClone(args.input));
      return next(args);
    },
    { step: "initialize", name: `capture-${commandName}-${Math.random()}` },
  );
  return inputs;
}
