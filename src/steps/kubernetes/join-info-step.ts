/**
 * kubernetes/join-info: join/endpoint, join/ca-hash and a join/token valid for at least
 * another day, in the secret store, for the workers' user-data and `kx join`. A re-run
 * within a day of the last token changes nothing.
 */
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { ensureJoinToken, joinInfoCurrent, publishJoinInfo, tokenExpiry } from "./join-token.js";
import { clusterSettings, controlPlaneHosts } from "./settings.js";

export const JOIN_INFO_STEP = "kubernetes/join-info";
/** A token older than this is replaced, so a published one is always good for a day. */
export const MIN_TOKEN_HOURS = 24;

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
        return (await joinInfoCurrent(ctx, session, settings.controlPlaneEndpoint, MIN_TOKEN_HOURS)) ? [] : write;
      } catch {
        return write;
      }
    },
    async apply(ctx) {
      const settings = await clusterSettings(ctx);
      const session = await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh);
      const token = await ensureJoinToken(ctx, session, MIN_TOKEN_HOURS);
      const caCertHash = await publishJoinInfo(ctx, settings.controlPlaneEndpoint);
      const expiry = await tokenExpiry(session, token);
      return { endpoint: settings.controlPlaneEndpoint, caCertHash, tokenExpires: expiry?.toISOString() ?? null };
    },
  };
}
