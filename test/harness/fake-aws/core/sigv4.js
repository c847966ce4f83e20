// @ts-check
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * SigV4 verification, for tests that give the fake a secret per access key: a request
 * signed with the wrong secret is refused as AWS refuses it (SignatureDoesNotMatch).
 */

/** @param {string} s */
const sha256 = (s) => createHash("sha256").update(s).digest("hex");
/** @param {Buffer | string} key @param {string} data */
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it. @param {string} s */
const encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** @param {string} rawQuery without "?" */
function canonicalQuery(rawQuery) {
  if (!rawQuery) return "";
  return rawQuery
    .split("&")
    .filter(Boolean)
    .map((kv) => {
      const i = kv.indexOf("=");
      const k = decodeURIComponent((i < 0 ? kv : kv.slice(0, i)).replace(/\+/g, " "));
      const v = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
      return [encode(k), encode(v)];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** Non-S3 services sign the path with each segment encoded once more. @param {string} rawPath */
function canonicalPath(rawPath) {
  return rawPath.split("/").map((seg) => encode(seg)).join("/") || "/";
}

/**
 * True when the request's signature matches one made with `secret`.
 * @param {import("node:http").IncomingMessage} req @param {string} body @param {string} secret
 */
export function signatureMatches(req, body, secret) {
  const auth = String(req.headers.authorization ?? "");
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return false;
  const [, , date, region, service, signedHeaders, signature] = m;
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const [rawPath, rawQuery = ""] = String(req.url ?? "/").split("?");
  const headers = signedHeaders
    .split(";")
    .map((h) => `${h}:${String(req.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? sha256(body));
  const canonical = [req.method, canonicalPath(rawPath), canonicalQuery(rawQuery), headers, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", key).update(toSign).digest();
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
