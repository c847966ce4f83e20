/**
 * EBS volumes the cluster's workloads left behind (persistent volumes whose claims
 * outlived the cluster). Only volumes tagged kx:cluster=<name> are deleted: the EBS CSI
 * driver adds it when the add-on sets `controller.extraVolumeTags`. Its own
 * kubernetes.io/cluster/<name> tag is not enough: volumes live outside any VPC, so
 * another cluster of the same name in the account could not be told apart.
 */
import { awsCall } from "../../../aws/errors.js";
import { ec2Api } from "../../../aws/sdk.js";
import { clusterTag, nameOf } from "../lookup.js";
import { deleteWhenFree, forEachItem } from "../retry.js";
import type { DestroyItem, DestroyPhase } from "../types.js";

export const volumes: DestroyPhase = {
  name: "volumes",
  type: "EBS volume",
  // Volumes attached to the cluster's instances come free once those are terminated.
  after: ["instances", "autoscaling-groups"],
  async discover(ctx) {
    const { client, sdk } = await ec2Api(ctx.aws);
    const found: DestroyItem[] = [];
    let NextToken: string | undefined;
    do {
      const out = await awsCall("ec2:DescribeVolumes", `volumes of ${ctx.cluster}`, () =>
        client.send(new sdk.DescribeVolumesCommand({ Filters: clusterTag(ctx), NextToken })),
      );
      for (const v of out.Volumes ?? []) {
        if (v.State !== "deleting" && v.State !== "deleted") found.push({ id: v.VolumeId!, name: nameOf(v.Tags) });
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return found;
  },
  async remove(items, run) {
    const { client, sdk } = await ec2Api(run.ctx.aws);
    await forEachItem(items, ({ id, name }) =>
      deleteWhenFree(
        run,
        "ec2:DeleteVolume",
        `EBS volume ${name ?? id} (${id})`,
        () => client.send(new sdk.DeleteVolumeCommand({ VolumeId: id })),
        async () => {
          const out = await client.send(new sdk.DescribeVolumesCommand({ VolumeIds: [id] }));
          return (out.Volumes?.[0]?.Attachments ?? []).map((a) => `${a.InstanceId} (${a.State})`);
        },
      ),
    );
  },
};
