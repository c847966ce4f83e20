/**
 * One ECR repository per config.ecr.repositories entry (optional/ecr:<name>): images
 * scanned on push, tags immutable (a deployed tag always means the same image), AES256
 * encryption at rest. Scanning and mutability are fixed in place when they drift.
 */
import type { Repository } from "@aws-sdk/client-ecr";
import { ecrApi } from "../../aws/sdk.js";
import { awsCall, isNotFound } from "../../aws/errors.js";
import { resourceStep } from "../../aws/resource-step.js";
import { kxTags, TAG_CLUSTER, tagValue } from "../../aws/tags.js";
import { KxError } from "../../engine/errors.js";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";

export function ecrStepId(repository: string): string {
  return `optional/ecr:${repository}`;
}

export function ecrRepositoryStep(repository: string): Step<KxContext> {
  const id = ecrStepId(repository);
  const target = `ECR repository ${repository}`;
  return resourceStep<KxContext, Repository>({
    id,
    title: target,
    needs: [],
    target,
    detail: () => "scan on push, immutable tags, encrypted",

    async find(ctx) {
      const { client: ecr, sdk } = await ecrApi(ctx.aws);
      const found = await awsCall("DescribeRepositories", repository, () => ecr.send(new sdk.DescribeRepositoriesCommand({ repositoryNames: [repository] })))
        .then((r) => r.repositories?.[0])
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (!found) return undefined;
      const tags = await awsCall("ListTagsForResource", repository, () => ecr.send(new sdk.ListTagsForResourceCommand({ resourceArn: found.repositoryArn })));
      if (tagValue(tags.tags, TAG_CLUSTER) !== ctx.cluster) {
        throw new KxError(`ECR repository ${repository} exists but kx did not create it for cluster ${ctx.cluster}`, {
          source: "user",
          hint: "Remove it from ecr.repositories (kx does not adopt repositories it did not make), or delete it.",
        });
      }
      return found;
    },

    async drift(_ctx, found) {
      const changes: Change[] = [];
      if (!found.imageScanningConfiguration?.scanOnPush) changes.push({ action: "update", target, detail: "scan on push" });
      if (found.imageTagMutability !== "IMMUTABLE") changes.push({ action: "update", target, detail: "immutable tags" });
      return changes;
    },

    async create(ctx) {
      const { client: ecr, sdk } = await ecrApi(ctx.aws);
      const created = await awsCall("CreateRepository", repository, () =>
        ecr.send(
          new sdk.CreateRepositoryCommand({
            repositoryName: repository,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfiguration: { encryptionType: "AES256" },
            tags: kxTags(ctx.cluster, id, repository),
          }),
        ),
      );
      return created.repository!;
    },

    async update(ctx, found) {
      const { client: ecr, sdk } = await ecrApi(ctx.aws);
      await awsCall("PutImageScanningConfiguration", repository, () =>
        ecr.send(new sdk.PutImageScanningConfigurationCommand({ repositoryName: repository, imageScanningConfiguration: { scanOnPush: true } })),
      );
      await awsCall("PutImageTagMutability", repository, () =>
        ecr.send(new sdk.PutImageTagMutabilityCommand({ repositoryName: repository, imageTagMutability: "IMMUTABLE" })),
      );
      return { ...found, imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } };
    },

    outputs: (found) => ({ repositoryUri: found.repositoryUri ?? "" }),
  });
}
