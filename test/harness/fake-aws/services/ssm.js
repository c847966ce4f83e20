// @ts-check
import { createHash } from "node:crypto";
import { AwsError } from "../core/errors.js";
import { paginate } from "../core/paginate.js";
import { matchesAny } from "../core/filters.js";

/**
 * SSM Parameter Store. Every write keeps a version; a SecureString's value comes back
 * only with WithDecryption (without it, as on AWS, the caller sees ciphertext).
 */

/** @typedef {import("../core/world.js").World} World */
/** @typedef {{ version: number, value: string, type: string, keyId?: string, description?: string, modified: Date }} Version */

const DEFAULT_KEY = "alias/aws/ssm";
const NAME = /^[a-zA-Z0-9_.\-/]+$/;

const notFound = (/** @type {string} */ name) => new AwsError("ParameterNotFound", `Parameter ${name} not found.`);
const validation = (/** @type {string} */ msg) => new AwsError("ValidationException", msg);

/** @param {string} name */
function checkName(name) {
  if (!name || !NAME.test(name) || name.length > 1011) throw validation(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`);
  const bare = name.replace(/^\//, "").toLowerCase();
  if (bare.startsWith("aws") || bare.startsWith("ssm")) throw validation(`No access to reserved parameter name: ${name}.`);
  if (name.includes("/") && !name.startsWith("/")) throw validation(`Parameter name must be a fully qualified name.`);
  if (name.split("/").length - 1 > 15) throw new AwsError("HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels.");
}

/**
 * The inventory's view of a parameter: SecureString values never leave the fake in
 * clear except through GetParameter WithDecryption, as on AWS.
 * @this {any}
 */
function redacted() {
  const { toJSON, ...rest } = this;
  return { ...rest, versions: rest.versions.map((/** @type {Version} */ v) => (v.type === "SecureString" ? { ...v, value: "(SecureString)" } : v)) };
}

/** @param {World} world @param {string} name */
function arn(world, name) {
  return world.arn("ssm", `parameter${name.startsWith("/") ? "" : "/"}${name}`);
}

/** Opaque stand-in for KMS ciphertext: never the plaintext. @param {Version} v */
function ciphertext(v) {
  return Buffer.concat([Buffer.from([1, 2, 2, 0]), createHash("sha256").update(`${v.keyId}:${v.version}:${v.value}`).digest()]).toString("base64");
}

/** @param {World} world @param {any} param @param {Version} v @param {boolean} decrypt */
function render(world, param, v, decrypt) {
  return {
    Name: param.name,
    Type: v.type,
    Value: v.type === "SecureString" && !decrypt ? ciphertext(v) : v.value,
    Version: v.version,
    LastModifiedDate: v.modified,
    ARN: arn(world, param.name),
    DataType: "text",
  };
}

/** `name`, `name:3` (a version) → the parameter and version. @param {World} world @param {string} ref */
function resolve(world, ref) {
  const m = /^(.*):(\d+)$/.exec(ref);
  const name = m ? m[1] : ref;
  const param = world.store.get("parameter", name);
  if (!param) throw notFound(ref);
  const v = m ? param.versions.find((/** @type {Version} */ x) => x.version === Number(m[2])) : param.versions[param.versions.length - 1];
  if (!v) throw new AwsError("ParameterVersionNotFound", `Systems Manager could not find version ${m?.[2]} of ${name}. Verify the version and try again.`);
  return { param, v };
}

/** @param {any} param */
const latest = (param) => /** @type {Version} */ (param.versions[param.versions.length - 1]);

/** @param {World} world @param {any} param */
function metadata(world, param) {
  const v = latest(param);
  return {
    Name: param.name,
    ARN: arn(world, param.name),
    Type: v.type,
    KeyId: v.type === "SecureString" ? v.keyId : undefined,
    LastModifiedDate: v.modified,
    LastModifiedUser: `arn:aws:iam::${world.account}:user/kx-test`,
    Description: v.description,
    Version: v.version,
    Tier: "Standard",
    Policies: [],
    DataType: "text",
  };
}

/** @param {number | undefined} max @param {number} hi */
function checkMax(max, hi) {
  if (max !== undefined && (max < 1 || max > hi)) {
    throw validation(`1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${hi}`);
  }
}

/** @param {any[]} tags */
function checkTags(tags) {
  for (const t of tags ?? []) if (!t.Key || t.Value === undefined) throw validation("Tag keys and values must not be null");
}

/** @param {World} world @param {any} p */
function taggedParameter(world, p) {
  if (p.ResourceType !== "Parameter") throw new AwsError("InvalidResourceType", `The resource type ${p.ResourceType} is not modelled by the fake`);
  const param = world.store.get("parameter", String(p.ResourceId));
  if (!param) throw new AwsError("InvalidResourceId", `The resource ID "${p.ResourceId}" is not valid. Verify the ID and try again.`);
  return param;
}

/** ParameterFilters (Name/Path/Type/KeyId/tag:) as DescribeParameters applies them. @param {World} world @param {any} param @param {any[]} filters */
function passes(world, param, filters) {
  const v = latest(param);
  return filters.every((f) => {
    const values = /** @type {string[]} */ ((f.Values ?? []).map(String));
    const option = f.Option ?? "Equals";
    const key = String(f.Key);
    if (key === "Path") {
      const path = values[0].endsWith("/") ? values[0] : `${values[0]}/`;
      if (!param.name.startsWith(path)) return false;
      return option === "Recursive" || !param.name.slice(path.length).includes("/");
    }
    const actual = key === "Name" ? param.name : key === "Type" ? v.type : key === "KeyId" ? v.keyId : key.startsWith("tag:") ? world.store.tags(param.id).get(key.slice(4)) : undefined;
    if (!["Name", "Type", "KeyId"].includes(key) && !key.startsWith("tag:")) throw new AwsError("InvalidFilterKey", `The filter key ${key} is not valid.`);
    if (actual === undefined) return false;
    if (option === "BeginsWith") return values.some((x) => actual.startsWith(x));
    if (option === "Contains") return values.some((x) => actual.includes(x));
    return key === "Name" ? values.some((x) => actual === x || actual === `/${x}`) : values.some((x) => matchesAny(actual, [x]));
  });
}

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "ssm",
  signingName: "ssm",
  protocol: "json",
  targetPrefix: "AmazonSSM",
  actions: {
    PutParameter(p, { world }) {
      const name = String(p.Name ?? "");
      checkName(name);
      if (p.Value === undefined || p.Value === "") throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
      const value = String(p.Value);
      if (Buffer.byteLength(value) > 4096) throw validation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.");
      const existing = world.store.get("parameter", name);
      if (existing && !p.Overwrite) throw new AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
      if (existing && p.Tags?.length) {
        throw validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
      }
      const type = String(p.Type ?? (existing ? latest(existing).type : ""));
      if (!["String", "StringList", "SecureString"].includes(type)) throw validation(`1 validation error detected: Value '${p.Type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`);
      if (p.KeyId && type !== "SecureString") throw validation("KeyId is required for SecureString type parameter only.");
      checkTags(p.Tags);
      const param = existing ?? world.store.put("parameter", name, { id: arn(world, name), name, versions: /** @type {Version[]} */ ([]), toJSON: redacted });
      if (param.versions.length >= 100) throw new AwsError("ParameterMaxVersionLimitExceeded", `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version 1, the oldest version, can't be deleted because it has a label associated with it.`);
      const version = (param.versions.length ? latest(param).version : 0) + 1;
      param.versions.push({ version, value, type, keyId: type === "SecureString" ? String(p.KeyId ?? existing?.versions.at(-1)?.keyId ?? DEFAULT_KEY) : undefined, description: p.Description ?? existing?.versions.at(-1)?.description, modified: new Date() });
      if (p.Tags) world.store.addTags(param.id, p.Tags);
      return { Version: version, Tier: "Standard" };
    },

    GetParameter(p, { world }) {
      const { param, v } = resolve(world, String(p.Name ?? ""));
      return { Parameter: render(world, param, v, Boolean(p.WithDecryption)) };
    },

    GetParameters(p, { world }) {
      const names = /** @type {string[]} */ ((p.Names ?? []).map(String));
      if (!names.length || names.length > 10) throw validation("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10");
      const found = [];
      const invalid = [];
      for (const n of names) {
        try {
          const { param, v } = resolve(world, n);
          found.push(render(world, param, v, Boolean(p.WithDecryption)));
        } catch {
          invalid.push(n);
        }
      }
      return { Parameters: found, InvalidParameters: invalid };
    },

    GetParametersByPath(p, { world }) {
      const path = String(p.Path ?? "");
      if (!path.startsWith("/")) throw validation(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/".`);
      checkMax(p.MaxResults, 10);
      const prefix = path.endsWith("/") ? path : `${path}/`;
      const matching = world.store
        .list("parameter")
        .filter((x) => x.name.startsWith(prefix) && (p.Recursive || !x.name.slice(prefix.length).includes("/")))
        .filter((x) => passes(world, x, p.ParameterFilters ?? []))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const { page, next } = paginate(matching, { max: p.MaxResults, token: p.NextToken, defaultMax: 10, limits: [1, 10], errorCode: "ValidationException" });
      return { Parameters: page.map((x) => render(world, x, latest(x), Boolean(p.WithDecryption))), NextToken: next };
    },

    GetParameterHistory(p, { world }) {
      const param = world.store.get("parameter", String(p.Name ?? ""));
      if (!param) throw notFound(String(p.Name));
      checkMax(p.MaxResults, 50);
      const { page, next } = paginate(param.versions, { max: p.MaxResults, token: p.NextToken, defaultMax: 50, limits: [1, 50], errorCode: "ValidationException" });
      return {
        Parameters: page.map((/** @type {Version} */ v) => ({
          Name: param.name,
          Type: v.type,
          KeyId: v.keyId,
          Value: v.type === "SecureString" && !p.WithDecryption ? ciphertext(v) : v.value,
          Version: v.version,
          LastModifiedDate: v.modified,
          Description: v.description,
          Tier: "Standard",
          DataType: "text",
        })),
        NextToken: next,
      };
    },

    DeleteParameter(p, { world }) {
      const name = String(p.Name ?? "");
      if (!world.store.get("parameter", name)) throw notFound(name);
      world.store.remove("parameter", name);
      return {};
    },

    DeleteParameters(p, { world }) {
      const names = /** @type {string[]} */ ((p.Names ?? []).map(String));
      if (!names.length || names.length > 10) throw validation("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10");
      const deleted = names.filter((n) => world.store.get("parameter", n));
      for (const n of deleted) world.store.remove("parameter", n);
      return { DeletedParameters: deleted, InvalidParameters: names.filter((n) => !deleted.includes(n)) };
    },

    DescribeParameters(p, { world }) {
      checkMax(p.MaxResults, 50);
      const legacy = (p.Filters ?? []).map((/** @type {any} */ f) => ({ Key: f.Key, Option: f.Key === "Name" ? "BeginsWith" : "Equals", Values: f.Values }));
      const filters = [...legacy, ...(p.ParameterFilters ?? [])];
      const matching = world.store
        .list("parameter")
        .filter((x) => passes(world, x, filters))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const { page, next } = paginate(matching, { max: p.MaxResults, token: p.NextToken, defaultMax: 50, limits: [1, 50], errorCode: "ValidationException" });
      return { Parameters: page.map((x) => metadata(world, x)), NextToken: next };
    },

    AddTagsToResource(p, { world }) {
      const param = taggedParameter(world, p);
      checkTags(p.Tags);
      world.store.addTags(param.id, p.Tags ?? []);
      if (world.store.tags(param.id).size > 50) throw new AwsError("TooManyTagsError", "The Targets parameter includes too many tags. Remove one or more tags and try the command again.");
      return {};
    },

    RemoveTagsFromResource(p, { world }) {
      const param = taggedParameter(world, p);
      for (const k of p.TagKeys ?? []) world.store.tags(param.id).delete(String(k));
      return {};
    },

    ListTagsForResource(p, { world }) {
      return { TagList: world.store.tagList(taggedParameter(world, p).id) };
    },
  },
};
