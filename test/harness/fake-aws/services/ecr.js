// @ts-check
import { AwsError } from "../core/errors.js";
import { paginate } from "../core/paginate.js";

/** ECR repositories (JSON 1.1, target AmazonEC2ContainerRegistry_V20150921). */

/** @typedef {import("../core/world.js").World} World */

const NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** @param {World} world @param {string} name */
function getRepo(world, name) {
  const r = world.store.get("repository", name);
  if (!r) throw new AwsError("RepositoryNotFoundException", `The repository with name '${name}' does not exist in the registry with id '${world.account}'`);
  return r;
}

/** @param {World} world @param {any} r */
function render(world, r) {
  return {
    repositoryArn: r.id,
    registryId: world.account,
    repositoryName: r.name,
    repositoryUri: `${world.account}.dkr.ecr.${world.region}.amazonaws.com/${r.name}`,
    createdAt: r.createdAt,
    imageTagMutability: r.mutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: r.encryption,
  };
}

/** @param {World} world @param {string} arn */
function byArn(world, arn) {
  const r = world.store.list("repository").find((x) => x.id === arn);
  if (!r) {
    if (!/^arn:aws:ecr:/.test(arn)) throw new AwsError("InvalidParameterException", `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`);
    throw new AwsError("RepositoryNotFoundException", `The repository with name '${arn.split("/").slice(1).join("/")}' does not exist in the registry with id '${world.account}'`);
  }
  return r;
}

/** @param {any} mut */
function checkMutability(mut) {
  if (!["MUTABLE", "IMMUTABLE"].includes(mut)) throw new AwsError("InvalidParameterException", `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`);
}

/** @type {import("../core/server.js").ServiceModule} */
export const service = {
  name: "ecr",
  signingName: "ecr",
  protocol: "json",
  targetPrefix: "AmazonEC2ContainerRegistry_V20150921",
  actions: {
    CreateRepository(p, { world }) {
      const name = String(p.repositoryName ?? "");
      if (!NAME.test(name)) throw new AwsError("InvalidParameterException", `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`);
      if (world.store.get("repository", name)) {
        throw new AwsError("RepositoryAlreadyExistsException", `The repository with name '${name}' already exists in the registry with id '${world.account}'`);
      }
      const mutability = p.imageTagMutability ?? "MUTABLE";
      checkMutability(mutability);
      const r = world.store.put("repository", name, {
        id: world.arn("ecr", `repository/${name}`),
        name,
        createdAt: new Date(),
        mutability,
        scanOnPush: Boolean(p.imageScanningConfiguration?.scanOnPush),
        encryption: p.encryptionConfiguration ?? { encryptionType: "AES256" },
        images: 0,
      });
      world.store.addTags(r.id, (p.tags ?? []).map((/** @type {any} */ t) => ({ Key: t.Key, Value: t.Value })));
      return { repository: render(world, r) };
    },

    DescribeRepositories(p, { world }) {
      const names = /** @type {string[]} */ ((p.repositoryNames ?? []).map(String));
      const repos = names.length ? names.map((/** @type {string} */ n) => getRepo(world, n)) : world.store.list("repository");
      if (names.length && p.maxResults !== undefined) throw new AwsError("InvalidParameterException", "Invalid parameter: maxResults can't be used with repositoryNames");
      const { page, next } = paginate(repos, { max: p.maxResults, token: p.nextToken, defaultMax: 100, limits: [1, 1000], errorCode: "InvalidParameterException" });
      return { repositories: page.map((r) => render(world, r)), nextToken: next };
    },

    DeleteRepository(p, { world }) {
      const r = getRepo(world, String(p.repositoryName ?? ""));
      if (r.images > 0 && !p.force) {
        throw new AwsError("RepositoryNotEmptyException", `The repository with name '${r.name}' in registry with id '${world.account}' cannot be deleted because it still contains images`);
      }
      world.store.remove("repository", r.name);
      return { repository: render(world, r) };
    },

    PutImageTagMutability(p, { world }) {
      const r = getRepo(world, String(p.repositoryName ?? ""));
      checkMutability(p.imageTagMutability);
      r.mutability = p.imageTagMutability;
      return { registryId: world.account, repositoryName: r.name, imageTagMutability: r.mutability };
    },

    PutImageScanningConfiguration(p, { world }) {
      const r = getRepo(world, String(p.repositoryName ?? ""));
      r.scanOnPush = Boolean(p.imageScanningConfiguration?.scanOnPush);
      return { registryId: world.account, repositoryName: r.name, imageScanningConfiguration: { scanOnPush: r.scanOnPush } };
    },

    TagResource(p, { world }) {
      const r = byArn(world, String(p.resourceArn ?? ""));
      world.store.addTags(r.id, p.tags ?? []);
      if (world.store.tags(r.id).size > 50) throw new AwsError("TooManyTagsException", "The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.");
      return {};
    },

    UntagResource(p, { world }) {
      const r = byArn(world, String(p.resourceArn ?? ""));
      for (const k of p.tagKeys ?? []) world.store.tags(r.id).delete(String(k));
      return {};
    },

    ListTagsForResource(p, { world }) {
      return { tags: world.store.tagList(byArn(world, String(p.resourceArn ?? "")).id) };
    },
  },
};
