/**
 * The public half of the SSH key kx logs in with: the configured .pub file, the
 * private key's sibling .pub, or derived from the private key itself.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import ssh2 from "ssh2";
import { KxError } from "../../engine/errors.js";

export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
}

/** "ssh-ed25519 AAAA..." without a comment. */
export function loadPublicKey(privateKeyFile: string, publicKeyFile?: string): string {
  const pubPath = expandHome(publicKeyFile ?? `${privateKeyFile}.pub`);
  if (publicKeyFile || existsSync(pubPath)) {
    const line = readText(pubPath).trim().split(/\s+/);
    if (line.length < 2 || !/^(ssh-|ecdsa-)/.test(line[0]!)) throw new KxError(`${pubPath} is not an OpenSSH public key`, { source: "user" });
    return `${line[0]} ${line[1]}`;
  }
  const privatePath = expandHome(privateKeyFile);
  const parsed = ssh2.utils.parseKey(readText(privatePath));
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    throw new KxError(`cannot read the SSH private key ${privatePath}: ${key instanceof Error ? key.message : "no key"}`, {
      source: "user",
      hint: "Give an unencrypted OpenSSH/PEM private key in ssh.privateKeyFile, or its public half in ssh.publicKeyFile.",
    });
  }
  return `${key.type} ${key.getPublicSSH().toString("base64")}`;
}

/** "SHA256:..." as ssh-keygen -lf prints it. */
export function publicKeyFingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(/\s+/)[1] ?? "", "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new KxError(`cannot read ${path}: ${(e as Error).message}`, {
      source: "user",
      hint: "Set ssh.privateKeyFile (and ssh.publicKeyFile) to an existing key, e.g. one made with `ssh-keygen -t ed25519`.",
    });
  }
}
