// @ts-check
import { AwsError } from "../../core/errors.js";
import { list } from "../../core/form.js";
import { decodeTags, ok } from "./common.js";

/** CreateTags / DeleteTags on any EC2 resource, found by its id prefix. */

/** @typedef {import("../../core/world.js").World} World */

/** id prefix → [store type, NotFound code] */
const PREFIXES = /** @type {Record<string, [string, string]>} */ ({
  vpc: ["vpc", "InvalidVpcID.NotFound"],
  subnet: ["subnet", "InvalidSubnetID.NotFound"],
  igw: ["igw", "InvalidInternetGatewayID.NotFound"],
  eipalloc: ["eip", "InvalidAllocationID.NotFound"],
  nat: ["nat", "InvalidNatGatewayID.NotFound"],
  rtb: ["rtb", "InvalidRouteTableID.NotFound"],
  sg: ["sg", "InvalidGroup.NotFound"],
  i: ["instance", "InvalidInstanceID.NotFound"],
  eni: ["eni", "InvalidNetworkInterfaceID.NotFound"],
  lt: ["lt", "InvalidLaunchTemplateId.NotFound"],
  ami: ["image", "InvalidAMIID.NotFound"],
  key: ["keypair", "InvalidKeyPair.NotFound"],
  sgr: ["sgr", "InvalidSecurityGroupRuleId.NotFound"],
  vol: ["volume", "InvalidVolume.NotFound"],
});

/** The tag key of a resource id, or an error as EC2 gives for an unknown one. @param {World} world @param {string} id */
function tagKey(world, id) {
  const m = /^([a-z]+)-[0-9a-f]+$/.exec(id);
  const entry = m ? PREFIXES[m[1]] : undefined;
  if (!entry) throw new AwsError("InvalidID", `The ID '${id}' is not valid`);
  const [type, code] = entry;
  const s = world.store;
  const exists =
    type === "keypair"
      ? s.list("keypair").find((k) => k.keyPairId === id)?.id
      : type === "sgr"
        ? s.list("sg").some((g) => g.rules.some((/** @type {any} */ r) => r.id === id)) && id
        : type === "volume"
          ? (s.get("volume", id) || s.list("instance").some((i) => i.volumes.some((/** @type {any} */ v) => v.volumeId === id))) && id
          : s.get(type, id) && id;
  if (!exists) throw new AwsError(code, `The ID '${id}' does not exist`);
  return exists;
}

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  CreateTags(p, { world }) {
    const ids = list(p.ResourceId).map(String);
    if (!ids.length) throw new AwsError("MissingParameter", "The request must contain the parameter resourceIdSet");
    const tags = decodeTags(p.Tag);
    for (const t of tags) {
      if (t.Key.startsWith("aws:")) throw new AwsError("InvalidParameterValue", `Tag keys starting with 'aws:' are reserved for internal use`);
    }
    const keys = ids.map((id) => tagKey(world, id));
    for (const k of keys) world.store.addTags(k, tags);
    return ok();
  },

  DeleteTags(p, { world }) {
    const ids = list(p.ResourceId).map(String);
    const tags = list(p.Tag);
    for (const id of ids) {
      const t = world.store.tags(tagKey(world, id));
      if (!tags.length) t.clear();
      for (const tag of tags) {
        if (tag.Value === undefined || t.get(tag.Key) === String(tag.Value)) t.delete(tag.Key);
      }
    }
    return ok();
  },
};
