/**
 * The bootstrap token nodes join with, kept fresh in the secret store (join/token) with
 * the endpoint (join/endpoint) and the CA hash (join/ca-hash) next to it. Tokens are made
 * on the first master with `kubeadm token create --ttl 48h`; the value never appears on a
 * command line or in a log (it is a Secret from the moment it is read).
 */
import { KxError } from "../../engine/errors.js";
import { Secret } from "../../engine/secret.js";
import { caCertHash } from "../../pki/inspect.js";
import type { SshSession } from "../../ssh/types.js";
import { shellQuote } from "../../ssh/shell.js";
import type { KxContext } from "../context.js";
import { ADMIN_CONF, KUBECTL, run } from "./remote.js";

export const JOIN_SECRETS = { endpoint: "join/endpoint", caHash: "join/ca-hash", token: "join/token" } as const;
export const TOKEN_TTL = "48h";
const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const HOUR = 3_600_000;

/** When the token expires according to the cluster; undefined if the cluster does not know it. */
export async function tokenExpiry(session: SshSession, token: Secret): Promise<Date | undefined> {
  const id = TOKEN_RE.exec(token.reveal())?.[1];
  if (!id) return undefined;
  const r = await session.exec(`${KUBECTL} -n kube-system get secret ${shellQuote(`bootstrap-token-${id}`)} -o json`, {
    sudo: true,
    allowFailure: true,
    readOnly: true,
  });
  if (r.code !== 0) return undefined;
  const data = (JSON.parse(r.stdout) as { data?: Record<string, string> }).data ?? {};
  const secret = data["token-secret"] && Buffer.from(data["token-secret"], "base64").toString("utf8");
  if (secret !== token.reveal().split(".")[1]) return undefined;
  const expiration = data.expiration && Buffer.from(data.expiration, "base64").toString("utf8");
  return expiration ? new Date(expiration) : new Date(8.64e15);
}

/** A fresh 48h token, created on `session` (a master with admin.conf) and stored as join/token. */
export async function createJoinToken(ctx: KxContext, session: SshSession): Promise<Secret> {
  const out = await run(
    session,
    `kubeadm token create --ttl ${TOKEN_TTL} --description ${shellQuote(`kx join token for ${ctx.cluster}`)} --kubeconfig ${ADMIN_CONF}`,
    "kubeadm token create",
  );
  const value = out.trim().split("\n").pop() ?? "";
  const token = new Secret(value);
  if (!TOKEN_RE.test(value)) throw new KxError(`${session.target.name}: kubeadm token create printed no token`);
  await ctx.secrets.put(JOIN_SECRETS.token, token, { description: `kx ${ctx.cluster} bootstrap token (renewed every 12h)` });
  ctx.log.info(`published a fresh ${TOKEN_TTL} join token`);
  return token;
}

/** The stored token if the cluster accepts it for at least `minRemainingHours` more, else a fresh one. */
export async function ensureJoinToken(ctx: KxContext, session: SshSession, minRemainingHours: number): Promise<Secret> {
  const stored = await ctx.secrets.get(JOIN_SECRETS.token);
  if (stored) {
    const expiry = await tokenExpiry(session, stored);
    if (expiry && expiry.getTime() - Date.now() > minRemainingHours * HOUR) return stored;
  }
  return createJoinToken(ctx, session);
}

/**
 * The CA hash nodes pin, from pki/ca.crt. join/endpoint and join/ca-hash are written but
 * never read back by kx: whatever kx reads from the secret store is registered as a
 * secret and masked everywhere, and these two are not secret (they appear in outputs).
 */
export async function clusterCaHash(ctx: KxContext): Promise<string> {
  const ca = await ctx.secrets.get("pki/ca.crt");
  if (!ca) throw new KxError("pki/ca.crt is missing from the secret store");
  return caCertHash(ca.reveal());
}

export async function publishJoinInfo(ctx: KxContext, endpoint: string, caHash: string): Promise<void> {
  await ctx.secrets.put(JOIN_SECRETS.endpoint, endpoint);
  await ctx.secrets.put(JOIN_SECRETS.caHash, caHash);
}
