/**
 * Security groups: kx's, and those the cloud controller made for load balancers
 * (k8s-elb-…, tagged kubernetes.io/cluster/<name>=owned inside the cluster's VPC).
 * Groups that reference each other cannot be deleted, so every rule of every group is
 * revoked first.
 */
import type { SecurityGroup } from "@aws-sdk/client-ec2";
import { awsCall } from "../../../aws/errors.js";
import { ec2Api } from "../../../aws/sdk.js";
import { k8sClusterTagKey } from "../../../aws/tags.js";
import { SECURITY_GROUPS, sgStepId } from "../../security/ids.js";
import { clusterTag, clusterVpcIds, stateIds, unlessNotFound, withStateIds } from "../lookup.js";
import { deleteWhenFree, forEachItem } from "../retry.js";
import type { DestroyItem, DestroyPhase } from "../types.js";
import { interfaces } from "./network.js";

const toItem = (g: SecurityGroup): DestroyItem | undefined =>
  g.GroupName === "default" ? undefined : { id: g.GroupId!, name: g.GroupName };

export const securityGroups: DestroyPhase = {
  name: "security-groups",
  type: "security group",
  after: ["network-interfaces", "load-balancers", "instances", "rds-instances", "target-groups"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const describe = async (Filters: { Name: string; Values: string[] }[]) =>
      (await awsCall("ec2:DescribeSecurityGroups", `groups of ${ctx.cluster}`, () =>
        client.send(new sdk.DescribeSecurityGroupsCommand({ Filters })),
      )).SecurityGroups ?? [];
    const vpcs = await clusterVpcIds(ctx);
    const groups = [
      ...(await describe(clusterTag(ctx))),
      ...(vpcs.length > 0
        ? await describe([
            { Name: `tag:${k8sClusterTagKey(ctx.cluster)}`, Values: ["owned"] },
            { Name: "vpc-id", Values: vpcs },
          ])
        : []),
    ];
    const byId = new Map(groups.map((g) => [g.GroupId!, g]));
    const found = [...byId.values()].map(toItem).filter((g): g is DestroyItem => g !== undefined);
    return withStateIds(found, stateIds(ctx, SECURITY_GROUPS.map(sgStepId), "groupId"), async (id) => {
      const one = await unlessNotFound("ec2:DescribeSecurityGroups", id, () => client.send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: [id] })));
      const g = one?.SecurityGroups?.[0];
      return g ? toItem(g) : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    // First every rule, so no group of the set still references another.
    await forEachItem(items, async ({ id }) => {
      const out = await unlessNotFound("ec2:DescribeSecurityGroups", id, () => client.send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: [id] })));
      const g = out?.SecurityGroups?.[0];
      if (!g) return;
      if (g.IpPermissions?.length) {
        await unlessNotFound("ec2:RevokeSecurityGroupIngress", id, () =>
          client.send(new sdk.RevokeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: g.IpPermissions })),
        );
      }
      if (g.IpPermissionsEgress?.length) {
        await unlessNotFound("ec2:RevokeSecurityGroupEgress", id, () =>
          client.send(new sdk.RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: g.IpPermissionsEgress })),
        );
      }
    });
    await forEachItem(items, ({ id, name }) =>
      deleteWhenFree(
        run,
        "ec2:DeleteSecurityGroup",
        `security group ${name ?? id} (${id})`,
        () => client.send(new sdk.DeleteSecurityGroupCommand({ GroupId: id })),
        async () => [
          ...(await interfaces(client, sdk, [{ Name: "group-id", Values: [id] }])),
          ...(
            await client
              .send(new sdk.DescribeSecurityGroupsCommand({ Filters: [{ Name: "ip-permission.group-id", Values: [id] }] }))
              .then((o) => o.SecurityGroups ?? [])
              .catch(() => [])
          ).map((r) => `${r.GroupId} (${r.GroupName}, a rule refers to it)`),
        ],
      ),
    );
  },
};
