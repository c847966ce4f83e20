/** The service-account signing key pair (sa.key / sa.pub): made once, never replaced. */
import { createPublicKey } from "node:crypto";
import type { Change, Step } from "../../engine/types.js";
import { keyMatchesPublicKey } from "../../pki/inspect.js";
import { SERVICE_ACCOUNT } from "../../pki/profiles.js";
import { generateServiceAccountKeyPair } from "../../pki/service-account.js";
import type { KxContext } from "../context.js";
import { certificatesOutput } from "./expiries.js";
import { canReadSecrets } from "./secret-pairs.js";

export function serviceAccountStep(id: string): Step<KxContext> {
  const create: Change = { action: "create", target: `key pair ${SERVICE_ACCOUNT.key} / sa.pub`, detail: "RSA-2048" };
  return {
    id,
    title: "Service-account signing key pair",
    needs: [],
    async plan(ctx) {
      if (!canReadSecrets(ctx)) return [create];
      const [key, pub] = await Promise.all([ctx.secrets.get(SERVICE_ACCOUNT.key), ctx.secrets.get(SERVICE_ACCOUNT.pub)]);
      if (!key) return [create];
      if (!pub || !keyMatchesPublicKey(pub.reveal(), key)) {
        return [{ action: "update", target: SERVICE_ACCOUNT.pub, detail: `derived again from ${SERVICE_ACCOUNT.key}` }];
      }
      return [];
    },
    async apply(ctx) {
      const key = await ctx.secrets.get(SERVICE_ACCOUNT.key);
      if (!key) {
        const pair = await generateServiceAccountKeyPair();
        await ctx.secrets.put(SERVICE_ACCOUNT.key, pair.privateKeyPem, { description: `kx ${ctx.cluster} service-account signing key` });
        await ctx.secrets.put(SERVICE_ACCOUNT.pub, pair.publicKeyPem);
        ctx.log.info(`created ${SERVICE_ACCOUNT.key}`);
        return certificatesOutput({});
      }
      // A crash between the two writes leaves the key alone: the public half follows from it.
      const pub = await ctx.secrets.get(SERVICE_ACCOUNT.pub);
      if (!pub || !keyMatchesPublicKey(pub.reveal(), key)) {
        const derived = createPublicKey(key.reveal()).export({ type: "spki", format: "pem" }).toString();
        await ctx.secrets.put(SERVICE_ACCOUNT.pub, derived);
      }
      return certificatesOutput({});
    },
  };
}
