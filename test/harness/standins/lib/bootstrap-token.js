// @ts-check
/** Bootstrap tokens and the JWS signatures of cluster-info, as kubeadm and the bootstrap signer make them. */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

export function randomToken() {
  const pick = (n) => Array.from(randomBytes(n), (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
  return `${pick(6)}.${pick(16)}`;
}

/** The Secret kube-system/bootstrap-token-<id> kubeadm creates. */
export function tokenSecret(token, ttlMs, description = "") {
  const m = TOKEN_RE.exec(token);
  if (!m) throw new Error(`the bootstrap token "${token.slice(0, 6)}…" was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
  const data = {
    "token-id": m[1],
    "token-secret": m[2],
    "usage-bootstrap-authentication": "true",
    "usage-bootstrap-signing": "true",
    "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token",
    ...(description ? { description } : {}),
    ...(ttlMs > 0 ? { expiration: new Date(Date.now() + ttlMs).toISOString().replace(/\.\d+Z$/, "Z") } : {}),
  };
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "bootstrap.kubernetes.io/token",
    metadata: { name: `bootstrap-token-${m[1]}`, namespace: "kube-system" },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  };
}

export function decodeTokenSecret(secret) {
  const d = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString("utf8")]));
  return { id: d["token-id"], secret: d["token-secret"], expiration: d.expiration, description: d.description, signing: d["usage-bootstrap-signing"] === "true", auth: d["usage-bootstrap-authentication"] === "true" };
}

export function isExpired(t) {
  return t.expiration !== undefined && new Date(t.expiration).getTime() <= Date.now();
}

const b64url = (b) => Buffer.from(b).toString("base64url");

/** Detached JWS (header..signature), HS256 keyed with the token secret, kid = token id. */
export function detachedSignature(content, tokenId, tokenSecret) {
  const header = b64url(JSON.stringify({ alg: "HS256", kid: tokenId }));
  const sig = createHmac("sha256", tokenSecret).update(`${header}.${b64url(content)}`).digest();
  return `${header}..${b64url(sig)}`;
}

export function signatureMatches(jws, content, tokenId, tokenSecret) {
  const want = Buffer.from(detachedSignature(content, tokenId, tokenSecret));
  const got = Buffer.from(String(jws));
  return want.length === got.length && timingSafeEqual(want, got);
}
