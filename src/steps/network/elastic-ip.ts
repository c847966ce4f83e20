/** One Elastic IP per zone, for that zone's NAT gateway. */
import type { Address } from "@aws-sdk/client-ec2";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { awsCall } from "../../aws/errors.js";
import { ensureTags, tagDrift } from "../../aws/ec2-tags.js";
import { onlyOne, ownedBy } from "../../aws/find.js";
import { resourceStep } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { kxTags, tagSpecifications } from "../../aws/tags.js";
import { eipStepId } from "./ids.js";

export function elasticIpStep(zone: string): Step<KxContext> {
  const id = eipStepId(zone);
  const target = `elastic ip ${zone}`;
  const wantedTags = (ctx: KxContext) => kxTags(ctx.cluster, id, `${ctx.cluster}-nat-${zone}`);

  return resourceStep<KxContext, Address>({
    id,
    title: `Elastic IP ${zone}`,
    needs: [],
    target,
    detail: () => "for the NAT gateway",

    async find(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:DescribeAddresses", target, () =>
        client.send(new sdk.DescribeAddressesCommand({ Filters: ownedBy(ctx.cluster, id) })),
      );
      return onlyOne(out.Addresses ?? [], "Elastic IPs", (a) => a.AllocationId);
    },

    drift: async (ctx, address) => tagDrift(target, address.Tags, wantedTags(ctx)),

    // AllocateAddress takes no ClientToken: a crash between the call and the state save
    // leaves a tagged address that find() adopts on the next run.
    async create(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:AllocateAddress", target, () =>
        client.send(new sdk.AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagSpecifications("elastic-ip", wantedTags(ctx)) })),
      );
      return { AllocationId: out.AllocationId, PublicIp: out.PublicIp, Domain: "vpc", Tags: wantedTags(ctx) };
    },

    async update(ctx, address) {
      return { ...address, Tags: await ensureTags(ctx.aws, address.AllocationId!, address.Tags, wantedTags(ctx)) };
    },

    outputs: (address) => ({ allocationId: address.AllocationId!, publicIp: address.PublicIp! }),
  });
}
