/**
 * The optional PostgreSQL instance and its subnet group. A final snapshot is taken
 * unless the operator said otherwise: deleting a database must not lose its data by default.
 */
import { awsCall, errorCode } from "../../../aws/errors.js";
import { rdsApi } from "../../../aws/sdk.js";
import { TAG_CLUSTER, tagValue } from "../../../aws/tags.js";
import { waitFor } from "../../../aws/waiters.js";
import { unlessNotFound } from "../lookup.js";
import { deleteWhenFree, forEachItem } from "../retry.js";
import type { DestroyItem, DestroyPhase } from "../types.js";

/** A snapshot name RDS accepts: letters, digits, hyphens, starting with a letter, at most 255. */
export function finalSnapshotName(instance: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  return `${instance}-final-${stamp}`.toLowerCase();
}

export const rdsInstances: DestroyPhase = {
  name: "rds-instances",
  type: "RDS instance",
  after: [],
  async discover(ctx) {
    const { client, sdk } = await rdsApi(ctx.aws);
    const found: DestroyItem[] = [];
    let Marker: string | undefined;
    do {
      const out = await awsCall("rds:DescribeDBInstances", `databases of ${ctx.cluster}`, () => client.send(new sdk.DescribeDBInstancesCommand({ Marker })));
      for (const db of out.DBInstances ?? []) {
        if (tagValue(db.TagList, TAG_CLUSTER) === ctx.cluster) found.push({ id: db.DBInstanceIdentifier!, facts: { status: db.DBInstanceStatus } });
      }
      Marker = out.Marker;
    } while (Marker);
    return found;
  },
  async remove(items, run) {
    const { client, sdk } = await rdsApi(run.ctx.aws);
    const snapshot = run.options.rdsFinalSnapshot ?? true;
    await forEachItem(items, async ({ id, facts }) => {
      if (facts?.status !== "deleting") {
        await unlessNotFound("rds:DeleteDBInstance", id, () =>
          client.send(
            new sdk.DeleteDBInstanceCommand({
              DBInstanceIdentifier: id,
              ...(snapshot ? { FinalDBSnapshotIdentifier: finalSnapshotName(id) } : { SkipFinalSnapshot: true }),
              DeleteAutomatedBackups: !snapshot,
            }),
          ),
        ).catch((e: unknown) => {
          if (errorCode(e) !== "InvalidDBInstanceState") throw e; // already being deleted
        });
        if (snapshot) run.ctx.log.info(`RDS instance ${id}: final snapshot ${finalSnapshotName(id)} kept`);
      }
      await waitFor(
        () =>
          unlessNotFound("rds:DescribeDBInstances", id, () => client.send(new sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).then(
            (out) => out?.DBInstances?.[0],
          ),
        (db) => (db === undefined ? { done: true, value: undefined } : { done: false, state: db.DBInstanceStatus ?? "deleting" }),
        { what: `RDS instance ${id} to be deleted`, timeoutMs: Math.max(1_000, run.deadline - Date.now()), signal: run.ctx.signal },
      );
    });
  },
};

export const rdsSubnetGroups: DestroyPhase = {
  name: "rds-subnet-groups",
  type: "RDS subnet group",
  after: ["rds-instances"],
  async discover(ctx) {
    const { client, sdk } = await rdsApi(ctx.aws);
    const found: DestroyItem[] = [];
    let Marker: string | undefined;
    do {
      const out = await awsCall("rds:DescribeDBSubnetGroups", `subnet groups of ${ctx.cluster}`, () =>
        client.send(new sdk.DescribeDBSubnetGroupsCommand({ Marker })),
      );
      for (const g of out.DBSubnetGroups ?? []) {
        const tags = await awsCall("rds:ListTagsForResource", g.DBSubnetGroupName!, () =>
          client.send(new sdk.ListTagsForResourceCommand({ ResourceName: g.DBSubnetGroupArn! })),
        );
        if (tagValue(tags.TagList, TAG_CLUSTER) === ctx.cluster) found.push({ id: g.DBSubnetGroupName! });
      }
      Marker = out.Marker;
    } while (Marker);
    return found;
  },
  async remove(items, run) {
    const { client, sdk } = await rdsApi(run.ctx.aws);
    await forEachItem(items, ({ id }) =>
      deleteWhenFree(run, "rds:DeleteDBSubnetGroup", `RDS subnet group ${id}`, () =>
        client.send(new sdk.DeleteDBSubnetGroupCommand({ DBSubnetGroupName: id })),
      ),
    );
  },
};
