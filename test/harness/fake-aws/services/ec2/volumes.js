// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { checkSpecTypes, describe, notFound, ok, required, tagOnCreate, tagSet } from "./common.js";

/**
 * EBS volumes as the EBS CSI driver makes them for persistent volumes: create, attach,
 * describe, delete. A volume attached to an instance is in use until that instance is
 * terminated (AWS detaches it then); deleting it before is VolumeInUse.
 */

/** @typedef {import("../../core/world.js").World} World */

/** The instance still holding the volume, if any. @param {World} world @param {any} v */
function holder(world, v) {
  if (!v.instanceId) return undefined;
  const inst = world.store.get("instance", v.instanceId);
  return inst && inst.state !== "terminated" ? inst : undefined;
}

/** @param {World} world @param {any} v */
function render(world, v) {
  const inst = holder(world, v);
  return {
    volumeId: v.id,
    size: v.size,
    availabilityZone: v.availabilityZone,
    status: inst ? "in-use" : "available",
    createTime: v.createTime,
    volumeType: v.volumeType,
    encrypted: v.encrypted,
    attachmentSet: inst ? [{ volumeId: v.id, instanceId: inst.id, device: v.device, status: "attached" }] : [],
    tagSet: tagSet(world, v.id),
  };
}

/** @param {World} world @param {string} id */
function getVolume(world, id) {
  const v = world.store.get("volume", id);
  if (!v) throw notFound("InvalidVolume.NotFound", "volume", id);
  return v;
}

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  CreateVolume(p, { world }) {
    const availabilityZone = required(p.AvailabilityZone, "AvailabilityZone");
    checkSpecTypes(p, ["volume"]);
    const id = ec2Id("vol");
    world.store.put("volume", id, {
      id,
      availabilityZone,
      size: Number(p.Size ?? 8),
      volumeType: String(p.VolumeType ?? "gp3"),
      encrypted: String(p.Encrypted) === "true",
      createTime: new Date(),
    });
    tagOnCreate(world, id, p, "volume");
    return render(world, world.store.get("volume", id));
  },

  AttachVolume(p, { world }) {
    const v = getVolume(world, required(p.VolumeId, "VolumeId"));
    const instanceId = required(p.InstanceId, "InstanceId");
    const inst = world.store.get("instance", instanceId);
    if (!inst || inst.state === "terminated") throw notFound("InvalidInstanceID.NotFound", "instance ID", instanceId);
    if (holder(world, v)) throw new AwsError("VolumeInUse", `vol ${v.id} is already attached to an instance`);
    v.instanceId = instanceId;
    v.device = required(p.Device, "Device");
    return { volumeId: v.id, instanceId, device: v.device, status: "attaching" };
  },

  DescribeVolumes(p, { world }) {
    const { items, next } = describe(world, p, {
      type: "volume",
      idParam: "VolumeId",
      missing: (id) => notFound("InvalidVolume.NotFound", "volume", id),
      fields: {
        "volume-id": (v) => v.id,
        "availability-zone": (v) => v.availabilityZone,
        status: (v) => (holder(world, v) ? "in-use" : "available"),
        "attachment.instance-id": (v) => holder(world, v)?.id,
      },
      paged: true,
    });
    return { volumeSet: items.map((v) => render(world, v)), nextToken: next };
  },

  DeleteVolume(p, { world }) {
    const v = getVolume(world, required(p.VolumeId, "VolumeId"));
    const inst = holder(world, v);
    if (inst) throw new AwsError("VolumeInUse", `Volume ${v.id} is currently attached to ${inst.id}`);
    world.store.remove("volume", v.id);
    return ok();
  },
};
