/** The VPC's internet gateway, attached: the public subnets' (and the NAT gateways') way out. */
import type { InternetGateway } from "@aws-sdk/client-ec2";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { awsCall, awsCallEventually } from "../../aws/errors.js";
import { ensureTags, tagDrift } from "../../aws/ec2-tags.js";
import { checkImmutable, onlyOne, ownedBy } from "../../aws/find.js";
import { optionalOutput, requireOutput, resourceStep } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { kxTags, tagSpecifications } from "../../aws/tags.js";
import { INTERNET_GATEWAY_STEP, VPC_STEP } from "./ids.js";

const TARGET = "internet gateway";

export function internetGatewayStep(): Step<KxContext> {
  const wantedTags = (ctx: KxContext) => kxTags(ctx.cluster, INTERNET_GATEWAY_STEP, ctx.cluster);
  const attachedVpc = (igw: InternetGateway) => igw.Attachments?.find((a) => a.State !== "detached" && a.State !== "detaching")?.VpcId;

  return resourceStep<KxContext, InternetGateway>({
    id: INTERNET_GATEWAY_STEP,
    title: "internet gateway",
    needs: [VPC_STEP],
    target: TARGET,
    detail: () => "attached to the VPC",

    async find(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:DescribeInternetGateways", TARGET, () =>
        client.send(new sdk.DescribeInternetGatewaysCommand({ Filters: ownedBy(ctx.cluster, INTERNET_GATEWAY_STEP) })),
      );
      return onlyOne(out.InternetGateways ?? [], "internet gateways", (g) => g.InternetGatewayId);
    },

    async drift(ctx, igw) {
      const changes: Change[] = tagDrift(TARGET, igw.Tags, wantedTags(ctx));
      const vpcId = optionalOutput(ctx, VPC_STEP, "vpcId");
      const attached = attachedVpc(igw);
      // A gateway attached to another VPC is not ours to move.
      if (attached) {
        if (vpcId) checkImmutable(`${TARGET} ${igw.InternetGatewayId}`, "VPC", vpcId, attached);
      } else {
        changes.push({ action: "update", target: TARGET, detail: "attach to the VPC" });
      }
      return changes;
    },

    async create(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:CreateInternetGateway", TARGET, () =>
        client.send(new sdk.CreateInternetGatewayCommand({ TagSpecifications: tagSpecifications("internet-gateway", wantedTags(ctx)) })),
      );
      return { ...out.InternetGateway!, Tags: out.InternetGateway?.Tags ?? wantedTags(ctx) };
    },

    async update(ctx, igw) {
      const InternetGatewayId = igw.InternetGatewayId!;
      let attachments = igw.Attachments ?? [];
      if (!attachedVpc(igw)) {
        const VpcId = requireOutput(ctx, VPC_STEP, "vpcId");
        const { client, sdk } = await ec2Api(ctx.aws);
        await awsCallEventually("ec2:AttachInternetGateway", `${InternetGatewayId} to ${VpcId}`, () =>
          client.send(new sdk.AttachInternetGatewayCommand({ InternetGatewayId, VpcId })),
        );
        attachments = [{ VpcId, State: "attached" }];
      }
      const Tags = await ensureTags(ctx.aws, InternetGatewayId, igw.Tags, wantedTags(ctx));
      return { ...igw, Attachments: attachments, Tags };
    },

    outputs: (igw) => ({ internetGatewayId: igw.InternetGatewayId! }),
  });
}
