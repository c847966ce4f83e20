/**
 * The PostgreSQL instance (optional/rds): in the private subnets, storage encrypted, not
 * publicly accessible, behind its own security group. Its master password is generated
 * here and written to SSM (rds/password) BEFORE the instance is created, so a crash in
 * between never leaves a database whose password nobody knows; it is never logged, never
 * an output, and only its parameter name leaves this step. If the parameter was lost
 * while the database lives, a new password is stored first and then set on the database.
 */
import { randomBytes } from "node:crypto";
import type { DBInstance } from "@aws-sdk/client-rds";
import type { AwsClients } from "../../aws/clients.js";
import { rdsApi } from "../../aws/sdk.js";
import { awsCall, isAlreadyExists, isNotFound } from "../../aws/errors.js";
import { requireOutput } from "../../aws/resource-step.js";
import { kxTags, TAG_CLUSTER, tagValue } from "../../aws/tags.js";
import { waitFor } from "../../aws/waiters.js";
import { KxError } from "../../engine/errors.js";
import { Secret } from "../../engine/secret.js";
import type { Change, Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { shortName } from "../edge/names.js";
import { RDS_SECURITY_GROUP_STEP, RDS_SUBNET_GROUP_STEP } from "./rds-network.js";

export const RDS_STEP = "optional/rds";
export const RDS_PASSWORD_SECRET = "rds/password";

export function dbInstanceIdentifier(cluster: string): string {
  return shortName(`kx-${cluster}`, "db", 63);
}

/** 32 characters of base64url: none of the characters RDS refuses in passwords (/ @ " space). */
export function generateDbPassword(): Secret {
  return new Secret(randomBytes(24).toString("base64url"));
}

async function findDb(aws: AwsClients, cluster: string): Promise<DBInstance | undefined> {
  const { client: rds, sdk } = await rdsApi(aws);
  const id = dbInstanceIdentifier(cluster);
  const found = await awsCall("DescribeDBInstances", id, () => rds.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
    .then((r) => r.DBInstances?.[0])
    .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  if (found && tagValue(found.TagList, TAG_CLUSTER) !== cluster) {
    throw new KxError(`an RDS instance named ${id} exists but kx did not create it for cluster ${cluster}`, {
      source: "user",
      hint: "Delete or rename it, or give the cluster another name.",
    });
  }
  return found?.DBInstanceStatus === "deleting" ? undefined : found;
}

export function rdsInstanceStep(config: ClusterConfig): Step<KxContext> {
  const db = config.rds;
  const target = `RDS PostgreSQL ${dbInstanceIdentifier(config.name)}`;
  const detail = `${db.instanceClass}, PostgreSQL ${db.engineVersion}, ${db.allocatedStorageGiB} GiB encrypted${db.multiAz ? ", Multi-AZ" : ""}, private`;
  const passwordChange: Change = { action: "write", target: `secret ${RDS_PASSWORD_SECRET}`, detail: "generated master password (SSM SecureString)" };

  return {
    id: RDS_STEP,
    title: "PostgreSQL database",
    needs: [RDS_SUBNET_GROUP_STEP, RDS_SECURITY_GROUP_STEP],
    inputs: () => ({ ...db }),

    async plan(ctx) {
      if (!ctx.aws.live) return [passwordChange, { action: "create", target, detail }];
      const hasPassword = (await ctx.secrets.get(RDS_PASSWORD_SECRET)) !== undefined;
      const found = await findDb(ctx.aws, ctx.cluster);
      if (!found) return [...(hasPassword ? [] : [passwordChange]), { action: "create", target, detail }];
      if (!hasPassword) return [passwordChange, { action: "update", target, detail: "reset the master password (its SSM parameter is missing)" }];
      return [];
    },

    async apply(ctx) {
      const { client: rds, sdk } = await rdsApi(ctx.aws);
      const id = dbInstanceIdentifier(ctx.cluster);
      let password = await ctx.secrets.get(RDS_PASSWORD_SECRET);
      const newPassword = password === undefined;
      if (!password) {
        password = generateDbPassword();
        await ctx.secrets.put(RDS_PASSWORD_SECRET, password, { description: `kx ${ctx.cluster}: master password of ${id}` });
        ctx.log.info(`stored a generated master password in ${RDS_PASSWORD_SECRET}`);
      }
      let found = await findDb(ctx.aws, ctx.cluster);
      if (!found) {
        ctx.log.info(`creating ${target}`);
        try {
          const created = await awsCall("CreateDBInstance", id, () =>
            rds.send(
              new sdk.CreateDBInstanceCommand({
                DBInstanceIdentifier: id,
                Engine: "postgres",
                EngineVersion: db.engineVersion,
                DBInstanceClass: db.instanceClass,
                AllocatedStorage: db.allocatedStorageGiB,
                StorageType: "gp3",
                StorageEncrypted: true,
                PubliclyAccessible: false,
                MultiAZ: db.multiAz,
                DBName: db.databaseName,
                MasterUsername: db.username,
                MasterUserPassword: password.reveal(),
                DBSubnetGroupName: requireOutput(ctx, RDS_SUBNET_GROUP_STEP, "dbSubnetGroupName"),
                VpcSecurityGroupIds: [requireOutput(ctx, RDS_SECURITY_GROUP_STEP, "groupId")],
                BackupRetentionPeriod: 7,
                CopyTagsToSnapshot: true,
                AutoMinorVersionUpgrade: true,
                Tags: kxTags(ctx.cluster, RDS_STEP, id),
              }),
            ),
          );
          found = created.DBInstance;
        } catch (e) {
          // A run that crashed after the create: the instance is there (findDb checks it is ours).
          if (!isAlreadyExists(e)) throw e;
          found = await findDb(ctx.aws, ctx.cluster);
        }
      } else if (newPassword) {
        ctx.log.info(`setting the new master password on ${id}`);
        await awsCall("ModifyDBInstance", id, () =>
          rds.send(new sdk.ModifyDBInstanceCommand({ DBInstanceIdentifier: id, MasterUserPassword: password.reveal(), ApplyImmediately: true })),
        );
      }
      const available = await waitAvailable(ctx, id);
      return {
        endpoint: available.Endpoint?.Address ?? "",
        port: available.Endpoint?.Port ?? 5432,
        passwordParameter: `/kx/${ctx.cluster}/${RDS_PASSWORD_SECRET}`,
      };
    },
  };
}

async function waitAvailable(ctx: KxContext, id: string): Promise<DBInstance> {
  const { client: rds, sdk } = await rdsApi(ctx.aws);
  return waitFor(
    () => awsCall("DescribeDBInstances", id, () => rds.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).then((r) => r.DBInstances?.[0]),
    (instance) => {
      const status = instance?.DBInstanceStatus ?? "not visible yet";
      if (status === "available" && instance?.Endpoint?.Address) return { done: true, value: instance };
      if (["failed", "incompatible-parameters", "incompatible-network", "storage-full"].includes(status)) {
        throw new KxError(`RDS instance ${id} is ${status}`, { hint: "Inspect it in the RDS console; fix or delete it, then run again." });
      }
      return { done: false, state: status };
    },
    { what: `RDS instance ${id} to become available`, signal: ctx.signal, timeoutMs: 60 * 60_000, maxDelayMs: 30_000 },
  );
}
