/**
 * A step that makes sure a set of leaf certificates signed by one CA exists in
 * ctx.secrets. Present and valid certificates are read back, never regenerated; one
 * whose SANs, issuer or key no longer fit (see certificate-check.ts) is issued again
 * from the same CA.
 */
import { KxError } from "../../engine/errors.js";
import type { Change, Step } from "../../engine/types.js";
import { issueCertificate } from "../../pki/certificates.js";
import type { CaProfile, LeafProfile } from "../../pki/profiles.js";
import type { KxContext } from "../context.js";
import { leafReissueReason } from "./certificate-check.js";
import { certificatesOutput, expiryOf, type CertificateExpiries } from "./expiries.js";
import { canReadSecrets, readPair, writePair } from "./secret-pairs.js";

export interface LeafCertificatesStepOptions {
  id: string;
  title: string;
  needs: string[];
  ca: CaProfile;
  /** The certificates wanted now (may read the inventory). */
  profiles(ctx: KxContext): Promise<LeafProfile[]>;
  /** What the step's result depends on besides its needs' outputs. */
  inputs?(ctx: KxContext): unknown;
  /** Shown in a plan that cannot list the certificates yet (no inventory, no credentials). */
  summary: string;
}

export function leafCertificatesStep(options: LeafCertificatesStepOptions): Step<KxContext> {
  const { ca } = options;
  const describe = (p: LeafProfile): string => {
    const sans = [...(p.options.dnsNames ?? []), ...(p.options.ipAddresses ?? [])];
    return `CN ${p.options.subject.commonName}, ${p.options.usages.join("+")}${sans.length ? `, SANs ${sans.join(" ")}` : ""}`;
  };

  return {
    id: options.id,
    title: options.title,
    needs: options.needs,
    inputs: options.inputs,
    async plan(ctx) {
      const fallback: Change[] = [{ action: "create", target: options.summary, detail: `signed by ${ca.secret}.crt` }];
      if (!canReadSecrets(ctx)) return fallback;
      let profiles: LeafProfile[];
      try {
        profiles = await options.profiles(ctx);
      } catch {
        return fallback; // the machines are not known yet (fresh create being planned)
      }
      if (profiles.length === 0) return fallback;
      const caPem = (await ctx.secrets.get(`${ca.secret}.crt`))?.reveal();
      const changes: Change[] = [];
      for (const profile of profiles) {
        const target = `certificate ${profile.secret}.crt`;
        if (!caPem) {
          changes.push({ action: "create", target, detail: describe(profile) });
          continue;
        }
        const reason = leafReissueReason(await readPair(ctx, profile.secret), caPem, profile.options);
        if (reason === "missing") changes.push({ action: "create", target, detail: describe(profile) });
        else if (reason) changes.push({ action: "update", target, detail: `issue again: ${reason}` });
      }
      return changes;
    },
    async apply(ctx) {
      const caStored = await readPair(ctx, ca.secret);
      if (!caStored.certPem || !caStored.keyPem) {
        throw new KxError(`${ca.secret}.crt or its key is missing from the secret store; the CA step must run first`);
      }
      const caPair = { certPem: caStored.certPem, keyPem: caStored.keyPem };
      const expiries: CertificateExpiries = {};
      for (const profile of await options.profiles(ctx)) {
        const stored = await readPair(ctx, profile.secret);
        const reason = leafReissueReason(stored, caPair.certPem, profile.options);
        let certPem = stored.certPem;
        if (reason) {
          const issued = await issueCertificate(caPair, profile.options);
          await writePair(ctx, profile.secret, issued);
          ctx.log.info(`${reason === "missing" ? "issued" : `issued again (${reason})`} ${profile.secret}.crt`);
          certPem = issued.certPem;
        }
        expiries[`${profile.secret}.crt`] = expiryOf(certPem!);
      }
      return certificatesOutput(expiries);
    },
  };
}
