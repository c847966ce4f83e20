/**
 * ECR repositories and the RDS database against the fake. The database password must be
 * in the secret store before the create call, and nowhere else: not in outputs, logs or
 * the calls' record.
 */
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, PutImageTagMutabilityCommand } from "@aws-sdk/client-ecr";
import { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand } from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";
import { optionalSteps } from "../../../src/steps/optional/index.js";
import { Secret } from "../../../src/engine/secret.js";
import { SsmSecretStore } from "../../../src/aws/ssm-secret-store.js";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import type { SecretStore } from "../../../src/secrets/store.js";
import { applyAll, planAll, testContext, type TestContext } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";
import { machinesConfig, preparedContext, sshKeyOnDisk } from "../machines/world.js";

const key = sshKeyOnDisk();
const config = machinesConfig(key.privateKeyFile, { ecr: { repositories: ["web", "team/api"] }, rds: { enabled: true } });
const fake = useFakeAws({ cleanup: key.cleanup });

/** An in-memory store that notes how many AWS calls had been made when each secret was written. */
function recordingStore(): SecretStore & { values: Map<string, string>; writtenAfterCalls: Map<string, number> } {
  const values = new Map<string, string>();
  const writtenAfterCalls = new Map<string, number>();
  return {
    values,
    writtenAfterCalls,
    async get(name) {
      const v = values.get(name);
      return v === undefined ? undefined : new Secret(v);
    },
    async put(name, value) {
      values.set(name, typeof value === "string" ? value : value.reveal());
      writtenAfterCalls.set(name, fake().calls().length);
    },
    async list(prefix) {
      return [...values.keys()].filter((k) => k.startsWith(prefix));
    },
    async delete(name) {
      values.delete(name);
    },
  };
}

async function withStore(store: SecretStore): Promise<TestContext> {
  const base = await preparedContext(fake(), config);
  return testContext({ config, aws: base.aws, secrets: store, outputs: Object.fromEntries(base.allOutputs()) });
}

describe("ECR repositories", () => {
  it("are created tagged, scanned on push, with immutable tags; drift is fixed in place", async () => {
    const ctx = await withStore(recordingStore());
    const steps = optionalSteps(config).filter((s) => s.id.startsWith("optional/ecr:"));
    expect(steps.map((s) => s.id)).toEqual(["optional/ecr:web", "optional/ecr:team/api"]);
    await applyAll(ctx, steps);
    const ecr = await ctx.aws.ecr();
    const repos = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["web", "team/api"] }))).repositories ?? [];
    for (const repo of repos) {
      expect(repo).toMatchObject({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
      expect(ctx.outputs(`optional/ecr:${repo.repositoryName}`)).toEqual({ repositoryUri: repo.repositoryUri });
    }
    const writes = fake().counts().writes;
    expect(await planAll(ctx, steps)).toEqual({});
    await applyAll(ctx, steps);
    expect(fake().counts().writes).toBe(writes);

    await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: "web", imageTagMutability: "MUTABLE" }));
    expect(await planAll(ctx, steps)).toEqual({ "optional/ecr:web": [expect.objectContaining({ action: "update", detail: "immutable tags" })] });
    await applyAll(ctx, steps);
    expect(await planAll(ctx, steps)).toEqual({});
  });
});

describe("RDS PostgreSQL", () => {
  it("stores the generated password before creating the database, and never shows it", async () => {
    const store = recordingStore();
    const ctx = await withStore(store);
    const steps = optionalSteps(config).filter((s) => s.id.includes("rds"));
    const before = fake().calls().length;
    await applyAll(ctx, steps);

    const password = store.values.get("rds/password")!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const createdAt = fake().calls().findIndex((c) => c.action === "CreateDBInstance");
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(store.writtenAfterCalls.get("rds/password")).toBeLessThanOrEqual(createdAt);

    const outputs = ctx.outputs("optional/rds")!;
    expect(outputs).toEqual({ endpoint: expect.stringContaining(".rds.amazonaws.com"), port: 5432, passwordParameter: "/kx/lab/rds/password" });
    const everything = JSON.stringify([...ctx.allOutputs()]) + ctx.logLines.join("\n") + JSON.stringify(fake().calls()) + JSON.stringify(fake().inventory());
    expect(everything).not.toContain(password);
  });

  it("is private and encrypted, in the private subnets, reachable on 5432 from the workers only", async () => {
    const ctx = await withStore(recordingStore());
    await applyAll(ctx, optionalSteps(config).filter((s) => s.id.includes("rds")));
    const rds = await ctx.aws.rds();
    const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "kx-lab-db" }))).DBInstances![0]!;
    expect(db).toMatchObject({
      Engine: "postgres",
      DBInstanceStatus: "available",
      StorageEncrypted: true,
      PubliclyAccessible: false,
      MultiAZ: true,
      MasterUsername: "kx",
      DBName: "app",
    });
    const groupId = ctx.outputs("optional/rds-security-group")!.groupId as string;
    expect(db.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)).toEqual([groupId]);
    const subnets = (await rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: "kx-lab" }))).DBSubnetGroups![0]!.Subnets!;
    expect(subnets.map((s) => s.SubnetIdentifier).sort()).toEqual(config.zones.map((z) => ctx.outputs(`network/subnet-private:${z}`)!.subnetId).sort());

    const ec2 = await ctx.aws.ec2();
    const sg = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!;
    expect(sg.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [],
        UserIdGroupPairs: [expect.objectContaining({ GroupId: ctx.outputs("security/sg:worker")!.groupId })],
      }),
    ]);
  });

  it("plans and writes nothing on a second run; a lost password is replaced, stored first, then set", async () => {
    const store = recordingStore();
    const ctx = await withStore(store);
    const steps = optionalSteps(config).filter((s) => s.id.includes("rds"));
    await applyAll(ctx, steps);
    const writes = fake().counts().writes;
    expect(await planAll(ctx, steps)).toEqual({});
    await applyAll(ctx, steps);
    expect(fake().counts().writes).toBe(writes);

    const old = store.values.get("rds/password");
    store.values.delete("rds/password");
    expect((await planAll(ctx, steps))["optional/rds"]).toEqual([
      expect.objectContaining({ action: "write", target: "secret rds/password" }),
      expect.objectContaining({ action: "update", detail: "reset the master password (its SSM parameter is missing)" }),
    ]);
    await applyAll(ctx, steps);
    expect(store.values.get("rds/password")).not.toBe(old);
    const modify = fake().calls().findIndex((c) => c.action === "ModifyDBInstance");
    expect(store.writtenAfterCalls.get("rds/password")).toBeLessThanOrEqual(modify);
    expect(await planAll(ctx, steps)).toEqual({});
  });

  it("keeps the password as an SSM SecureString under /kx/<cluster>/ with the real secret store", async () => {
    const base = await preparedContext(fake(), config);
    const ctx = testContext({ config, aws: base.aws, secrets: new SsmSecretStore(base.aws, "lab"), outputs: Object.fromEntries(base.allOutputs()) });
    await applyAll(ctx, optionalSteps(config).filter((s) => s.id.includes("rds")));
    const ssm = await ctx.aws.ssm();
    const parameter = (await ssm.send(new GetParameterCommand({ Name: "/kx/lab/rds/password", WithDecryption: true }))).Parameter!;
    expect(parameter.Type).toBe("SecureString");
    expect(parameter.Value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ctx.outputs("optional/rds")!.passwordParameter).toBe(parameter.Name);
    expect(JSON.stringify([...ctx.allOutputs()]) + ctx.logLines.join("\n")).not.toContain(parameter.Value);
  });

  it("is not planned unless the config enables it", () => {
    const off = machinesConfig(key.privateKeyFile);
    expect(optionalSteps(off)).toEqual([]);
  });
});
