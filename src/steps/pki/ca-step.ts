/** A step that makes sure a CA (certificate + key) exists in ctx.secrets; never replaces one. */
import { KxError } from "../../engine/errors.js";
import type { Change, Step } from "../../engine/types.js";
import { createCa } from "../../pki/certificates.js";
import type { KeyAlgorithm } from "../../pki/keys.js";
import type { CaProfile } from "../../pki/profiles.js";
import type { KxContext } from "../context.js";
import { caProblem } from "./certificate-check.js";
import { certificatesOutput, expiryOf } from "./expiries.js";
import { canReadSecrets, readPair, writePair, type StoredPair } from "./secret-pairs.js";

export function caStep(id: string, title: string, profile: CaProfile, algorithm: KeyAlgorithm): Step<KxContext> {
  const certName = `${profile.secret}.crt`;
  const createChange: Change = {
    action: "create",
    target: `CA ${certName}`,
    detail: `CN ${profile.subject.commonName}, ${algorithm}, valid 10 years`,
  };

  const needsCreate = (stored: StoredPair): boolean => {
    const problem = caProblem(stored);
    if (problem === "ok") return false;
    if (problem === "missing") return true;
    // Replacing a CA would silently invalidate every certificate signed by it.
    throw new KxError(
      problem === "key-missing"
        ? `${certName} exists in the secret store but ${profile.secret}.key does not`
        : `${profile.secret}.key in the secret store does not belong to ${certName}`,
      {
        source: "user",
        hint:
          `Restore ${profile.secret}.key from a backup. To start over with a new CA instead, delete ${certName} ` +
          `and ${profile.secret}.key from the secret store; every certificate it signed is then issued again.`,
      },
    );
  };

  return {
    id,
    title,
    needs: [],
    inputs: () => ({ algorithm, subject: profile.subject }),
    async plan(ctx) {
      if (!canReadSecrets(ctx)) return [createChange];
      return needsCreate(await readPair(ctx, profile.secret)) ? [createChange] : [];
    },
    async apply(ctx) {
      let stored = await readPair(ctx, profile.secret);
      if (needsCreate(stored)) {
        const ca = await createCa({ subject: profile.subject, algorithm });
        await writePair(ctx, profile.secret, ca);
        ctx.log.info(`created ${certName}`);
        stored = { certPem: ca.certPem, keyPem: ca.keyPem };
      }
      return certificatesOutput({ [certName]: expiryOf(stored.certPem!) });
    },
  };
}
