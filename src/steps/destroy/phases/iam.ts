/**
 * IAM: instance profiles, then roles with their inline and attached policies. kx keeps
 * them under the path /kx/<cluster>/, so listing by path finds them with no state.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import { awsCall } from "../../../aws/errors.js";
import { iamApi } from "../../../aws/sdk.js";
import { TAG_CLUSTER, tagValue } from "../../../aws/tags.js";
import { IAM_ROLES, iamStepId } from "../../security/ids.js";
import { iamPath } from "../../security/iam-role.js";
import { stateIds, unlessNotFound } from "../lookup.js";
import { forEachItem } from "../retry.js";
import type { DestroyContext, DestroyItem, DestroyPhase } from "../types.js";

type Sdk = typeof import("@aws-sdk/client-iam");

async function listByPath<T>(
  fetch: (Marker: string | undefined) => Promise<{ items: T[]; Marker?: string; IsTruncated?: boolean }>,
): Promise<T[]> {
  const out: T[] = [];
  let Marker: string | undefined;
  do {
    const page = await fetch(Marker);
    out.push(...page.items);
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return out;
}

/** Only names the cluster's tag confirms (a role of the same name outside kx is never touched). */
async function confirmedRoles(ctx: DestroyContext, client: IAMClient, sdk: Sdk, names: string[]): Promise<DestroyItem[]> {
  const items: DestroyItem[] = [];
  for (const RoleName of new Set(names)) {
    const role = await unlessNotFound("iam:GetRole", RoleName, () => client.send(new sdk.GetRoleCommand({ RoleName })));
    if (role?.Role && tagValue(role.Role.Tags, TAG_CLUSTER) === ctx.cluster) items.push({ id: RoleName });
  }
  return items;
}

export const instanceProfiles: DestroyPhase = {
  name: "instance-profiles",
  type: "instance profile",
  after: ["instances", "launch-templates", "autoscaling-groups"],
  async discover(ctx) {
    const { client, sdk } = await iamApi(ctx.aws);
    const PathPrefix = iamPath(ctx.cluster);
    const listed = await listByPath(async (Marker) => {
      const out = await awsCall("iam:ListInstanceProfiles", PathPrefix, () => client.send(new sdk.ListInstanceProfilesCommand({ PathPrefix, Marker })));
      return { items: out.InstanceProfiles ?? [], Marker: out.Marker, IsTruncated: out.IsTruncated };
    });
    const names = new Set(listed.map((p) => p.InstanceProfileName!));
    for (const name of stateIds(ctx, IAM_ROLES.map(iamStepId), "instanceProfileName")) {
      if (names.has(name)) continue;
      const out = await unlessNotFound("iam:GetInstanceProfile", name, () => client.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: name })));
      if (out?.InstanceProfile?.Path === PathPrefix) names.add(name);
    }
    return [...names].map((id) => ({ id }));
  },
  async remove(items, run) {
    const { client, sdk } = await iamApi(run.ctx.aws);
    await forEachItem(items, async ({ id }) => {
      const out = await unlessNotFound("iam:GetInstanceProfile", id, () => client.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: id })));
      for (const role of out?.InstanceProfile?.Roles ?? []) {
        await unlessNotFound("iam:RemoveRoleFromInstanceProfile", id, () =>
          client.send(new sdk.RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: id, RoleName: role.RoleName })),
        );
      }
      await unlessNotFound("iam:DeleteInstanceProfile", id, () => client.send(new sdk.DeleteInstanceProfileCommand({ InstanceProfileName: id })));
    });
  },
};

export const iamRoles: DestroyPhase = {
  name: "iam-roles",
  type: "IAM role",
  after: ["instance-profiles"],
  async discover(ctx) {
    const { client, sdk } = await iamApi(ctx.aws);
    const PathPrefix = iamPath(ctx.cluster);
    const listed = await listByPath(async (Marker) => {
      const out = await awsCall("iam:ListRoles", PathPrefix, () => client.send(new sdk.ListRolesCommand({ PathPrefix, Marker })));
      return { items: out.Roles ?? [], Marker: out.Marker, IsTruncated: out.IsTruncated };
    });
    return confirmedRoles(ctx, client, sdk, [
      ...listed.map((r) => r.RoleName!),
      ...stateIds(ctx, IAM_ROLES.map(iamStepId), "roleName"),
    ]);
  },
  async remove(items, run) {
    const { client, sdk } = await iamApi(run.ctx.aws);
    await forEachItem(items, async ({ id: RoleName }) => {
      const inline = await unlessNotFound("iam:ListRolePolicies", RoleName, () => client.send(new sdk.ListRolePoliciesCommand({ RoleName })));
      for (const PolicyName of inline?.PolicyNames ?? []) {
        await unlessNotFound("iam:DeleteRolePolicy", `${RoleName}/${PolicyName}`, () => client.send(new sdk.DeleteRolePolicyCommand({ RoleName, PolicyName })));
      }
      const attached = await unlessNotFound("iam:ListAttachedRolePolicies", RoleName, () =>
        client.send(new sdk.ListAttachedRolePoliciesCommand({ RoleName })),
      );
      for (const p of attached?.AttachedPolicies ?? []) {
        await unlessNotFound("iam:DetachRolePolicy", `${RoleName} ${p.PolicyArn}`, () =>
          client.send(new sdk.DetachRolePolicyCommand({ RoleName, PolicyArn: p.PolicyArn })),
        );
      }
      // A profile outside the cluster's path may still hold the role.
      const profiles = await unlessNotFound("iam:ListInstanceProfilesForRole", RoleName, () =>
        client.send(new sdk.ListInstanceProfilesForRoleCommand({ RoleName })),
      );
      for (const p of profiles?.InstanceProfiles ?? []) {
        await unlessNotFound("iam:RemoveRoleFromInstanceProfile", p.InstanceProfileName!, () =>
          client.send(new sdk.RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: p.InstanceProfileName, RoleName })),
        );
      }
      await unlessNotFound("iam:DeleteRole", RoleName, () => client.send(new sdk.DeleteRoleCommand({ RoleName })));
    });
  },
};
