/**
 * A security group, empty at first: its rules are reconciled by its rules step once
 * every group it refers to exists. Of the groups on an instance, only the control-plane
 * and worker groups carry `kubernetes.io/cluster/<name>=owned`: the cloud controller
 * edits the one tagged group of a node when it opens NodePorts for a load balancer.
 */
import type { SecurityGroup } from "@aws-sdk/client-ec2";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { KxError } from "../../engine/errors.js";
import { awsCall, errorCode, toAwsError } from "../../aws/errors.js";
import { ensureTags, tagDrift } from "../../aws/ec2-tags.js";
import { checkImmutable, onlyOne, ownedBy } from "../../aws/find.js";
import { optionalOutput, requireOutput, resourceStep } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { kxOwnedTags, kxTags, TAG_CLUSTER, tagSpecifications, tagValue } from "../../aws/tags.js";
import { VPC_STEP } from "../network/ids.js";
import { sgStepId, type SecurityGroupName } from "./ids.js";

const K8S_OWNED: ReadonlySet<SecurityGroupName> = new Set(["control-plane", "worker"]);

const DESCRIPTIONS: Record<SecurityGroupName, string> = {
  bastion: "kx bastion: ssh from the operator networks",
  etcd: "kx etcd members",
  "control-plane": "kx control plane nodes",
  worker: "kx worker nodes",
  "api-lb": "kx API server load balancer",
  "ingress-lb": "kx ingress load balancer",
};

export function securityGroupName(cluster: string, name: SecurityGroupName): string {
  return `kx-${cluster}-${name}`;
}

export function securityGroupStep(name: SecurityGroupName): Step<KxContext> {
  const id = sgStepId(name);
  const target = `security group ${name}`;
  const wantedTags = (ctx: KxContext) =>
    (K8S_OWNED.has(name) ? kxOwnedTags : kxTags)(ctx.cluster, id, securityGroupName(ctx.cluster, name));

  return resourceStep<KxContext, SecurityGroup>({
    id,
    title: `security group ${name}`,
    needs: [VPC_STEP],
    target,
    detail: (ctx) => securityGroupName(ctx.cluster, name),

    async find(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:DescribeSecurityGroups", target, () =>
        client.send(new sdk.DescribeSecurityGroupsCommand({ Filters: ownedBy(ctx.cluster, id) })),
      );
      return onlyOne(out.SecurityGroups ?? [], "security groups", (g) => g.GroupId);
    },

    async drift(ctx, sg) {
      const vpcId = optionalOutput(ctx, VPC_STEP, "vpcId");
      if (vpcId) checkImmutable(`${target} (${sg.GroupId})`, "VPC", vpcId, sg.VpcId);
      return tagDrift(target, sg.Tags, wantedTags(ctx));
    },

    async create(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const VpcId = requireOutput(ctx, VPC_STEP, "vpcId");
      const GroupName = securityGroupName(ctx.cluster, name);
      try {
        const out = await client.send(
          new sdk.CreateSecurityGroupCommand({
            GroupName,
            VpcId,
            Description: DESCRIPTIONS[name],
            TagSpecifications: tagSpecifications("security-group", wantedTags(ctx)),
          }),
        );
        return { GroupId: out.GroupId, GroupName, VpcId, Tags: out.Tags ?? wantedTags(ctx) };
      } catch (e) {
        if (errorCode(e) !== "InvalidGroup.Duplicate") throw toAwsError(e, "ec2:CreateSecurityGroup", GroupName);
      }
      // The name is taken in this VPC by a group that find() did not see: adopt it only if it is this cluster's.
      const existing = await awsCall("ec2:DescribeSecurityGroups", GroupName, () =>
        client.send(
          new sdk.DescribeSecurityGroupsCommand({
            Filters: [
              { Name: "group-name", Values: [GroupName] },
              { Name: "vpc-id", Values: [VpcId] },
            ],
          }),
        ),
      );
      const group = existing.SecurityGroups?.[0];
      if (!group || tagValue(group.Tags, TAG_CLUSTER) !== ctx.cluster) {
        throw new KxError(`a security group named ${GroupName} already exists in ${VpcId} (${group?.GroupId ?? "?"}) and is not kx's`, {
          source: "user",
          hint: "Delete or rename that group, then run again.",
        });
      }
      return group;
    },

    async update(ctx, sg) {
      return { ...sg, Tags: await ensureTags(ctx.aws, sg.GroupId!, sg.Tags, wantedTags(ctx)) };
    },

    outputs: (sg) => ({ groupId: sg.GroupId! }),
  });
}
