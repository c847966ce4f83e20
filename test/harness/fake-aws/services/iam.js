// @ts-check
import { AwsError } from "../core/errors.js";
import { members, memberTags } from "../core/form.js";
import { upperId } from "../core/ids.js";
import { markerPage, requiredParam } from "../core/query.js";

/**
 * IAM: roles, inline and attached policies, instance profiles. Global, so ARNs carry no
 * region. Policy documents come back URL-encoded, as IAM returns them.
 */

/** @typedef {import("../core/world.js").World} World */

const NAME = /^[\w+=,.@-]{1,64}$/;
const MANAGED_ARN = /^arn:aws:iam::aws:policy\/[\w+=,.@/-]+$/;

const noSuchEntity = (/** @type {string} */ msg) => new AwsError("NoSuchEntity", msg, { status: 404 });
const conflict = (/** @type {string} */ code, /** @type {string} */ msg) => new AwsError(code, msg, { status: 409 });

/** @param {World} world @param {string} name */
function getRole(world, name) {
  const r = world.store.get("role", name);
  if (!r) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return r;
}

/** @param {World} world @param {string} name */
function getProfile(world, name) {
  const p = world.store.get("instanceProfile", name);
  if (!p) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return p;
}

/** @param {string} doc */
function checkPolicy(doc) {
  try {
    const parsed = JSON.parse(doc);
    if (!parsed || typeof parsed !== "object" || !parsed.Statement) throw new Error("no Statement");
  } catch {
    throw new AwsError("MalformedPolicyDocument", "Syntax errors in policy.");
  }
}

/** @param {string} name @param {string} what */
function checkName(name, what) {
  if (!NAME.test(name)) {
    throw new AwsError("ValidationError", `1 validation error detected: Value '${name}' at '${what}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
  }
}

/** @param {string | undefined} path */
function checkPath(path) {
  const p = path ?? "/";
  if (!/^\/([\x21-\x7e]+\/)?$/.test(p)) throw new AwsError("ValidationError", `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
  return p;
}

/** @param {World} world @param {any} r */
function renderRole(world, r, withTags = true) {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: r.createDate,
    AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicy),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    Tags: withTags ? world.store.tagList(r.id) : undefined,
    RoleLastUsed: {},
  };
}

/** @param {World} world @param {any} p */
function renderProfile(world, p) {
  return {
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.profileId,
    Arn: p.arn,
    CreateDate: p.createDate,
    Roles: p.roles.map((/** @type {string} */ n) => renderRole(world, world.store.get("role", n), false)),
    Tags: world.store.tagList(p.id),
  };
}

/** @param {any[]} items @param {any} p @param {string} key */
function listed(items, p, key) {
  const { page, next } = markerPage(items, p);
  return { [key]: page, IsTruncated: Boolean(next), Marker: next };
}

/** @param {any} tags */
function checkTags(tags) {
  if (tags.length > 50) throw new AwsError("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50", { status: 409 });
}

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "iam",
  signingName: "iam",
  protocol: "query",
  xmlns: "https://iam.amazonaws.com/doc/2010-05-08/",
  actions: {
    CreateRole(p, { world }) {
      const name = requiredParam(p.RoleName, "RoleName");
      checkName(name, "roleName");
      const doc = requiredParam(p.AssumeRolePolicyDocument, "AssumeRolePolicyDocument");
      checkPolicy(doc);
      const path = checkPath(p.Path);
      if (world.store.get("role", name)) throw conflict("EntityAlreadyExists", `Role with name ${name} already exists.`);
      const tags = memberTags(p.Tags);
      checkTags(tags);
      const arn = `arn:aws:iam::${world.account}:role${path}${name}`;
      const r = world.store.put("role", name, {
        id: arn,
        arn,
        name,
        path,
        roleId: upperId("AROA", 17),
        createDate: new Date(),
        assumeRolePolicy: doc,
        description: p.Description,
        maxSessionDuration: Number(p.MaxSessionDuration ?? 3600),
        inline: /** @type {Record<string, string>} */ ({}),
        attached: /** @type {string[]} */ ([]),
      });
      world.store.addTags(arn, tags);
      return { Role: renderRole(world, r) };
    },

    GetRole(p, { world }) {
      return { Role: renderRole(world, getRole(world, requiredParam(p.RoleName, "RoleName"))) };
    },

    ListRoles(p, { world }) {
      const prefix = String(p.PathPrefix ?? "/");
      const roles = world.store.list("role").filter((r) => r.path.startsWith(prefix));
      return listed(roles.map((r) => renderRole(world, r, false)), p, "Roles");
    },

    DeleteRole(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      if (Object.keys(r.inline).length) throw conflict("DeleteConflict", "Cannot delete entity, must delete policies first.");
      if (r.attached.length) throw conflict("DeleteConflict", "Cannot delete entity, must detach all policies first.");
      if (world.store.list("instanceProfile").some((ip) => ip.roles.includes(r.name))) {
        throw conflict("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
      }
      world.store.remove("role", r.name);
      return undefined;
    },

    TagRole(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const tags = memberTags(p.Tags);
      world.store.addTags(r.id, tags);
      checkTags(world.store.tagList(r.id));
      return undefined;
    },

    UntagRole(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      for (const k of members(p.TagKeys)) world.store.tags(r.id).delete(String(k));
      return undefined;
    },

    ListRoleTags(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      return listed(world.store.tagList(r.id), p, "Tags");
    },

    PutRolePolicy(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const name = requiredParam(p.PolicyName, "PolicyName");
      checkName(name, "policyName");
      const doc = requiredParam(p.PolicyDocument, "PolicyDocument");
      checkPolicy(doc);
      if (doc.replace(/\s/g, "").length > 10240) throw new AwsError("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role " + r.name, { status: 409 });
      r.inline[name] = doc;
      return undefined;
    },

    GetRolePolicy(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const name = requiredParam(p.PolicyName, "PolicyName");
      const doc = r.inline[name];
      if (doc === undefined) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
      return { RoleName: r.name, PolicyName: name, PolicyDocument: encodeURIComponent(doc) };
    },

    ListRolePolicies(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      return listed(Object.keys(r.inline), p, "PolicyNames");
    },

    DeleteRolePolicy(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const name = requiredParam(p.PolicyName, "PolicyName");
      if (r.inline[name] === undefined) throw noSuchEntity(`The role policy with name ${name} cannot be found.`);
      delete r.inline[name];
      return undefined;
    },

    AttachRolePolicy(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const arn = requiredParam(p.PolicyArn, "PolicyArn");
      if (!arn.startsWith("arn:")) throw new AwsError("InvalidInput", `ARN ${arn} is not valid.`);
      if (!MANAGED_ARN.test(arn)) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
      if (!r.attached.includes(arn)) r.attached.push(arn);
      return undefined;
    },

    DetachRolePolicy(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const arn = requiredParam(p.PolicyArn, "PolicyArn");
      if (!r.attached.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
      r.attached = r.attached.filter((/** @type {string} */ a) => a !== arn);
      return undefined;
    },

    ListAttachedRolePolicies(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const policies = r.attached.map((/** @type {string} */ a) => ({ PolicyName: a.split("/").pop(), PolicyArn: a }));
      return listed(policies, p, "AttachedPolicies");
    },

    CreateInstanceProfile(p, { world }) {
      const name = requiredParam(p.InstanceProfileName, "InstanceProfileName");
      checkName(name, "instanceProfileName");
      const path = checkPath(p.Path);
      if (world.store.get("instanceProfile", name)) throw conflict("EntityAlreadyExists", `Instance Profile ${name} already exists.`);
      const arn = `arn:aws:iam::${world.account}:instance-profile${path}${name}`;
      const ip = world.store.put("instanceProfile", name, {
        id: arn,
        arn,
        name,
        path,
        profileId: upperId("AIPA", 17),
        createDate: new Date(),
        createdAt: Date.now(),
        scaleAtCreate: world.latencyScale,
        roles: /** @type {string[]} */ ([]),
      });
      world.store.addTags(arn, memberTags(p.Tags));
      return { InstanceProfile: renderProfile(world, ip) };
    },

    GetInstanceProfile(p, { world }) {
      return { InstanceProfile: renderProfile(world, getProfile(world, requiredParam(p.InstanceProfileName, "InstanceProfileName"))) };
    },

    ListInstanceProfiles(p, { world }) {
      const prefix = String(p.PathPrefix ?? "/");
      const items = world.store.list("instanceProfile").filter((ip) => ip.path.startsWith(prefix));
      return listed(items.map((ip) => renderProfile(world, ip)), p, "InstanceProfiles");
    },

    ListInstanceProfilesForRole(p, { world }) {
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      const items = world.store.list("instanceProfile").filter((ip) => ip.roles.includes(r.name));
      return listed(items.map((ip) => renderProfile(world, ip)), p, "InstanceProfiles");
    },

    AddRoleToInstanceProfile(p, { world }) {
      const ip = getProfile(world, requiredParam(p.InstanceProfileName, "InstanceProfileName"));
      const r = getRole(world, requiredParam(p.RoleName, "RoleName"));
      if (ip.roles.length) throw conflict("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
      ip.roles.push(r.name);
      return undefined;
    },

    RemoveRoleFromInstanceProfile(p, { world }) {
      const ip = getProfile(world, requiredParam(p.InstanceProfileName, "InstanceProfileName"));
      const name = requiredParam(p.RoleName, "RoleName");
      getRole(world, name);
      if (!ip.roles.includes(name)) throw noSuchEntity(`The role with name ${name} cannot be found in instance profile ${ip.name}.`);
      ip.roles = ip.roles.filter((/** @type {string} */ n) => n !== name);
      return undefined;
    },

    DeleteInstanceProfile(p, { world }) {
      const ip = getProfile(world, requiredParam(p.InstanceProfileName, "InstanceProfileName"));
      if (ip.roles.length) throw conflict("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
      world.store.remove("instanceProfile", ip.name);
      return undefined;
    },

    TagInstanceProfile(p, { world }) {
      const ip = getProfile(world, requiredParam(p.InstanceProfileName, "InstanceProfileName"));
      world.store.addTags(ip.id, memberTags(p.Tags));
      return undefined;
    },

    UntagInstanceProfile(p, { world }) {
      const ip = getProfile(world, requiredParam(p.InstanceProfileName, "InstanceProfileName"));
      for (const k of members(p.TagKeys)) world.store.tags(ip.id).delete(String(k));
      return undefined;
    },

    ListInstanceProfileTags(p, { world }) {
      const ip = getProfile(world, requiredParam(p.InstanceProfileName, "InstanceProfileName"));
      return listed(world.store.tagList(ip.id), p, "Tags");
    },
  },
};
