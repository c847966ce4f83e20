import { describe, expect, it } from "vitest";
import {
  SSMClient,
  PutParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  GetParametersByPathCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  AddTagsToResourceCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  GetParameterHistoryCommand,
} from "@aws-sdk/client-ssm";
import {
  ECRClient,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  DeleteRepositoryCommand,
  TagResourceCommand,
  ListTagsForResourceCommand as ListEcrTagsCommand,
  PutImageTagMutabilityCommand,
  PutImageScanningConfigurationCommand,
} from "@aws-sdk/client-ecr";
import { clientConfig, failure, useFake } from "./fake.js";

const fake = useFake();
let ssmc: SSMClient | undefined;
let ecrc: ECRClient | undefined;
const ssm = () => (ssmc ??= new SSMClient(clientConfig(fake())));
const ecr = () => (ecrc ??= new ECRClient(clientConfig(fake())));

describe("SSM parameters", () => {
  it("keeps SecureString versions and reveals the value only with decryption", async () => {
    const v1 = await ssm().send(new PutParameterCommand({ Name: "/kx/a/ca-key", Value: "secret-1", Type: "SecureString", KeyId: "alias/kx", Tags: [{ Key: "kx:cluster", Value: "a" }] }));
    expect(v1.Version).toBe(1);
    const dup = await failure(ssm().send(new PutParameterCommand({ Name: "/kx/a/ca-key", Value: "secret-2", Type: "SecureString" })));
    expect(dup.name).toBe("ParameterAlreadyExists");
    const tagsAndOverwrite = await failure(ssm().send(new PutParameterCommand({ Name: "/kx/a/ca-key", Value: "x", Type: "SecureString", Overwrite: true, Tags: [{ Key: "a", Value: "b" }] })));
    expect(tagsAndOverwrite.name).toBe("ValidationException");
    const v2 = await ssm().send(new PutParameterCommand({ Name: "/kx/a/ca-key", Value: "secret-2", Type: "SecureString", Overwrite: true }));
    expect(v2.Version).toBe(2);
    const plain = await ssm().send(new GetParameterCommand({ Name: "/kx/a/ca-key", WithDecryption: true }));
    expect(plain.Parameter).toMatchObject({ Value: "secret-2", Version: 2, Type: "SecureString", ARN: "arn:aws:ssm:eu-west-1:000000000000:parameter/kx/a/ca-key" });
    const hidden = await ssm().send(new GetParameterCommand({ Name: "/kx/a/ca-key" }));
    expect(hidden.Parameter!.Value).not.toContain("secret");
    expect(JSON.stringify(fake().inventory())).not.toContain("secret-");
    const old = await ssm().send(new GetParameterCommand({ Name: "/kx/a/ca-key:1", WithDecryption: true }));
    expect(old.Parameter!.Value).toBe("secret-1");
    expect((await failure(ssm().send(new GetParameterCommand({ Name: "/kx/a/ca-key:7" })))).name).toBe("ParameterVersionNotFound");
    expect((await failure(ssm().send(new GetParameterCommand({ Name: "/kx/a/missing" })))).name).toBe("ParameterNotFound");
    const meta = await ssm().send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/kx/a/ca-key"] }] }));
    expect(meta.Parameters![0]).toMatchObject({ Name: "/kx/a/ca-key", Type: "SecureString", KeyId: "alias/kx", Version: 2 });
    expect((await ssm().send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/kx/a/ca-key" }))).TagList).toEqual([{ Key: "kx:cluster", Value: "a" }]);
    await ssm().send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/kx/a/ca-key", Tags: [{ Key: "Name", Value: "ca" }] }));
    expect((await ssm().send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/kx/a/ca-key" }))).TagList).toHaveLength(2);
    expect((await failure(ssm().send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/nope" })))).name).toBe("InvalidResourceId");
    await ssm().send(new RemoveTagsFromResourceCommand({ ResourceType: "Parameter", ResourceId: "/kx/a/ca-key", TagKeys: ["Name"] }));
    expect((await ssm().send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/kx/a/ca-key" }))).TagList).toEqual([{ Key: "kx:cluster", Value: "a" }]);
    const history = await ssm().send(new GetParameterHistoryCommand({ Name: "/kx/a/ca-key", WithDecryption: true }));
    expect(history.Parameters!.map((h) => [h.Version, h.Value, h.KeyId])).toEqual([
      [1, "secret-1", "alias/kx"],
      [2, "secret-2", "alias/kx"],
    ]);
  });

  it("answers path queries, recursively or one level, paginated", async () => {
    for (const n of ["/kx/a/pki/ca", "/kx/a/pki/etcd", "/kx/a/join-token", "/kx/b/pki/ca", "/kx/a/pki/sa/key"]) {
      await ssm().send(new PutParameterCommand({ Name: n, Value: `v:${n}`, Type: "SecureString" }));
    }
    const level = await ssm().send(new GetParametersByPathCommand({ Path: "/kx/a", WithDecryption: true }));
    expect(level.Parameters!.map((p) => p.Name)).toEqual(["/kx/a/join-token"]);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ssm().send(new GetParametersByPathCommand({ Path: "/kx/a/", Recursive: true, MaxResults: 2, NextToken: token, WithDecryption: true }));
      names.push(...page.Parameters!.map((p) => p.Name!));
      expect(page.Parameters!.every((p) => p.Value === `v:${p.Name}`)).toBe(true);
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(names).toEqual(["/kx/a/join-token", "/kx/a/pki/ca", "/kx/a/pki/etcd", "/kx/a/pki/sa/key"]);
    expect((await failure(ssm().send(new GetParametersByPathCommand({ Path: "/kx", MaxResults: 11 })))).name).toBe("ValidationException");
    const byPath = await ssm().send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: ["/kx/b"] }] }));
    expect(byPath.Parameters!.map((p) => p.Name)).toEqual(["/kx/b/pki/ca"]);
    const byPrefix = await ssm().send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/kx/a/pki"] }] }));
    expect(byPrefix.Parameters).toHaveLength(3);
    const some = await ssm().send(new GetParametersCommand({ Names: ["/kx/a/pki/ca", "/kx/zz"], WithDecryption: true }));
    expect(some.Parameters!.map((p) => p.Name)).toEqual(["/kx/a/pki/ca"]);
    expect(some.InvalidParameters).toEqual(["/kx/zz"]);
    await ssm().send(new DeleteParameterCommand({ Name: "/kx/a/join-token" }));
    expect((await failure(ssm().send(new DeleteParameterCommand({ Name: "/kx/a/join-token" })))).name).toBe("ParameterNotFound");
    const del = await ssm().send(new DeleteParametersCommand({ Names: ["/kx/a/pki/ca", "/kx/none"] }));
    expect(del).toMatchObject({ DeletedParameters: ["/kx/a/pki/ca"], InvalidParameters: ["/kx/none"] });
  });

  it("stores plain Strings readable without decryption", async () => {
    await ssm().send(new PutParameterCommand({ Name: "/kx/a/version", Value: "1.31.2", Type: "String" }));
    expect((await ssm().send(new GetParameterCommand({ Name: "/kx/a/version" }))).Parameter!.Value).toBe("1.31.2");
  });
});

describe("ECR repositories", () => {
  it("creates, describes, tags and deletes repositories", async () => {
    const r = await ecr().send(new CreateRepositoryCommand({ repositoryName: "kx/mirror/pause", imageTagMutability: "IMMUTABLE", tags: [{ Key: "kx:cluster", Value: "a" }] }));
    expect(r.repository).toMatchObject({ repositoryName: "kx/mirror/pause", registryId: "000000000000", repositoryUri: "000000000000.dkr.ecr.eu-west-1.amazonaws.com/kx/mirror/pause", imageTagMutability: "IMMUTABLE" });
    expect(r.repository!.createdAt).toBeInstanceOf(Date);
    expect((await failure(ecr().send(new CreateRepositoryCommand({ repositoryName: "kx/mirror/pause" })))).name).toBe("RepositoryAlreadyExistsException");
    expect((await failure(ecr().send(new CreateRepositoryCommand({ repositoryName: "Bad Name" })))).name).toBe("InvalidParameterException");
    const d = await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ["kx/mirror/pause"] }));
    expect(d.repositories).toHaveLength(1);
    expect((await failure(ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ["nope"] })))).name).toBe("RepositoryNotFoundException");
    const arn = r.repository!.repositoryArn!;
    await ecr().send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "Name", Value: "pause" }] }));
    expect((await ecr().send(new ListEcrTagsCommand({ resourceArn: arn }))).tags).toHaveLength(2);
    expect((await ecr().send(new PutImageTagMutabilityCommand({ repositoryName: "kx/mirror/pause", imageTagMutability: "MUTABLE" }))).imageTagMutability).toBe("MUTABLE");
    expect((await ecr().send(new PutImageScanningConfigurationCommand({ repositoryName: "kx/mirror/pause", imageScanningConfiguration: { scanOnPush: true } }))).imageScanningConfiguration).toEqual({ scanOnPush: true });
    await ecr().send(new DeleteRepositoryCommand({ repositoryName: "kx/mirror/pause", force: true }));
    expect((await failure(ecr().send(new DeleteRepositoryCommand({ repositoryName: "kx/mirror/pause" })))).name).toBe("RepositoryNotFoundException");
  });
});
