// @ts-check
import { createHash, createPublicKey } from "node:crypto";
import { AwsError } from "../../core/errors.js";
import { ec2Id } from "../../core/ids.js";
import { list } from "../../core/form.js";
import { checkSpecTypes, describe, required, tagOnCreate, tagSet } from "./common.js";

/** Key pairs (ImportKeyPair only: kx brings its own key). */

/** @typedef {import("../../core/world.js").World} World */

/**
 * Parse an OpenSSH public key line; the fingerprint follows AWS: MD5 of the DER public key
 * for RSA, SHA-256 (base64) of the key blob for ED25519.
 * @param {string} line
 */
function parsePublicKey(line) {
  const m = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/.exec(line.trim());
  if (!m) return undefined;
  const blob = Buffer.from(m[2], "base64");
  const typeLen = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (typeLen <= 0 || blob.subarray(4, 4 + typeLen).toString() !== m[1]) return undefined;
  if (m[1] === "ssh-rsa") {
    let off = 4 + typeLen;
    const eLen = blob.readUInt32BE(off);
    const e = blob.subarray(off + 4, off + 4 + eLen);
    off += 4 + eLen;
    const nLen = blob.readUInt32BE(off);
    const n = blob.subarray(off + 4, off + 4 + nLen);
    const key = createPublicKey({ key: { kty: "RSA", n: n.toString("base64url"), e: e.toString("base64url") }, format: "jwk" });
    const der = key.export({ type: "spki", format: "der" });
    const md5 = createHash("md5").update(der).digest("hex").match(/../g)?.join(":");
    return { type: "rsa", fingerprint: md5 ?? "" };
  }
  const sha = createHash("sha256").update(blob).digest("base64");
  return { type: m[1] === "ssh-ed25519" ? "ed25519" : "ecdsa", fingerprint: sha };
}

/** @param {World} world @param {any} k */
const render = (world, k, withKey = false) => ({
  keyPairId: k.keyPairId,
  keyName: k.id,
  keyFingerprint: k.fingerprint,
  keyType: k.keyType,
  createTime: k.createTime,
  publicKey: withKey ? k.publicKey : undefined,
  tagSet: tagSet(world, k.id),
});

/** @type {Record<string, (p: any, ctx: import("../../core/server.js").HandlerContext) => any>} */
export const actions = {
  ImportKeyPair(p, { world }) {
    const name = required(p.KeyName, "KeyName");
    const material = Buffer.from(required(p.PublicKeyMaterial, "PublicKeyMaterial"), "base64").toString("utf8");
    if (world.store.get("keypair", name)) throw new AwsError("InvalidKeyPair.Duplicate", `The keypair '${name}' already exists.`);
    const parsed = parsePublicKey(material);
    if (!parsed) throw new AwsError("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
    checkSpecTypes(p, ["key-pair"]);
    const k = world.store.put("keypair", name, {
      id: name,
      keyPairId: ec2Id("key"),
      fingerprint: parsed.fingerprint,
      keyType: parsed.type,
      publicKey: material.trim(),
      createTime: new Date(),
    });
    tagOnCreate(world, name, p, "key-pair");
    return { keyName: name, keyFingerprint: k.fingerprint, keyPairId: k.keyPairId, tagSet: tagSet(world, name) };
  },

  DescribeKeyPairs(p, { world }) {
    const ids = list(p.KeyPairId).map(String);
    for (const id of ids) {
      if (!world.store.list("keypair").some((k) => k.keyPairId === id)) throw new AwsError("InvalidKeyPair.NotFound", `The key pair '${id}' does not exist`);
    }
    const { items } = describe(world, p, {
      type: "keypair",
      idParam: "KeyName",
      missing: (id) => new AwsError("InvalidKeyPair.NotFound", `The key pair '${id}' does not exist`),
      fields: { "key-name": (k) => k.id, "key-pair-id": (k) => k.keyPairId, fingerprint: (k) => k.fingerprint, "key-type": (k) => k.keyType },
    });
    const withKey = String(p.IncludePublicKey) === "true";
    return { keySet: items.filter((k) => !ids.length || ids.includes(k.keyPairId)).map((k) => render(world, k, withKey)) };
  },

  DeleteKeyPair(p, { world }) {
    const k = p.KeyName ? world.store.get("keypair", String(p.KeyName)) : world.store.list("keypair").find((x) => x.keyPairId === p.KeyPairId);
    if (!p.KeyName && !p.KeyPairId) throw new AwsError("MissingParameter", "The request must contain the parameter KeyName or KeyPairId");
    if (k) world.store.remove("keypair", k.id);
    return { return: true, keyPairId: k?.keyPairId };
  },
};

