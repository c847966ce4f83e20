/**
 * One NAT gateway per zone, in that zone's public subnet with that zone's Elastic IP:
 * a NAT shared by all zones would cut every private subnet off when its zone fails.
 */
import type { NatGateway } from "@aws-sdk/client-ec2";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { KxError } from "../../engine/errors.js";
import { clientToken } from "../../aws/client-token.js";
import { awsCall } from "../../aws/errors.js";
import { ensureTags, tagDrift } from "../../aws/ec2-tags.js";
import { checkImmutable, onlyOne, ownedBy } from "../../aws/find.js";
import { optionalOutput, requireOutput, resourceStep } from "../../aws/resource-step.js";
import { ec2Api } from "../../aws/sdk.js";
import { kxTags, tagSpecifications } from "../../aws/tags.js";
import { waitFor } from "../../aws/waiters.js";
import { eipStepId, INTERNET_GATEWAY_STEP, natGatewayStepId, subnetStepId } from "./ids.js";

/** States of a NAT gateway that is, or will be, usable. Failed and deleted ones linger in Describe for an hour. */
const LIVE_STATES = ["pending", "available"];

export function natGatewayStep(zone: string): Step<KxContext> {
  const id = natGatewayStepId(zone);
  const target = `nat gateway ${zone}`;
  const subnetStep = subnetStepId("public", zone);
  const eipStep = eipStepId(zone);
  const wantedTags = (ctx: KxContext) => kxTags(ctx.cluster, id, `${ctx.cluster}-${zone}`);

  return resourceStep<KxContext, NatGateway>({
    id,
    title: `NAT gateway ${zone}`,
    // A public NAT gateway needs the VPC's internet gateway attached before it is created.
    needs: [subnetStep, eipStep, INTERNET_GATEWAY_STEP],
    target,
    detail: () => `in the public subnet of ${zone}`,

    async find(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:DescribeNatGateways", target, () =>
        client.send(
          new sdk.DescribeNatGatewaysCommand({ Filter: ownedBy(ctx.cluster, id, { Name: "state", Values: LIVE_STATES }) }),
        ),
      );
      return onlyOne(out.NatGateways ?? [], "NAT gateways", (n) => n.NatGatewayId);
    },

    async drift(ctx, nat) {
      const resource = `${target} (${nat.NatGatewayId})`;
      const subnetId = optionalOutput(ctx, subnetStep, "subnetId");
      if (subnetId) checkImmutable(resource, "subnet", subnetId, nat.SubnetId);
      const allocationId = optionalOutput(ctx, eipStep, "allocationId");
      const found = nat.NatGatewayAddresses?.[0]?.AllocationId;
      if (allocationId) checkImmutable(resource, "Elastic IP allocation", allocationId, found);
      return tagDrift(target, nat.Tags, wantedTags(ctx));
    },

    async create(ctx) {
      const { client, sdk } = await ec2Api(ctx.aws);
      const out = await awsCall("ec2:CreateNatGateway", target, () =>
        client.send(
          new sdk.CreateNatGatewayCommand({
            SubnetId: requireOutput(ctx, subnetStep, "subnetId"),
            AllocationId: requireOutput(ctx, eipStep, "allocationId"),
            ConnectivityType: "public",
            // The subnet in the token: a cluster re-created under the same name gets new tokens.
            ClientToken: clientToken(ctx.cluster, `${id}:${requireOutput(ctx, subnetStep, "subnetId")}`),
            TagSpecifications: tagSpecifications("natgateway", wantedTags(ctx)),
          }),
        ),
      );
      return { ...out.NatGateway!, Tags: out.NatGateway?.Tags ?? wantedTags(ctx) };
    },

    async update(ctx, nat) {
      return { ...nat, Tags: await ensureTags(ctx.aws, nat.NatGatewayId!, nat.Tags, wantedTags(ctx)) };
    },

    async ready(ctx, nat) {
      if (nat.State === "available") return nat;
      const { client, sdk } = await ec2Api(ctx.aws);
      const NatGatewayId = nat.NatGatewayId!;
      ctx.log.progress(zone, `waiting for ${NatGatewayId} to become available`);
      return waitFor(
        async () =>
          (
            await awsCall("ec2:DescribeNatGateways", NatGatewayId, () =>
              client.send(new sdk.DescribeNatGatewaysCommand({ NatGatewayIds: [NatGatewayId] })),
            )
          ).NatGateways?.[0],
        (current) => {
          if (current?.State === "available") return { done: true, value: current };
          if (current?.State === "failed" || current?.State === "deleted" || current?.State === "deleting") {
            throw new KxError(
              `NAT gateway ${NatGatewayId} (${zone}) is ${current.State}: ${current.FailureCode ?? "no failure code"} ${current.FailureMessage ?? ""}`.trim(),
              {
                source: "user",
                hint: "Fix the cause AWS names (often the Elastic IP or the internet gateway), delete the failed NAT gateway, and run again.",
              },
            );
          }
          return { done: false, state: current?.State ?? "not found" };
        },
        { what: `NAT gateway ${NatGatewayId} (${zone}) to become available`, timeoutMs: 15 * 60_000, signal: ctx.signal },
      );
    },

    outputs: (nat) => ({ natGatewayId: nat.NatGatewayId! }),
  });
}
