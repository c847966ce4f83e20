/**
 * The bastion (edge/bastion): a small instance in the first zone's public subnet with a
 * public IP and the bastion security group (SSH only from ssh.bastion.allowedCidrs),
 * IMDSv2 with hop limit 1, an encrypted gp3 root volume, and no instance profile: it
 * holds no AWS credentials. Its host keys come from its console like every machine's.
 */
import type { ClusterConfig } from "../../config/schema.js";
import { kxTags, tagSpecifications } from "../../aws/tags.js";
import { KxError } from "../../engine/errors.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { findInstance, launchInstance, readHostKeys, waitRunning } from "../machines/ec2-instance.js";
import { metadataOptions, rootDeviceName, rootVolume } from "../machines/hardening.js";
import { KEY_PAIR_STEP } from "../machines/key-pair.js";
import { maybeString, needString } from "../machines/needs.js";
import { clusterZones } from "../machines/placement.js";
import { BASTION_STEP } from "../inventory-aws.js";

const ROOT_VOLUME_GIB = 20;

export function bastionStep(config: ClusterConfig): Step<KxContext> {
  const zone = clusterZones(config)[0]!;
  const subnetStep = `network/subnet-public:${zone}`;
  const instanceType = config.ssh.bastion.instanceType;
  const name = `${config.name}-bastion`;
  const target = `instance ${name}`;

  return {
    id: BASTION_STEP,
    title: "bastion",
    needs: [subnetStep, "security/sg:bastion", KEY_PAIR_STEP, "images/node"],
    inputs: () => ({ instanceType, zone }),

    async plan(ctx) {
      const detail = `${instanceType} in ${zone}, public IP, SSH from ${config.ssh.bastion.allowedCidrs.join(", ") || "nowhere yet"}`;
      if (!ctx.aws.live) return [{ action: "create", target, detail }];
      const found = await findInstance(ctx.aws, ctx.cluster, BASTION_STEP);
      return found ? [] : [{ action: "create", target, detail }];
    },

    async apply(ctx) {
      let instance = await findInstance(ctx.aws, ctx.cluster, BASTION_STEP);
      if (!instance) {
        const imageId = maybeString(ctx, "images/node", "amiId") ?? config.images.node;
        if (!imageId) throw new KxError("no AMI for the bastion: images/node has not run and images.node is not set");
        ctx.log.info(`launching the bastion in ${zone}`);
        instance = await launchInstance(ctx, BASTION_STEP, {
          ImageId: imageId,
          InstanceType: instanceType as never,
          KeyName: needString(ctx, KEY_PAIR_STEP, "keyName"),
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: needString(ctx, subnetStep, "subnetId"),
              Groups: [needString(ctx, "security/sg:bastion", "groupId")],
              AssociatePublicIpAddress: true,
              DeleteOnTermination: true,
            },
          ],
          MetadataOptions: metadataOptions(1),
          BlockDeviceMappings: rootVolume(await rootDeviceName(ctx.aws, imageId), ROOT_VOLUME_GIB),
          TagSpecifications: [
            ...tagSpecifications("instance", kxTags(ctx.cluster, BASTION_STEP, name, { "kx:role": "bastion" })),
            ...tagSpecifications("volume", kxTags(ctx.cluster, BASTION_STEP, name, { "kx:role": "bastion" })),
          ],
        });
      }
      const running = await waitRunning(ctx, instance.InstanceId!, name);
      if (!running.PublicIpAddress) throw new KxError(`the bastion ${running.InstanceId} is running but has no public IP`);
      const hostKeys = await readHostKeys(ctx, running.InstanceId!, name);
      return { instanceId: running.InstanceId!, publicIp: running.PublicIpAddress, privateIp: running.PrivateIpAddress!, hostKeys };
    },
  };
}
