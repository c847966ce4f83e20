/** The cluster's VPC: its CIDR cannot change; DNS support and hostnames must be on (node names are private DNS names). */
import type { Vpc } from "@aws-sdk/client-ec2";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { awsCall, awsCallEventually } from "../../aws/errors.js";
import { checkImmutable, onlyOne, ownedBy } from "../../aws/find.js";
import { resourceStep } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { ensureTags, tagDrift } from "../../aws/ec2-tags.js";
import { kxOwnedTags, tagSpecifications } from "../../aws/tags.js";
import { VPC_STEP } from "./ids.js";

interface FoundVpc {
  vpc: Vpc;
  dnsSupport: boolean;
  dnsHostnames: boolean;
}

export function vpcStep(): Step<KxContext> {
  const wantedTags = (ctx: KxContext) => kxOwnedTags(ctx.cluster, VPC_STEP, ctx.cluster);
  const describe = (ctx: KxContext) => `vpc ${ctx.cluster}`;

  return resourceStep<KxContext, FoundVpc>({
    id: VPC_STEP,
    title: "VPC",
    needs: [],
    inputs: (ctx) => ({ cidr: ctx.config.network.vpcCidr }),
    target: "vpc",
    detail: (ctx) => ctx.config.network.vpcCidr,

    async find(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:DescribeVpcs", describe(ctx), () =>
        client.send(new sdk.DescribeVpcsCommand({ Filters: ownedBy(ctx.cluster, VPC_STEP) })),
      );
      const vpc = onlyOne(out.Vpcs ?? [], "VPCs", (v) => v.VpcId);
      if (!vpc?.VpcId) return undefined;
      const attribute = async (Attribute: "enableDnsSupport" | "enableDnsHostnames") => {
        const res = await awsCall("ec2:DescribeVpcAttribute", vpc.VpcId, () =>
          client.send(new sdk.DescribeVpcAttributeCommand({ VpcId: vpc.VpcId, Attribute })),
        );
        return Attribute === "enableDnsSupport" ? res.EnableDnsSupport?.Value === true : res.EnableDnsHostnames?.Value === true;
      };
      return { vpc, dnsSupport: await attribute("enableDnsSupport"), dnsHostnames: await attribute("enableDnsHostnames") };
    },

    async drift(ctx, found) {
      checkImmutable(`VPC ${found.vpc.VpcId}`, "CIDR", ctx.config.network.vpcCidr, found.vpc.CidrBlock);
      const changes: Change[] = [];
      if (!found.dnsSupport) changes.push({ action: "update", target: "vpc", detail: "enable DNS support" });
      if (!found.dnsHostnames) changes.push({ action: "update", target: "vpc", detail: "enable DNS hostnames" });
      return [...changes, ...tagDrift("vpc", found.vpc.Tags, wantedTags(ctx))];
    },

    async create(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:CreateVpc", describe(ctx), () =>
        client.send(
          new sdk.CreateVpcCommand({
            CidrBlock: ctx.config.network.vpcCidr,
            TagSpecifications: tagSpecifications("vpc", wantedTags(ctx)),
          }),
        ),
      );
      // AWS turns DNS support on and hostnames off for a new VPC: drift() fixes it next.
      return { vpc: { ...out.Vpc!, Tags: out.Vpc?.Tags ?? wantedTags(ctx) }, dnsSupport: true, dnsHostnames: false };
    },

    async update(ctx, found) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const VpcId = found.vpc.VpcId!;
      // One attribute per call: the API refuses both at once.
      if (!found.dnsSupport) {
        await awsCallEventually("ec2:ModifyVpcAttribute", VpcId, () =>
          client.send(new sdk.ModifyVpcAttributeCommand({ VpcId, EnableDnsSupport: { Value: true } })),
        );
      }
      if (!found.dnsHostnames) {
        await awsCallEventually("ec2:ModifyVpcAttribute", VpcId, () =>
          client.send(new sdk.ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } })),
        );
      }
      const Tags = await ensureTags(ctx.aws, VpcId, found.vpc.Tags, wantedTags(ctx));
      return { vpc: { ...found.vpc, Tags }, dnsSupport: true, dnsHostnames: true };
    },

    outputs: (found) => ({ vpcId: found.vpc.VpcId!, cidr: found.vpc.CidrBlock! }),
  });
}
