// @ts-check
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { int, list } from "../../core/form.js";
import { checkSpecTypes, describe, required, tagOnCreate, tagSet, withClientToken } from "./common.js";
import { decodeLaunchSpec, mergeSpecs, renderLaunchSpec } from "./launch-spec.js";

/** Launch templates and their numbered versions. */

/** @typedef {import("../../core/world.js").World} World */

const NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;

/**
 * The template named by LaunchTemplateId or LaunchTemplateName.
 * @param {World} world @param {{ LaunchTemplateId?: string, LaunchTemplateName?: string }} ref
 */
export function findTemplate(world, ref) {
  if (ref.LaunchTemplateId) {
    const t = world.store.get("lt", String(ref.LaunchTemplateId));
    if (!t) throw new AwsError("InvalidLaunchTemplateId.NotFound", `The specified launch template, with template ID ${ref.LaunchTemplateId}, does not exist.`);
    return t;
  }
  if (ref.LaunchTemplateName) {
    const t = world.store.list("lt").find((x) => x.name === ref.LaunchTemplateName);
    if (!t) throw new AwsError("InvalidLaunchTemplateName.NotFoundException", `The specified launch template, with template name ${ref.LaunchTemplateName}, does not exist.`);
    return t;
  }
  throw new AwsError("MissingParameter", "The request must contain the parameter LaunchTemplateId or LaunchTemplateName");
}

/** A template version by number, `$Latest` or `$Default`. @param {any} t @param {string | undefined} v */
export function templateVersion(t, v) {
  const n = v === undefined || v === "$Default" ? t.defaultVersion : v === "$Latest" ? t.versions.length : Number(v);
  const version = t.versions[n - 1];
  if (!version) throw new AwsError("InvalidLaunchTemplateId.VersionNotFound", `Could not find launch template version ${v} for ${t.id}`);
  return version;
}

/** @param {World} world @param {any} t */
function renderTemplate(world, t) {
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    createTime: t.createTime,
    createdBy: `arn:aws:iam::${world.account}:root`,
    defaultVersionNumber: t.defaultVersion,
    latestVersionNumber: t.versions.length,
    tagSet: tagSet(world, t.id),
  };
}

/** @param {World} world @param {any} t @param {any} v */
function renderVersion(world, t, v) {
  return {
    launchTemplateId: t.id,
    launchTemplateName: t.name,
    versionNumber: v.number,
    versionDescription: v.description,
    createTime: v.createTime,
    createdBy: `arn:aws:iam::${world.account}:root`,
    defaultVersion: v.number === t.defaultVersion,
    launchTemplateData: renderLaunchSpec(v.data),
  };
}

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  CreateLaunchTemplate(p, { world }) {
    const { id } = withClientToken(world, "CreateLaunchTemplate", p, () => {
      const name = required(p.LaunchTemplateName, "LaunchTemplateName");
      if (!NAME.test(name)) throw new AwsError("InvalidLaunchTemplateName.MalformedException", `A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'`);
      if (world.store.list("lt").some((t) => t.name === name)) {
        throw new AwsError("InvalidLaunchTemplateName.AlreadyExistsException", `Launch template name already in use.`);
      }
      if (!p.LaunchTemplateData) throw new AwsError("MissingParameter", "The request must contain the parameter LaunchTemplateData");
      checkSpecTypes(p, ["launch-template"]);
      const ltId = ec2Id("lt");
      const now = new Date();
      world.store.put("lt", ltId, {
        id: ltId,
        name,
        createTime: now,
        defaultVersion: 1,
        versions: [{ number: 1, description: p.VersionDescription, createTime: now, data: decodeLaunchSpec(p.LaunchTemplateData) }],
      });
      tagOnCreate(world, ltId, p, "launch-template");
      return ltId;
    });
    return { launchTemplate: renderTemplate(world, world.store.get("lt", id)) };
  },

  CreateLaunchTemplateVersion(p, { world }) {
    const t = findTemplate(world, p);
    const { id } = withClientToken(world, `CreateLaunchTemplateVersion:${t.id}`, p, () => {
      if (!p.LaunchTemplateData) throw new AwsError("MissingParameter", "The request must contain the parameter LaunchTemplateData");
      const base = p.SourceVersion ? templateVersion(t, String(p.SourceVersion)).data : {};
      const number = t.versions.length + 1;
      t.versions.push({ number, description: p.VersionDescription, createTime: new Date(), data: mergeSpecs(base, decodeLaunchSpec(p.LaunchTemplateData)) });
      return String(number);
    });
    return { launchTemplateVersion: renderVersion(world, t, t.versions[Number(id) - 1]) };
  },

  ModifyLaunchTemplate(p, { world }) {
    const t = findTemplate(world, p);
    if (p.SetDefaultVersion !== undefined) {
      const v = templateVersion(t, String(p.SetDefaultVersion));
      t.defaultVersion = v.number;
    }
    return { launchTemplate: renderTemplate(world, t) };
  },

  DescribeLaunchTemplates(p, { world }) {
    const names = list(p.LaunchTemplateName).map(String);
    for (const n of names) {
      if (!world.store.list("lt").some((t) => t.name === n)) {
        throw new AwsError("InvalidLaunchTemplateName.NotFoundException", `At least one of the launch templates specified in the request does not exist.`);
      }
    }
    const { items, next } = describe(world, p, {
      type: "lt",
      idParam: "LaunchTemplateId",
      missing: () => new AwsError("InvalidLaunchTemplateId.NotFound", `At least one of the launch templates specified in the request does not exist.`),
      fields: { "launch-template-name": (t) => t.name, "create-time": (t) => t.createTime.toISOString() },
      visible: (t) => !names.length || names.includes(t.name),
      paged: true,
      limits: [1, 200],
    });
    return { launchTemplates: items.map((t) => renderTemplate(world, t)), nextToken: next };
  },

  DescribeLaunchTemplateVersions(p, { world }) {
    const t = findTemplate(world, p);
    const wanted = list(p.LaunchTemplateVersion).map(String);
    let versions = wanted.length ? wanted.map((v) => templateVersion(t, v)) : t.versions;
    const min = int(p.MinVersion);
    const max = int(p.MaxVersion);
    versions = versions.filter((/** @type {any} */ v) => (min === undefined || v.number >= min) && (max === undefined || v.number <= max));
    return { launchTemplateVersionSet: versions.map((/** @type {any} */ v) => renderVersion(world, t, v)) };
  },

  DeleteLaunchTemplate(p, { world }) {
    const t = findTemplate(world, p);
    world.store.remove("lt", t.id);
    return { launchTemplate: renderTemplate(world, t) };
  },
};
