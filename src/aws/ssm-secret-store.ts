/**
 * The secret store of an AWS cluster: one SSM SecureString per secret under
 * /kx/<cluster>/<name>, encrypted with the SSM default key (alias/aws/ssm), so the
 * instance roles' policies can scope reading and decrypting to their own paths.
 * Values never appear in logs or errors: they travel as Secret and SDK errors carry
 * only the parameter name.
 */
import type { AwsClients } from "./clients.js";
import type { SecretStore } from "../secrets/store.js";
import { Secret } from "../engine/secret.js";
import { awsCall, isAlreadyExists, isNotFound, toAwsError } from "./errors.js";
import { ssmApi } from "./sdk.js";
import { TAG_CLUSTER } from "./tags.js";

export const SSM_DEFAULT_KEY = "alias/aws/ssm";
/** Standard parameters hold 4 KB; larger values (a kubeconfig with an RSA key) need the advanced tier. */
const STANDARD_TIER_MAX = 4096;

export function secretParameterName(cluster: string, name: string): string {
  return `${secretRoot(cluster)}/${name.replace(/^\/+/, "")}`;
}

/** /kx/<cluster>: every secret of the cluster is below it (destroy deletes the whole path). */
export function secretRoot(cluster: string): string {
  return `/kx/${cluster}`;
}

export class SsmSecretStore implements SecretStore {
  constructor(
    private readonly clients: AwsClients,
    private readonly cluster: string,
  ) {}

  async get(name: string): Promise<Secret | undefined> {
    const { client, sdk } = await ssmApi(this.clients);
    const Name = secretParameterName(this.cluster, name);
    try {
      const out = await client.send(new sdk.GetParameterCommand({ Name, WithDecryption: true }));
      const value = out.Parameter?.Value;
      return value === undefined ? undefined : new Secret(value);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw toAwsError(e, "ssm:GetParameter", Name);
    }
  }

  async put(name: string, value: Secret | string, options: { description?: string } = {}): Promise<void> {
    const { client, sdk } = await ssmApi(this.clients);
    const Name = secretParameterName(this.cluster, name);
    const Value = typeof value === "string" ? value : value.reveal();
    const common = {
      Name,
      Value,
      Type: "SecureString" as const,
      KeyId: SSM_DEFAULT_KEY,
      ...(options.description ? { Description: options.description } : {}),
      ...(Buffer.byteLength(Value) > STANDARD_TIER_MAX ? { Tier: "Intelligent-Tiering" as const } : {}),
    };
    // Tags only go with a create (AWS refuses tags together with Overwrite).
    try {
      await client.send(new sdk.PutParameterCommand({ ...common, Tags: [{ Key: TAG_CLUSTER, Value: this.cluster }] }));
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw toAwsError(e, "ssm:PutParameter", Name);
    }
    await awsCall("ssm:PutParameter", Name, () => client.send(new sdk.PutParameterCommand({ ...common, Overwrite: true })));
  }

  async list(prefix: string): Promise<string[]> {
    const { client, sdk } = await ssmApi(this.clients);
    const root = secretRoot(this.cluster);
    // GetParametersByPath takes a whole path: list the prefix's directory, then filter.
    const dir = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const Path = dir ? `${root}/${dir}` : root;
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await awsCall("ssm:GetParametersByPath", Path, () =>
        client.send(new sdk.GetParametersByPathCommand({ Path, Recursive: true, WithDecryption: false, NextToken })),
      );
      for (const p of out.Parameters ?? []) if (p.Name) names.push(p.Name.slice(root.length + 1));
      NextToken = out.NextToken;
    } while (NextToken);
    return names.filter((n) => n.startsWith(prefix)).sort();
  }

  async delete(name: string): Promise<void> {
    const { client, sdk } = await ssmApi(this.clients);
    const Name = secretParameterName(this.cluster, name);
    try {
      await client.send(new sdk.DeleteParameterCommand({ Name }));
    } catch (e) {
      if (!isNotFound(e)) throw toAwsError(e, "ssm:DeleteParameter", Name);
    }
  }
}
