/**
 * One etcd or control-plane instance (machines/<role>:<zone>): in the zone's private
 * subnet, from the built or configured AMI, with the role's security group and instance
 * profile, IMDSv2 only, an encrypted gp3 root volume, and its host keys read from the
 * console so kx can pin them before its first SSH connection.
 */
import type { ClusterConfig } from "../../config/schema.js";
import { kxOwnedTags, kxTags, tagSpecifications } from "../../aws/tags.js";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { findInstance, instanceOutputs, launchInstance } from "./ec2-instance.js";
import { metadataOptions, rootDeviceName, rootVolume } from "./hardening.js";
import { needString } from "./needs.js";
import type { Placement } from "./placement.js";
import { encodeUserData, renderUserData } from "./user-data.js";
import { KxError } from "../../engine/errors.js";

interface RoleSettings {
  imageStep: string;
  configuredImage: string | undefined;
  instanceType: string;
  volumeSizeGiB: number;
  hopLimit: 1 | 2;
}

function settings(config: ClusterConfig, placement: Placement): RoleSettings {
  if (placement.role === "etcd") {
    return {
      imageStep: "images/etcd",
      configuredImage: config.images.etcd,
      instanceType: config.etcd.instanceType,
      volumeSizeGiB: config.etcd.volumeSizeGiB,
      hopLimit: 1,
    };
  }
  return {
    imageStep: "images/node",
    configuredImage: config.images.node,
    instanceType: config.controlPlane.instanceType,
    volumeSizeGiB: config.controlPlane.volumeSizeGiB,
    // Controllers in pods on the control plane (cloud controller, EBS CSI) need IMDS.
    hopLimit: 2,
  };
}

export function nodeInstanceStep(config: ClusterConfig, placement: Placement): Step<KxContext> {
  const { role, name, zone, stepId } = placement;
  const wanted = settings(config, placement);
  const subnetStep = `network/subnet-private:${zone}`;
  const target = `instance ${name}`;

  return {
    id: stepId,
    title: `${role} instance ${name} in ${zone}`,
    needs: [subnetStep, `security/sg:${role}`, `security/iam:${role}`, wanted.imageStep, "machines/key-pair"],
    inputs: () => ({ ...wanted, zone, name }),

    async plan(ctx) {
      const detail = `${wanted.instanceType} in ${zone}, ${wanted.volumeSizeGiB} GiB gp3 encrypted, IMDSv2 hop limit ${wanted.hopLimit}`;
      if (!ctx.aws.live) return [{ action: "create", target, detail }];
      const instance = await findInstance(ctx.aws, ctx.cluster, stepId);
      if (!instance) return [{ action: "create", target, detail }];
      if (instance.InstanceType !== wanted.instanceType) {
        ctx.log.warn(
          `${name} (${instance.InstanceId}) is a ${instance.InstanceType}, the config asks for ${wanted.instanceType}; kx does not resize running ${role} instances`,
        );
      }
      return [] satisfies Change[];
    },

    async apply(ctx) {
      let instance = await findInstance(ctx.aws, ctx.cluster, stepId);
      if (!instance) {
        const imageId = (ctx.outputs(wanted.imageStep)?.amiId as string | undefined) ?? wanted.configuredImage;
        if (!imageId) throw new KxError(`no AMI for ${name}: ${wanted.imageStep} has not run and the config names none`);
        ctx.log.info(`launching ${name} in ${zone}`);
        instance = await launchInstance(ctx, stepId, {
          ImageId: imageId,
          InstanceType: wanted.instanceType as never,
          KeyName: needString(ctx, "machines/key-pair", "keyName"),
          SubnetId: needString(ctx, subnetStep, "subnetId"),
          SecurityGroupIds: [needString(ctx, `security/sg:${role}`, "groupId")],
          IamInstanceProfile: { Arn: needString(ctx, `security/iam:${role}`, "instanceProfileArn") },
          MetadataOptions: metadataOptions(wanted.hopLimit),
          BlockDeviceMappings: rootVolume(await rootDeviceName(ctx.aws, imageId), wanted.volumeSizeGiB),
          UserData: encodeUserData(renderUserData("node.sh", { cluster: ctx.cluster })),
          TagSpecifications: [
            ...tagSpecifications("instance", kxOwnedTags(ctx.cluster, stepId, name, { "kx:role": role })),
            ...tagSpecifications("volume", kxTags(ctx.cluster, stepId, name, { "kx:role": role })),
          ],
        });
      }
      ctx.log.progress(name, "waiting for it to run and print its host keys");
      return instanceOutputs(ctx, instance, name, zone);
    },
  };
}
