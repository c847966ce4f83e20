/**
 * kubernetes/join-info: join/endpoint, join/ca-hash and a join/token valid for at least
 * another day, in the secret store, for the workers' user-data and `kx join`. What was
 * published is remembered in this step's outputs (endpoint and CA hash are not secret),
 * so a re-run within a day of the last token writes nothing.
 */
import type { Outputs, Step } from "../../engine/types.js";
import type { SshSession } from "../../ssh/types.js";
import type { KxContext } from "../context.js";
import { clusterCaHash, ensureJoinToken, publishJoinInfo, tokenExpiry, JOIN_SECRETS } from "./join-token.js";
import { clusterSettings, controlPlaneHosts } from "./settings.js";

export const JOIN_INFO_STEP = "kubernetes/join-info";
/** A token older than this is replaced, so a published one is always good for a day. */
export const MIN_TOKEN_HOURS = 24;

function publishedAlready(previous: Outputs | undefined, endpoint: string, caHash: string): boolean {
  return previous?.endpoint === endpoint && previous?.caCertHash === caHash;
}

async function tokenGoodFor(ctx: KxContext, session: SshSession, hours: number): Promise<boolean> {
  const token = await ctx.secrets.get(JOIN_SECRETS.token);
  const expiry = token && (await tokenExpiry(session, token));
  return Boolean(expiry && expiry.getTime() - Date.now() > hours * 3_600_000);
}

export function joinInfoStep(needs: string[]): Step<KxContext> {
  return {
    id: JOIN_INFO_STEP,
    title: "Publish the join endpoint, CA hash and a fresh bootstrap token",
    needs,
    async plan(ctx) {
      const write = [{ action: "write" as const, target: "secrets join/endpoint, join/ca-hash, join/token", detail: "bootstrap token, 48h" }];
      try {
        const settings = await clusterSettings(ctx);
        const session = await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh);
        const current =
          publishedAlready(ctx.outputs(JOIN_INFO_STEP), settings.controlPlaneEndpoint, await clusterCaHash(ctx)) &&
          (await tokenGoodFor(ctx, session, MIN_TOKEN_HOURS));
        return current ? [] : write;
      } catch {
        return write;
      }
    },
    async apply(ctx) {
      const settings = await clusterSettings(ctx);
      const session = await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh);
      const caCertHash = await clusterCaHash(ctx);
      const token = await ensureJoinToken(ctx, session, MIN_TOKEN_HOURS);
      if (!publishedAlready(ctx.outputs(JOIN_INFO_STEP), settings.controlPlaneEndpoint, caCertHash)) {
        await publishJoinInfo(ctx, settings.controlPlaneEndpoint, caCertHash);
      }
      const expiry = await tokenExpiry(session, token);
      return { endpoint: settings.controlPlaneEndpoint, caCertHash, tokenExpires: expiry?.toISOString() ?? null };
    },
  };
}
