/** Certificate/key pairs in ctx.secrets, as `<prefix>.crt` + `<prefix>.key`. */
import { isHostsCluster } from "../../config/schema.js";
import type { Secret } from "../../engine/secret.js";
import type { CertAndKey } from "../../pki/certificates.js";
import type { KxContext } from "../context.js";

export interface StoredPair {
  certPem?: string;
  keyPem?: Secret;
}

export async function readPair(ctx: KxContext, prefix: string): Promise<StoredPair> {
  const [cert, key] = await Promise.all([ctx.secrets.get(`${prefix}.crt`), ctx.secrets.get(`${prefix}.key`)]);
  return { certPem: cert?.reveal(), keyPem: key };
}

/**
 * Key first, certificate second: a crash in between leaves a key without its
 * certificate, which the next run sees as missing and replaces as a whole.
 */
export async function writePair(ctx: KxContext, prefix: string, pair: CertAndKey): Promise<void> {
  await ctx.secrets.put(`${prefix}.key`, pair.keyPem, { description: `kx ${ctx.cluster} ${prefix} private key` });
  await ctx.secrets.put(`${prefix}.crt`, pair.certPem, { description: `kx ${ctx.cluster} ${prefix} certificate` });
}

/**
 * Whether the secret store can be read while planning. Planning an AWS cluster without
 * credentials (aws.live false) must not call SSM: everything is then planned as new.
 */
export function canReadSecrets(ctx: KxContext): boolean {
  return ctx.aws.live || isHostsCluster(ctx.config);
}
