/**
 * The workers' launch template (machines/worker-launch-template). Each version carries
 * the hash of its data in its description, so a config change (instance type, AMI,
 * volume size) is one new default version, and an unchanged one is no call at all. kx
 * compares with the default version, the one it sets and the group launches.
 */
import { createHash } from "node:crypto";
import type { LaunchTemplate, RequestLaunchTemplateData } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../aws/clients.js";
import { ec2Api } from "../../aws/sdk.js";
import { awsCall } from "../../aws/errors.js";
import { clientToken } from "../../aws/client-token.js";
import { onlyOne, ownedBy } from "../../aws/find.js";
import { kxTags, tagSpecifications } from "../../aws/tags.js";
import { KxError } from "../../engine/errors.js";
import type { Change, Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { metadataOptions, rootDeviceName, rootVolume } from "./hardening.js";
import { maybeString, needString } from "./needs.js";
import { encodeUserData, renderUserData } from "./user-data.js";

export const LAUNCH_TEMPLATE_STEP = "machines/worker-launch-template";
const UPSTREAM = ["security/sg:worker", "security/iam:worker", "images/node", "machines/key-pair"];

export function launchTemplateName(cluster: string): string {
  return `kx-${cluster}-worker`;
}

async function findTemplate(aws: AwsClients, cluster: string): Promise<LaunchTemplate | undefined> {
  const { client: ec2, sdk } = await ec2Api(aws);
  const result = await awsCall("DescribeLaunchTemplates", launchTemplateName(cluster), () =>
    ec2.send(new sdk.DescribeLaunchTemplatesCommand({ Filters: ownedBy(cluster, LAUNCH_TEMPLATE_STEP) })),
  );
  return onlyOne(result.LaunchTemplates ?? [], "launch templates", (t) => t.LaunchTemplateId);
}

/** The default version (the one kx manages and the group launches): its number and description. */
async function defaultVersion(aws: AwsClients, templateId: string): Promise<{ number: string; description?: string }> {
  const { client: ec2, sdk } = await ec2Api(aws);
  const result = await awsCall("DescribeLaunchTemplateVersions", templateId, () =>
    ec2.send(new sdk.DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: ["$Default"] })),
  );
  const version = result.LaunchTemplateVersions?.[0];
  return { number: String(version?.VersionNumber ?? 1), description: version?.VersionDescription };
}

function imageId(ctx: KxContext, config: ClusterConfig): string | undefined {
  return maybeString(ctx, "images/node", "amiId") ?? config.images.node;
}

/** The template's data from the upstream outputs; undefined while they are missing (a fresh plan). */
async function wantedData(ctx: KxContext, config: ClusterConfig): Promise<RequestLaunchTemplateData | undefined> {
  const ami = imageId(ctx, config);
  if (!ami || ["security/sg:worker", "security/iam:worker", "machines/key-pair"].some((id) => !ctx.outputs(id))) return undefined;
  return {
    ImageId: ami,
    InstanceType: config.workers.instanceType as never,
    KeyName: needString(ctx, "machines/key-pair", "keyName"),
    IamInstanceProfile: { Arn: needString(ctx, "security/iam:worker", "instanceProfileArn") },
    SecurityGroupIds: [needString(ctx, "security/sg:worker", "groupId")],
    MetadataOptions: metadataOptions(1),
    BlockDeviceMappings: rootVolume(await rootDeviceName(ctx.aws, ami), config.workers.volumeSizeGiB),
    UserData: encodeUserData(renderUserData("worker.sh", { cluster: ctx.cluster, region: ctx.aws.region })),
    TagSpecifications: tagSpecifications("volume", kxTags(ctx.cluster, LAUNCH_TEMPLATE_STEP, `${ctx.cluster}-worker`, { "kx:role": "worker" })),
  };
}

/** "kx:<sha256 of the data>" (≤255 characters), the version's description. */
function describeData(data: RequestLaunchTemplateData): string {
  return `kx:${createHash("sha256").update(JSON.stringify(data)).digest("hex")}`;
}

/** One token per content: a retried call returns what the first made, new content gets a new token. */
function versionToken(cluster: string, description: string): string {
  return clientToken(cluster, `${LAUNCH_TEMPLATE_STEP}:${description}`);
}

export function workerLaunchTemplateStep(config: ClusterConfig): Step<KxContext> {
  const target = `launch template ${launchTemplateName(config.name)}`;
  return {
    id: LAUNCH_TEMPLATE_STEP,
    title: "worker launch template",
    needs: UPSTREAM,
    inputs: () => ({ instanceType: config.workers.instanceType, volumeSizeGiB: config.workers.volumeSizeGiB, image: config.images.node ?? null }),

    async plan(ctx) {
      const detail = `${config.workers.instanceType}, ${config.workers.volumeSizeGiB} GiB gp3 encrypted, IMDSv2 hop limit 1`;
      if (!ctx.aws.live) return [{ action: "create", target, detail }];
      const found = await findTemplate(ctx.aws, ctx.cluster);
      if (!found) return [{ action: "create", target, detail }];
      const data = await wantedData(ctx, config);
      if (!data) return [];
      const current = await defaultVersion(ctx.aws, found.LaunchTemplateId!);
      return current.description === describeData(data) ? [] : ([{ action: "update", target, detail: `new version: ${detail}` }] satisfies Change[]);
    },

    async apply(ctx) {
      const { client: ec2, sdk } = await ec2Api(ctx.aws);
      const data = await wantedData(ctx, config);
      if (!data) throw new KxError(`${LAUNCH_TEMPLATE_STEP} needs the worker security group, instance profile, key pair and node AMI`);
      const description = describeData(data);
      const found = await findTemplate(ctx.aws, ctx.cluster);
      if (!found) {
        const name = launchTemplateName(ctx.cluster);
        const created = await awsCall("CreateLaunchTemplate", name, () =>
          ec2.send(
            new sdk.CreateLaunchTemplateCommand({
              LaunchTemplateName: name,
              ClientToken: versionToken(ctx.cluster, description),
              VersionDescription: description,
              LaunchTemplateData: data,
              TagSpecifications: tagSpecifications("launch-template", kxTags(ctx.cluster, LAUNCH_TEMPLATE_STEP, name)),
            }),
          ),
        );
        const template = created.LaunchTemplate!;
        return { launchTemplateId: template.LaunchTemplateId!, version: String(template.LatestVersionNumber ?? 1) };
      }
      const id = found.LaunchTemplateId!;
      const current = await defaultVersion(ctx.aws, id);
      if (current.description === description) return { launchTemplateId: id, version: current.number };
      ctx.log.info(`creating a new version of ${found.LaunchTemplateName}`);
      const created = await awsCall("CreateLaunchTemplateVersion", id, () =>
        ec2.send(
          new sdk.CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: id,
            ClientToken: versionToken(ctx.cluster, description),
            VersionDescription: description,
            LaunchTemplateData: data,
          }),
        ),
      );
      const version = String(created.LaunchTemplateVersion!.VersionNumber);
      await awsCall("ModifyLaunchTemplate", id, () => ec2.send(new sdk.ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: version })));
      return { launchTemplateId: id, version };
    },
  };
}
