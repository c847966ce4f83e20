/**
 * Where the database lives: a DB subnet group over the three private subnets
 * (optional/rds-subnet-group) and a security group of its own that admits PostgreSQL
 * (5432) from the worker security group only (optional/rds-security-group).
 */
import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { DBSubnetGroup } from "@aws-sdk/client-rds";
import { ec2Api, rdsApi } from "../../aws/sdk.js";
import { awsCall, isAlreadyExists, isNotFound } from "../../aws/errors.js";
import { onlyOne, ownedBy } from "../../aws/find.js";
import { requireOutput, resourceStep } from "../../aws/resource-step.js";
import { kxTags, TAG_CLUSTER, tagSpecifications, tagValue } from "../../aws/tags.js";
import { KxError } from "../../engine/errors.js";
import type { Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { clusterZones } from "../machines/placement.js";

export const RDS_SUBNET_GROUP_STEP = "optional/rds-subnet-group";
export const RDS_SECURITY_GROUP_STEP = "optional/rds-security-group";
export const POSTGRES_PORT = 5432;

export function dbSubnetGroupName(cluster: string): string {
  return `kx-${cluster}`;
}

export function rdsSubnetGroupStep(config: ClusterConfig): Step<KxContext> {
  const subnetSteps = clusterZones(config).map((zone) => `network/subnet-private:${zone}`);
  const name = dbSubnetGroupName(config.name);
  const subnets = (ctx: KxContext) => subnetSteps.map((id) => requireOutput(ctx, id, "subnetId"));
  return resourceStep<KxContext, DBSubnetGroup>({
    id: RDS_SUBNET_GROUP_STEP,
    title: "database subnet group",
    needs: subnetSteps,
    target: `DB subnet group ${name}`,
    detail: () => "the three private subnets",

    async find(ctx) {
      const { client: rds, sdk } = await rdsApi(ctx.aws);
      const found = await awsCall("DescribeDBSubnetGroups", name, () => rds.send(new sdk.DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name })))
        .then((r) => r.DBSubnetGroups?.[0])
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (!found) return undefined;
      const tags = await awsCall("ListTagsForResource", name, () => rds.send(new sdk.ListTagsForResourceCommand({ ResourceName: found.DBSubnetGroupArn })));
      if (tagValue(tags.TagList, TAG_CLUSTER) !== ctx.cluster) {
        throw new KxError(`DB subnet group ${name} exists but kx did not create it for cluster ${ctx.cluster}`, { source: "user" });
      }
      return found;
    },

    async drift(ctx, found) {
      const have = (found.Subnets ?? []).map((s) => s.SubnetIdentifier).sort().join(",");
      const known = subnetSteps.every((id) => ctx.outputs(id)?.subnetId);
      if (!known || have === subnets(ctx).sort().join(",")) return [];
      return [{ action: "update", target: `DB subnet group ${name}`, detail: "subnets" }];
    },

    async create(ctx) {
      const { client: rds, sdk } = await rdsApi(ctx.aws);
      const created = await awsCall("CreateDBSubnetGroup", name, () =>
        rds.send(
          new sdk.CreateDBSubnetGroupCommand({
            DBSubnetGroupName: name,
            DBSubnetGroupDescription: `kx cluster ${ctx.cluster}: private subnets`,
            SubnetIds: subnets(ctx),
            Tags: kxTags(ctx.cluster, RDS_SUBNET_GROUP_STEP, name),
          }),
        ),
      );
      return created.DBSubnetGroup!;
    },

    async update(ctx) {
      const { client: rds, sdk } = await rdsApi(ctx.aws);
      const modified = await awsCall("ModifyDBSubnetGroup", name, () =>
        rds.send(new sdk.ModifyDBSubnetGroupCommand({ DBSubnetGroupName: name, SubnetIds: subnets(ctx) })),
      );
      return modified.DBSubnetGroup!;
    },

    outputs: (found) => ({ dbSubnetGroupName: found.DBSubnetGroupName ?? name }),
  });
}

function admitsWorkers(group: SecurityGroup, workerGroupId: string): boolean {
  return (group.IpPermissions ?? []).some(
    (p) => p.IpProtocol === "tcp" && p.FromPort === POSTGRES_PORT && p.ToPort === POSTGRES_PORT && (p.UserIdGroupPairs ?? []).some((g) => g.GroupId === workerGroupId),
  );
}

export function rdsSecurityGroupStep(config: ClusterConfig): Step<KxContext> {
  const name = `${config.name}-rds`;
  const target = `security group ${name}`;
  const workerGroup = (ctx: KxContext) => requireOutput(ctx, "security/sg:worker", "groupId");

  const authorize = async (ctx: KxContext, groupId: string) => {
    const { client: ec2, sdk } = await ec2Api(ctx.aws);
    try {
      await awsCall("AuthorizeSecurityGroupIngress", groupId, () =>
        ec2.send(
          new sdk.AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: [
              {
                IpProtocol: "tcp",
                FromPort: POSTGRES_PORT,
                ToPort: POSTGRES_PORT,
                UserIdGroupPairs: [{ GroupId: workerGroup(ctx), Description: "PostgreSQL from the workers" }],
              },
            ],
          }),
        ),
      );
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  };

  const describe = async (ctx: KxContext, groupId?: string) => {
    const { client: ec2, sdk } = await ec2Api(ctx.aws);
    const result = await awsCall("DescribeSecurityGroups", name, () =>
      ec2.send(new sdk.DescribeSecurityGroupsCommand(groupId ? { GroupIds: [groupId] } : { Filters: ownedBy(ctx.cluster, RDS_SECURITY_GROUP_STEP) })),
    );
    return onlyOne(result.SecurityGroups ?? [], "security groups", (g) => g.GroupId);
  };

  return resourceStep<KxContext, SecurityGroup>({
    id: RDS_SECURITY_GROUP_STEP,
    title: "database security group",
    needs: ["network/vpc", "security/sg:worker"],
    target,
    detail: () => `TCP ${POSTGRES_PORT} from the workers only`,
    find: (ctx) => describe(ctx),

    async drift(ctx, found) {
      const worker = ctx.outputs("security/sg:worker")?.groupId;
      if (typeof worker !== "string" || admitsWorkers(found, worker)) return [];
      return [{ action: "update", target, detail: `allow TCP ${POSTGRES_PORT} from the worker security group` }];
    },

    async create(ctx) {
      const { client: ec2, sdk } = await ec2Api(ctx.aws);
      const created = await awsCall("CreateSecurityGroup", name, () =>
        ec2.send(
          new sdk.CreateSecurityGroupCommand({
            GroupName: name,
            Description: `kx cluster ${ctx.cluster}: PostgreSQL from the workers`,
            VpcId: requireOutput(ctx, "network/vpc", "vpcId"),
            TagSpecifications: tagSpecifications("security-group", kxTags(ctx.cluster, RDS_SECURITY_GROUP_STEP, name)),
          }),
        ),
      );
      await authorize(ctx, created.GroupId!);
      return (await describe(ctx, created.GroupId!))!;
    },

    async update(ctx, found) {
      await authorize(ctx, found.GroupId!);
      return (await describe(ctx, found.GroupId!))!;
    },

    outputs: (found) => ({ groupId: found.GroupId! }),
  });
}
