/** SSH keys for tests: OpenSSH public key lines made with node:crypto. */
import { generateKeyPairSync } from "node:crypto";

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** A fresh "ssh-ed25519 AAAA..." line. */
export function sshEd25519PublicKey(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const type = Buffer.from("ssh-ed25519");
  return `ssh-ed25519 ${Buffer.concat([u32(type.length), type, u32(raw.length), raw]).toString("base64")}`;
}

/** A fresh ed25519 key pair: the private key as PKCS#8 PEM (what ssh2 parses) and its public line. */
export function ed25519KeyPair(): { privatePem: string; publicLine: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const type = Buffer.from("ssh-ed25519");
  const publicLine = `ssh-ed25519 ${Buffer.concat([u32(type.length), type, u32(raw.length), raw]).toString("base64")}`;
  return { privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), publicLine };
}
