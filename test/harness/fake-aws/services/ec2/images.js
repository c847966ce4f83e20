// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { list } from "../../core/form.js";
import { checkSpecTypes, describe, ok, required, tagOnCreate, tagSet } from "./common.js";

/**
 * Machine images. Tests register the AMIs kx looks up (by owner, name, tags) through the
 * control API or RegisterImage; none exist otherwise.
 */

/** @typedef {import("../../core/world.js").World} World */
/** @typedef {{ name: string, imageId?: string, ownerId?: string, ownerAlias?: string, architecture?: string, description?: string, tags?: Record<string, string>, state?: string, creationDate?: string, isPublic?: boolean }} ImageSpec */

/** @param {World} world @param {ImageSpec} spec @returns {string} the image id */
export function registerImage(world, spec) {
  if (!spec?.name) throw new Error("registerImage: name is required");
  const id = spec.imageId ?? ec2Id("ami");
  world.store.put("image", id, {
    id,
    name: spec.name,
    ownerId: spec.ownerId ?? world.account,
    ownerAlias: spec.ownerAlias,
    architecture: spec.architecture ?? "x86_64",
    description: spec.description,
    state: spec.state ?? "available",
    creationDate: spec.creationDate ?? new Date().toISOString(),
    isPublic: spec.isPublic ?? false,
    rootDeviceName: "/dev/xvda",
    snapshotId: ec2Id("snap"),
  });
  if (spec.tags) world.store.addTags(id, Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })));
  return id;
}

/** @param {World} world @param {any} i */
function render(world, i) {
  return {
    imageId: i.id,
    imageLocation: `${i.ownerId}/${i.name}`,
    imageState: i.state,
    imageOwnerId: i.ownerId,
    imageOwnerAlias: i.ownerAlias,
    creationDate: i.creationDate,
    isPublic: i.isPublic,
    architecture: i.architecture,
    imageType: "machine",
    name: i.name,
    description: i.description,
    rootDeviceType: "ebs",
    rootDeviceName: i.rootDeviceName,
    blockDeviceMapping: [{ deviceName: i.rootDeviceName, ebs: { snapshotId: i.snapshotId, volumeSize: 8, volumeType: "gp3", deleteOnTermination: true, encrypted: false } }],
    virtualizationType: "hvm",
    hypervisor: "xen",
    enaSupport: true,
    sriovNetSupport: "simple",
    bootMode: "uefi-preferred",
    platformDetails: "Linux/UNIX",
    usageOperation: "RunInstances",
    tagSet: tagSet(world, i.id),
  };
}

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  DescribeImages(p, { world }) {
    const owners = list(p.Owner).map(String);
    const { items, next } = describe(world, p, {
      type: "image",
      idParam: "ImageId",
      missing: (id) => new AwsError("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`),
      fields: {
        "image-id": (i) => i.id,
        name: (i) => i.name,
        "owner-id": (i) => i.ownerId,
        "owner-alias": (i) => i.ownerAlias,
        state: (i) => i.state,
        architecture: (i) => i.architecture,
        "is-public": (i) => String(i.isPublic),
        "image-type": () => "machine",
        "root-device-type": () => "ebs",
        "virtualization-type": () => "hvm",
        description: (i) => i.description,
      },
      visible: (i) => !owners.length || owners.some((o) => (o === "self" ? i.ownerId === world.account : o === i.ownerId || o === i.ownerAlias)),
      paged: true,
    });
    return { imagesSet: items.map((i) => render(world, i)), nextToken: next };
  },

  RegisterImage(p, { world }) {
    const name = required(p.Name, "Name");
    if (world.store.list("image").some((i) => i.name === name && i.ownerId === world.account)) {
      throw new AwsError("InvalidAMIName.Duplicate", `AMI name ${name} is already in use by AMI ${world.store.list("image").find((i) => i.name === name)?.id}`);
    }
    checkSpecTypes(p, ["image", "snapshot"]);
    const id = registerImage(world, { name, architecture: p.Architecture ? String(p.Architecture) : undefined, description: p.Description });
    tagOnCreate(world, id, p, "image");
    return { imageId: id };
  },

  DeregisterImage(p, { world }) {
    const id = required(p.ImageId, "ImageId");
    const i = world.store.get("image", id);
    if (!i) throw new AwsError("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`);
    if (i.ownerId !== world.account) throw new AwsError("AuthFailure", `Not authorized for image:${id}`);
    world.store.remove("image", id);
    return ok();
  },
};
