/**
 * An instance role with its trust policy, its one inline policy, its managed policies
 * and its instance profile, all named kx-<cluster>-<role> under the path /kx/<cluster>/
 * and tagged for the cluster. Every part is compared with what is wanted and fixed in
 * place; policies are compared as parsed JSON, not as text.
 */
import type { Role } from "@aws-sdk/client-iam";
import { createHash } from "node:crypto";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { KxError } from "../../engine/errors.js";
import { stableStringify } from "../../engine/stable-json.js";
import { awsCall, awsCallEventually, isAlreadyExists, isNotFound, toAwsError } from "../../aws/errors.js";
import { callerIdentity } from "../../aws/identity.js";
import { iamApi } from "../../aws/sdk.js";
import { kxTags, TAG_CLUSTER, tagValue } from "../../aws/tags.js";
import { ec2TrustPolicy, managedPolicyArns, rolePolicy, type PolicyScope } from "./iam-policies.js";
import { iamStepId, type IamRoleName } from "./ids.js";

const IAM_NAME_MAX = 64;

/** kx-<cluster>-<role>, shortened with a hash of the cluster name when it would pass IAM's 64 characters. */
export function iamName(cluster: string, role: IamRoleName): string {
  const name = `kx-${cluster}-${role}`;
  if (name.length <= IAM_NAME_MAX) return name;
  const hash = createHash("sha256").update(cluster).digest("hex").slice(0, 8);
  const room = IAM_NAME_MAX - `kx--${hash}-${role}`.length;
  return `kx-${cluster.slice(0, room)}-${hash}-${role}`;
}

/** Roles and instance profiles of a cluster live under this path: destroy lists them by it. */
export function iamPath(cluster: string): string {
  return `/kx/${cluster}/`;
}

export const INLINE_POLICY_NAME = "kx";

interface LiveRole {
  role?: Role;
  trustMatches: boolean;
  inlinePolicies: Map<string, unknown>;
  managed: string[];
  profile?: { arn: string; roles: string[] };
}

interface Wanted {
  roleName: string;
  trust: unknown;
  policy: unknown;
  managed: string[];
}

const same = (a: unknown, b: unknown) => stableStringify(a) === stableStringify(b);

/** IAM hands documents back URL-encoded. */
function parseDocument(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(decodeURIComponent(text));
  } catch {
    return JSON.parse(text);
  }
}

export function iamRoleStep(role: IamRoleName): Step<KxContext> {
  const id = iamStepId(role);
  const target = `iam role ${role}`;

  const wanted = async (ctx: KxContext): Promise<Wanted> => {
    const identity = await callerIdentity(ctx.aws);
    const scope: PolicyScope = {
      cluster: ctx.cluster,
      region: ctx.aws.region,
      account: identity.account,
      partition: identity.partition,
      ciliumEni: ctx.config.addons.cilium.enabled && ctx.config.addons.cilium.ipam === "eni",
    };
    return {
      roleName: iamName(ctx.cluster, role),
      trust: ec2TrustPolicy(identity.partition),
      policy: rolePolicy(role, scope),
      managed: managedPolicyArns(role, identity.partition, ctx.config.addons.ebsCsi.enabled),
    };
  };

  const find = async (ctx: KxContext, want: Wanted): Promise<LiveRole> => {
    const { client, sdk } = await iamApi(ctx.aws);
    const RoleName = want.roleName;
    const live: LiveRole = { trustMatches: false, inlinePolicies: new Map(), managed: [] };
    try {
      live.role = (await client.send(new sdk.GetRoleCommand({ RoleName }))).Role;
    } catch (e) {
      if (!isNotFound(e)) throw toAwsError(e, "iam:GetRole", RoleName);
    }
    if (live.role) {
      if (tagValue(live.role.Tags, TAG_CLUSTER) !== ctx.cluster) {
        throw new KxError(`the IAM role ${RoleName} exists but is not tagged ${TAG_CLUSTER}=${ctx.cluster}`, {
          source: "user",
          hint: "Another cluster or tool owns a role of that name; rename the cluster or delete that role.",
        });
      }
      live.trustMatches = same(parseDocument(live.role.AssumeRolePolicyDocument), want.trust);
      const names = (await awsCall("iam:ListRolePolicies", RoleName, () => client.send(new sdk.ListRolePoliciesCommand({ RoleName })))).PolicyNames ?? [];
      for (const PolicyName of names) {
        const doc = await awsCall("iam:GetRolePolicy", `${RoleName}/${PolicyName}`, () =>
          client.send(new sdk.GetRolePolicyCommand({ RoleName, PolicyName })),
        );
        live.inlinePolicies.set(PolicyName, parseDocument(doc.PolicyDocument));
      }
      const attached = await awsCall("iam:ListAttachedRolePolicies", RoleName, () =>
        client.send(new sdk.ListAttachedRolePoliciesCommand({ RoleName })),
      );
      live.managed = (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn!).filter(Boolean);
    }
    try {
      const profile = (await client.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: RoleName }))).InstanceProfile;
      if (profile) live.profile = { arn: profile.Arn!, roles: (profile.Roles ?? []).map((r) => r.RoleName!) };
    } catch (e) {
      if (!isNotFound(e)) throw toAwsError(e, "iam:GetInstanceProfile", RoleName);
    }
    return live;
  };

  const drift = (live: LiveRole, want: Wanted): Change[] => {
    const changes: Change[] = [];
    const update = (detail: string) => changes.push({ action: "update", target, detail });
    if (!live.role) changes.push({ action: "create", target, detail: `${want.roleName} with its policies` });
    else {
      if (!live.trustMatches) update("trust policy");
      if (!same(live.inlinePolicies.get(INLINE_POLICY_NAME), want.policy)) update(`inline policy ${INLINE_POLICY_NAME}`);
      for (const name of live.inlinePolicies.keys()) if (name !== INLINE_POLICY_NAME) update(`remove inline policy ${name}`);
    }
    for (const arn of want.managed) if (!live.managed.includes(arn)) update(`attach ${arn}`);
    for (const arn of live.managed) if (!want.managed.includes(arn)) update(`detach ${arn}`);
    if (!live.profile) changes.push({ action: "create", target: `instance profile ${role}`, detail: want.roleName });
    else {
      if (!live.profile.roles.includes(want.roleName)) update(`add to instance profile`);
      for (const other of live.profile.roles) if (other !== want.roleName) update(`remove ${other} from instance profile`);
    }
    return changes;
  };

  return {
    id,
    title: `IAM role ${role}`,
    needs: [],
    inputs: (ctx) => ({ ebsCsi: ctx.config.addons.ebsCsi.enabled, ciliumIpam: ctx.config.addons.cilium.ipam }),

    async plan(ctx) {
      if (!ctx.aws.live) {
        return [
          { action: "create", target, detail: `${iamName(ctx.cluster, role)} with its policies` },
          { action: "create", target: `instance profile ${role}`, detail: iamName(ctx.cluster, role) },
        ];
      }
      const want = await wanted(ctx);
      return drift(await find(ctx, want), want);
    },

    async apply(ctx) {
      const want = await wanted(ctx);
      const live = await find(ctx, want);
      if (drift(live, want).length > 0) await reconcile(ctx, role, live, want);
      const { client, sdk } = await iamApi(ctx.aws);
      const RoleName = want.roleName;
      const roleOut = await awsCall("iam:GetRole", RoleName, () => client.send(new sdk.GetRoleCommand({ RoleName })));
      const profileOut = await awsCall("iam:GetInstanceProfile", RoleName, () =>
        client.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: RoleName })),
      );
      return {
        roleName: RoleName,
        roleArn: roleOut.Role!.Arn!,
        instanceProfileName: RoleName,
        instanceProfileArn: profileOut.InstanceProfile!.Arn!,
      };
    },
  };
}

async function reconcile(ctx: KxContext, role: IamRoleName, live: LiveRole, want: Wanted): Promise<void> {
  const { client, sdk } = await iamApi(ctx.aws);
  const RoleName = want.roleName;
  const Path = iamPath(ctx.cluster);
  const Tags = kxTags(ctx.cluster, iamStepId(role), RoleName);
  const log = (message: string) => ctx.log.info(message);

  if (!live.role) {
    await awsCall("iam:CreateRole", RoleName, () =>
      client.send(
        new sdk.CreateRoleCommand({
          RoleName,
          Path,
          AssumeRolePolicyDocument: JSON.stringify(want.trust),
          Description: `kx ${role} instances of cluster ${ctx.cluster}`,
          Tags,
        }),
      ),
    ).catch((e: unknown) => {
      // Created by a run that crashed before find() could see it (IAM is eventually consistent).
      if (!isAlreadyExists(e)) throw e;
    });
    log(`created role ${RoleName}`);
  } else if (!live.trustMatches) {
    await awsCall("iam:UpdateAssumeRolePolicy", RoleName, () =>
      client.send(new sdk.UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(want.trust) })),
    );
    log(`updated the trust policy of ${RoleName}`);
  }

  if (!same(live.inlinePolicies.get(INLINE_POLICY_NAME), want.policy)) {
    await awsCallEventually("iam:PutRolePolicy", `${RoleName}/${INLINE_POLICY_NAME}`, () =>
      client.send(new sdk.PutRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(want.policy) })),
    );
    log(`wrote the inline policy of ${RoleName}`);
  }
  for (const PolicyName of live.inlinePolicies.keys()) {
    if (PolicyName === INLINE_POLICY_NAME) continue;
    await awsCall("iam:DeleteRolePolicy", `${RoleName}/${PolicyName}`, () => client.send(new sdk.DeleteRolePolicyCommand({ RoleName, PolicyName })));
    log(`removed the inline policy ${PolicyName} from ${RoleName}`);
  }
  for (const PolicyArn of want.managed) {
    if (live.managed.includes(PolicyArn)) continue;
    await awsCallEventually("iam:AttachRolePolicy", `${RoleName} ${PolicyArn}`, () => client.send(new sdk.AttachRolePolicyCommand({ RoleName, PolicyArn })));
    log(`attached ${PolicyArn} to ${RoleName}`);
  }
  for (const PolicyArn of live.managed) {
    if (want.managed.includes(PolicyArn)) continue;
    await awsCall("iam:DetachRolePolicy", `${RoleName} ${PolicyArn}`, () => client.send(new sdk.DetachRolePolicyCommand({ RoleName, PolicyArn })));
    log(`detached ${PolicyArn} from ${RoleName}`);
  }

  const InstanceProfileName = RoleName;
  let roles = live.profile?.roles ?? [];
  if (!live.profile) {
    await awsCall("iam:CreateInstanceProfile", InstanceProfileName, () =>
      client.send(new sdk.CreateInstanceProfileCommand({ InstanceProfileName, Path, Tags })),
    ).catch((e: unknown) => {
      if (!isAlreadyExists(e)) throw e;
    });
    roles = [];
    log(`created instance profile ${InstanceProfileName}`);
  }
  for (const other of roles) {
    if (other === RoleName) continue;
    await awsCall("iam:RemoveRoleFromInstanceProfile", `${InstanceProfileName} ${other}`, () =>
      client.send(new sdk.RemoveRoleFromInstanceProfileCommand({ InstanceProfileName, RoleName: other })),
    );
  }
  if (!roles.includes(RoleName)) {
    await awsCallEventually("iam:AddRoleToInstanceProfile", InstanceProfileName, () =>
      client.send(new sdk.AddRoleToInstanceProfileCommand({ InstanceProfileName, RoleName })),
    );
    log(`added ${RoleName} to its instance profile`);
  }
}
