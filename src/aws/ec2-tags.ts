/** Re-tagging an EC2 resource whose tags drifted (someone removed the Kubernetes cluster tag, say). */
import type { Change } from "../engine/types.js";
import type { AwsClients } from "./clients.js";
import { awsCallEventually } from "./errors.js";
import { ec2Api } from "./sdk.js";
import { missingTags, type Tag } from "./tags.js";

type Tags = readonly { Key?: string; Value?: string }[] | undefined;

/** An update change when wanted tags are missing or differ, else nothing. */
export function tagDrift(target: string, have: Tags, want: readonly Tag[]): Change[] {
  const missing = missingTags(have, want);
  return missing.length === 0 ? [] : [{ action: "update", target, detail: `tags ${missing.map((t) => t.Key).join(", ")}` }];
}

/** Adds the missing tags; returns the resource's tags as they are now. */
export async function ensureTags(aws: AwsClients, resourceId: string, have: Tags, want: readonly Tag[]): Promise<Tag[]> {
  const missing = missingTags(have, want);
  const current = (have ?? []).filter((t): t is Tag => typeof t.Key === "string" && typeof t.Value === "string");
  if (missing.length === 0) return current;
  const { client, sdk } = await ec2Api(aws);
  await awsCallEventually("ec2:CreateTags", resourceId, () => client.send(new sdk.CreateTagsCommand({ Resources: [resourceId], Tags: missing })));
  return [...current.filter((t) => !missing.some((m) => m.Key === t.Key)), ...missing];
}
