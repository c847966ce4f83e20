/**
 * The EC2 key pair holding kx's SSH public key (machines/key-pair). A key pair cannot
 * change: one that holds another key is an error naming both fingerprints.
 */
import type { KeyPairInfo } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../aws/clients.js";
import { ec2Api } from "../../aws/sdk.js";
import { awsCall, isAlreadyExists } from "../../aws/errors.js";
import { kxTags, stepFilters, TAG_CLUSTER, TAG_ID, tagSpecifications, tagValue } from "../../aws/tags.js";
import { KxError } from "../../engine/errors.js";
import type { Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { loadPublicKey, publicKeyFingerprint } from "./public-key.js";

export const KEY_PAIR_STEP = "machines/key-pair";
const FINGERPRINT_TAG = "kx:public-key";

export function keyPairName(cluster: string): string {
  return `kx-${cluster}`;
}

async function findKeyPair(aws: AwsClients, cluster: string): Promise<KeyPairInfo | undefined> {
  const { client: ec2, sdk } = await ec2Api(aws);
  const result = await awsCall("DescribeKeyPairs", keyPairName(cluster), () =>
    ec2.send(new sdk.DescribeKeyPairsCommand({ Filters: stepFilters(cluster, KEY_PAIR_STEP) })),
  );
  return result.KeyPairs?.[0];
}

function checkSameKey(found: KeyPairInfo, fingerprint: string): void {
  const theirs = tagValue(found.Tags, FINGERPRINT_TAG);
  if (theirs && theirs !== fingerprint) {
    throw new KxError(`key pair ${found.KeyName} holds the key ${theirs}, but the configured SSH key is ${fingerprint}`, {
      source: "user",
      hint: "Point ssh.privateKeyFile at the key the cluster was created with, or delete the key pair (running instances keep the old key).",
    });
  }
}

export function keyPairStep(config: ClusterConfig): Step<KxContext> {
  const target = `key pair ${keyPairName(config.name)}`;
  const fingerprint = () => publicKeyFingerprint(loadPublicKey(config.ssh.privateKeyFile, config.ssh.publicKeyFile));
  return {
    id: KEY_PAIR_STEP,
    title: "SSH key pair",
    needs: [],
    inputs: () => ({ privateKeyFile: config.ssh.privateKeyFile, publicKeyFile: config.ssh.publicKeyFile ?? null }),

    async plan(ctx) {
      let wanted: string;
      try {
        wanted = fingerprint();
      } catch (e) {
        // A dry run plans on a machine that may not hold the key yet; a real run needs it.
        if (!ctx.dryRun) throw e;
        ctx.log.warn(`${(e as Error).message} — a real run needs this key`);
        return [{ action: "create", target, detail: `from ${config.ssh.privateKeyFile} (not readable here)` }];
      }
      if (!ctx.aws.live) return [{ action: "create", target, detail: wanted }];
      const found = await findKeyPair(ctx.aws, ctx.cluster);
      if (!found) return [{ action: "create", target, detail: wanted }];
      checkSameKey(found, wanted);
      return [];
    },

    async apply(ctx) {
      const { client: ec2, sdk } = await ec2Api(ctx.aws);
      const publicKey = loadPublicKey(config.ssh.privateKeyFile, config.ssh.publicKeyFile);
      const wanted = publicKeyFingerprint(publicKey);
      const name = keyPairName(ctx.cluster);
      let found = await findKeyPair(ctx.aws, ctx.cluster);
      if (!found) {
        try {
          await awsCall("ImportKeyPair", name, () =>
            ec2.send(
              new sdk.ImportKeyPairCommand({
                KeyName: name,
                PublicKeyMaterial: Buffer.from(publicKey),
                TagSpecifications: tagSpecifications("key-pair", kxTags(ctx.cluster, KEY_PAIR_STEP, name, { [FINGERPRINT_TAG]: wanted })),
              }),
            ),
          );
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
          // Ours but not yet visible to the tag filter (a retried call), or someone else's.
          const byName = await awsCall("DescribeKeyPairs", name, () => ec2.send(new sdk.DescribeKeyPairsCommand({ KeyNames: [name] })));
          const existing = byName.KeyPairs?.[0];
          if (tagValue(existing?.Tags, TAG_CLUSTER) !== ctx.cluster || tagValue(existing?.Tags, TAG_ID) !== KEY_PAIR_STEP) {
            throw new KxError(`an EC2 key pair named ${name} exists but kx did not create it for cluster ${ctx.cluster}`, {
              source: "user",
              hint: `Delete or rename that key pair (aws ec2 delete-key-pair --key-name ${name}) and run again.`,
            });
          }
          checkSameKey(existing!, wanted);
        }
        found = await findKeyPair(ctx.aws, ctx.cluster);
      } else {
        checkSameKey(found, wanted);
      }
      return { keyName: found?.KeyName ?? name };
    },
  };
}
