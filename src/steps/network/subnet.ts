/**
 * One public and one private subnet per zone. Public subnets hold the load balancers,
 * the NAT gateways and the bastion; they do not hand out public IPs on launch (the
 * bastion asks for one explicitly), so nothing else becomes reachable by accident.
 */
import type { Subnet } from "@aws-sdk/client-ec2";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { awsCall, awsCallEventually } from "../../aws/errors.js";
import { ensureTags, tagDrift } from "../../aws/ec2-tags.js";
import { checkImmutable, onlyOne, ownedBy } from "../../aws/find.js";
import { optionalOutput, requireOutput, resourceStep } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { kxOwnedTags, tagSpecifications } from "../../aws/tags.js";
import { subnetStepId, VPC_STEP, type SubnetKind } from "./ids.js";

/** The tag the cloud controller uses to choose subnets for internet-facing / internal load balancers. */
const ROLE_TAG: Record<SubnetKind, string> = {
  public: "kubernetes.io/role/elb",
  private: "kubernetes.io/role/internal-elb",
};

export function subnetStep(kind: SubnetKind, index: number, zone: string): Step<KxContext> {
  const id = subnetStepId(kind, zone);
  const target = `subnet ${kind} ${zone}`;
  const cidrOf = (ctx: KxContext) =>
    (kind === "public" ? ctx.config.network.publicSubnets : ctx.config.network.privateSubnets)[index]!;
  const wantedTags = (ctx: KxContext) => kxOwnedTags(ctx.cluster, id, `${ctx.cluster}-${kind}-${zone}`, { [ROLE_TAG[kind]]: "1" });

  return resourceStep<KxContext, Subnet>({
    id,
    title: `${kind} subnet ${zone}`,
    needs: [VPC_STEP],
    inputs: (ctx) => ({ cidr: cidrOf(ctx), zone }),
    target,
    detail: (ctx) => `${cidrOf(ctx)} in ${zone}`,

    async find(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:DescribeSubnets", target, () =>
        client.send(new sdk.DescribeSubnetsCommand({ Filters: ownedBy(ctx.cluster, id) })),
      );
      return onlyOne(out.Subnets ?? [], "subnets", (s) => s.SubnetId);
    },

    async drift(ctx, subnet) {
      const resource = `${target} (${subnet.SubnetId})`;
      checkImmutable(resource, "CIDR", cidrOf(ctx), subnet.CidrBlock);
      checkImmutable(resource, "availability zone", zone, subnet.AvailabilityZone);
      const vpcId = optionalOutput(ctx, VPC_STEP, "vpcId");
      if (vpcId) checkImmutable(resource, "VPC", vpcId, subnet.VpcId);
      const changes = tagDrift(target, subnet.Tags, wantedTags(ctx));
      if (subnet.MapPublicIpOnLaunch) changes.push({ action: "update", target, detail: "stop assigning public IPs on launch" });
      return changes;
    },

    async create(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:CreateSubnet", target, () =>
        client.send(
          new sdk.CreateSubnetCommand({
            VpcId: requireOutput(ctx, VPC_STEP, "vpcId"),
            CidrBlock: cidrOf(ctx),
            AvailabilityZone: zone,
            TagSpecifications: tagSpecifications("subnet", wantedTags(ctx)),
          }),
        ),
      );
      return { ...out.Subnet!, Tags: out.Subnet?.Tags ?? wantedTags(ctx) };
    },

    async update(ctx, subnet) {
      const SubnetId = subnet.SubnetId!;
      if (subnet.MapPublicIpOnLaunch) {
        const { client, sdk } = await ec2Api(ctx.aws);
        await awsCallEventually("ec2:ModifySubnetAttribute", SubnetId, () =>
          client.send(new sdk.ModifySubnetAttributeCommand({ SubnetId, MapPublicIpOnLaunch: { Value: false } })),
        );
      }
      const Tags = await ensureTags(ctx.aws, SubnetId, subnet.Tags, wantedTags(ctx));
      return { ...subnet, MapPublicIpOnLaunch: false, Tags };
    },

    outputs: (subnet) => ({ subnetId: subnet.SubnetId!, cidr: subnet.CidrBlock!, zone: subnet.AvailabilityZone! }),
  });
}
