/** The cluster's secrets in SSM (everything under /kx/<cluster>/) and its ECR repositories. */
import { awsCall, errorCode } from "../../../aws/errors.js";
import { ecrApi, ssmApi } from "../../../aws/sdk.js";
import { secretRoot } from "../../../aws/ssm-secret-store.js";
import { TAG_CLUSTER, tagValue } from "../../../aws/tags.js";
import { stateIds, unlessNotFound, withStateIds } from "../lookup.js";
import { forEachItem } from "../retry.js";
import type { DestroyItem, DestroyPhase } from "../types.js";

export const ssmParameters: DestroyPhase = {
  name: "ssm-parameters",
  type: "SSM parameter",
  // Booting workers read join/* until their group is gone.
  after: ["autoscaling-groups", "instances"],
  async discover(ctx) {
    const { client, sdk } = await ssmApi(ctx.aws);
    const Path = secretRoot(ctx.cluster);
    const found: DestroyItem[] = [];
    let NextToken: string | undefined;
    do {
      const out = await awsCall("ssm:GetParametersByPath", Path, () =>
        client.send(new sdk.GetParametersByPathCommand({ Path, Recursive: true, WithDecryption: false, NextToken })),
      );
      for (const p of out.Parameters ?? []) found.push({ id: p.Name! });
      NextToken = out.NextToken;
    } while (NextToken);
    return found;
  },
  async remove(items, run) {
    const { client, sdk } = await ssmApi(run.ctx.aws);
    for (let i = 0; i < items.length; i += 10) {
      const Names = items.slice(i, i + 10).map((p) => p.id);
      await awsCall("ssm:DeleteParameters", Names.join(", "), () => client.send(new sdk.DeleteParametersCommand({ Names })));
    }
  },
};

export const ecrRepositories: DestroyPhase = {
  name: "ecr-repositories",
  type: "ECR repository",
  after: [],
  async discover(ctx) {
    const { client, sdk } = await ecrApi(ctx.aws);
    const found: DestroyItem[] = [];
    let nextToken: string | undefined;
    do {
      const out = await awsCall("ecr:DescribeRepositories", `repositories of ${ctx.cluster}`, () =>
        client.send(new sdk.DescribeRepositoriesCommand({ nextToken })),
      );
      for (const repo of out.repositories ?? []) {
        const tags = await awsCall("ecr:ListTagsForResource", repo.repositoryName!, () =>
          client.send(new sdk.ListTagsForResourceCommand({ resourceArn: repo.repositoryArn })),
        );
        if (tagValue(tags.tags, TAG_CLUSTER) === ctx.cluster) found.push({ id: repo.repositoryName! });
      }
      nextToken = out.nextToken;
    } while (nextToken);
    const stepIds = (ctx.config?.ecr.repositories ?? []).map((r) => `optional/ecr:${r}`);
    const fromState = stateIds(ctx, stepIds, "repositoryUri").map((uri) => uri.slice(uri.indexOf("/") + 1));
    return withStateIds(found, fromState, async (name) => {
      const out = await unlessNotFound("ecr:DescribeRepositories", name, () => client.send(new sdk.DescribeRepositoriesCommand({ repositoryNames: [name] })));
      return out?.repositories?.length ? { id: name } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await ecrApi(run.ctx.aws);
    const force = run.options.forceEcr ?? false;
    await forEachItem(items, async (item) => {
      try {
        await unlessNotFound("ecr:DeleteRepository", item.id, () => client.send(new sdk.DeleteRepositoryCommand({ repositoryName: item.id, force })));
      } catch (e) {
        if (errorCode(e) !== "RepositoryNotEmptyException") throw e;
        run.keep(item, "it still holds images (kx destroy --force-ecr deletes them too)");
      }
    });
  },
};
