// @ts-check
import { createHash } from "node:crypto";
import { AwsError } from "../../core/errors.js";
import { list } from "../../core/form.js";
import { ec2Filters, matchesFilters } from "../../core/filters.js";
import { paginate } from "../../core/paginate.js";

/** Helpers every EC2 resource family shares: tags, describe, ClientToken, errors. */

/** @typedef {import("../../core/world.js").World} World */

export const XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** EC2 wire tags: `<tagSet><item><key/><value/></item></tagSet>`. @param {World} world @param {string} id */
export function tagSet(world, id) {
  return world.store.tagList(id).map((t) => ({ key: t.Key, value: t.Value }));
}

/** `Tag.N.Key/Value` (CreateTags) or a TagSpecification's tags. @param {any} x */
export function decodeTags(x) {
  return list(x).map((t) => ({ Key: String(t.Key), Value: t.Value === undefined ? "" : String(t.Value) }));
}

/**
 * The tags a create call asks for on one resource type via TagSpecification.N.
 * @param {any} p @param {string} resourceType
 */
export function specTags(p, resourceType) {
  const specs = list(p.TagSpecification);
  for (const s of specs) {
    if (!s.ResourceType) throw new AwsError("InvalidParameterValue", "Tag specification resource type must have a value");
  }
  return specs.filter((s) => s.ResourceType === resourceType).flatMap((s) => decodeTags(s.Tag));
}

/** Reject tag specifications for the wrong resource type, as EC2 does. @param {any} p @param {string[]} allowed */
export function checkSpecTypes(p, allowed) {
  for (const s of list(p.TagSpecification)) {
    if (!allowed.includes(s.ResourceType)) {
      throw new AwsError("InvalidParameterValue", `'${s.ResourceType}' is not a valid taggable resource type for this operation.`);
    }
  }
}

/** @param {any} v @param {string} name */
export function required(v, name) {
  if (v === undefined || v === "") throw new AwsError("MissingParameter", `The request must contain the parameter ${name}`);
  return String(v);
}

/**
 * `The vpc ID 'vpc-1' does not exist` with EC2's per-type code.
 * @param {string} code e.g. InvalidVpcID.NotFound @param {string} what e.g. "vpc ID" @param {string} id
 */
export function notFound(code, what, id) {
  return new AwsError(code, `The ${what} '${id}' does not exist`);
}

/**
 * Generic Describe*: ids (must all exist), filters, MaxResults/NextToken.
 * @param {World} world
 * @param {any} p decoded request
 * @param {{
 *   type: string, idParam: string, missing: (id: string) => AwsError,
 *   fields: import("../../core/filters.js").FilterFields, visible?: (r: any) => boolean,
 *   paged?: boolean, limits?: [number, number],
 * }} spec
 * @returns {{ items: any[], next: string | undefined }}
 */
export function describe(world, p, spec) {
  const ids = list(p[spec.idParam]).map(String);
  const visible = spec.visible ?? (() => true);
  let items = world.store.list(spec.type).filter(visible);
  if (ids.length) {
    if (p.MaxResults !== undefined) {
      throw new AwsError("InvalidParameterCombination", `The parameter ${spec.idParam}s cannot be used with the parameter maxResults`);
    }
    for (const id of ids) if (!items.some((r) => r.id === id)) throw spec.missing(id);
    items = items.filter((r) => ids.includes(r.id));
  }
  const filters = ec2Filters(p);
  items = items.filter((r) => matchesFilters(filters, spec.fields, r, world.store.tags(r.id)));
  if (!spec.paged) return { items, next: undefined };
  const { page, next } = paginate(items, {
    max: p.MaxResults === undefined ? undefined : Number(p.MaxResults),
    token: p.NextToken,
    limits: spec.limits ?? [5, 1000],
  });
  return { items: page, next };
}

/**
 * ClientToken idempotency: the same token and parameters return the first call's
 * resource; the same token with other parameters is IdempotentParameterMismatch.
 * @param {World} world @param {string} action @param {any} p
 * @param {() => string} create makes the resource, returns its id
 * @returns {{ id: string, replay: boolean }}
 */
export function withClientToken(world, action, p, create) {
  const token = p.ClientToken;
  if (!token) return { id: create(), replay: false };
  const { ClientToken, Action, Version, DryRun, ...rest } = p;
  const digest = createHash("sha256").update(stableJson(rest)).digest("hex");
  const key = `${action}:${token}`;
  const seen = world.store.get("clientToken", key);
  if (seen) {
    if (seen.digest !== digest) {
      throw new AwsError("IdempotentParameterMismatch", `The client token you have provided is associated with a resource that is already created with different parameters.`);
    }
    return { id: seen.resourceId, replay: true };
  }
  const id = create();
  world.store.put("clientToken", key, { id: key, digest, resourceId: id });
  return { id, replay: false };
}

/** @param {any} v @returns {string} */
function stableJson(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
    .join(",")}}`;
}

/** Tags applied at create from TagSpecification. @param {World} world @param {string} id @param {any} p @param {string} type */
export function tagOnCreate(world, id, p, type) {
  world.store.addTags(id, specTags(p, type));
}

/** The `<return>true</return>` body of many EC2 writes. */
export const ok = () => ({ return: true });
