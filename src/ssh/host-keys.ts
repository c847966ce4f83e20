/**
 * Host-key verification, always on: a key given for the host (OpenSSH line or SHA256
 * fingerprint) must match exactly; otherwise the key pinned on an earlier contact must;
 * otherwise the key is pinned now (trust on first use, recorded in the state).
 */
import { createHash } from "node:crypto";
import type { HostKeyStore, SshTarget } from "./types.js";

/** "SHA256:" + unpadded base64 of sha256(key blob), as `ssh-keygen -lf` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The OpenSSH public key line ("ssh-ed25519 AAAA…") of a key blob. */
export function keyLine(blob: Buffer): string {
  const typeLength = blob.readUInt32BE(0);
  const type = blob.subarray(4, 4 + typeLength).toString("ascii");
  return `${type} ${blob.toString("base64")}`;
}

/**
 * The fingerprint of a pinned key as given by the user or the state: an OpenSSH line
 * ("ssh-ed25519 AAAA… comment", with or without a leading host pattern) or a fingerprint.
 */
export function fingerprintOf(pinned: string): string {
  const text = pinned.trim();
  if (text.startsWith("SHA256:")) return text.replace(/=+$/, "");
  const fields = text.split(/\s+/);
  const at = fields.findIndex((f) => /^(ssh-|ecdsa-|sk-)/.test(f));
  const base64 = at >= 0 ? fields[at + 1] : undefined;
  if (!base64) throw new Error(`not an OpenSSH public key or SHA256 fingerprint: ${text.slice(0, 40)}`);
  return fingerprint(Buffer.from(base64, "base64"));
}

/** Whether `pinned` names the same key as the blob the host presented. */
export function matchesPinned(pinned: string, blob: Buffer): boolean {
  return fingerprintOf(pinned) === fingerprint(blob);
}

export interface HostKeyCheck {
  /** For ssh2's hostVerifier: true when the presented key is the expected one. */
  verify(blob: Buffer): boolean;
  /** Set when verify() refused: what was expected and what the host presented (fingerprints). */
  readonly mismatch?: { expected: string; got: string };
  /** The presented key's OpenSSH line, once verify() ran. */
  readonly presented?: string;
  /** Records a first-contact key in the store; call once the connection is authenticated. */
  commit(): void;
}

export function hostKeyCheck(target: SshTarget, store: HostKeyStore): HostKeyCheck {
  const state: { mismatch?: { expected: string; got: string }; presented?: string; firstContact: boolean } = {
    firstContact: false,
  };
  const expected = target.hostKey ?? store.get(target.name);
  return {
    verify(blob) {
      state.presented = keyLine(blob);
      if (expected === undefined) {
        state.firstContact = true;
        return true;
      }
      if (matchesPinned(expected, blob)) return true;
      state.mismatch = { expected: fingerprintOf(expected), got: fingerprint(blob) };
      return false;
    },
    get mismatch() {
      return state.mismatch;
    },
    get presented() {
      return state.presented;
    },
    commit() {
      if (state.firstContact && state.presented) store.pin(target.name, state.presented);
    },
  };
}

/** A HostKeyStore over a plain record (the state's data.hostKeys), for callers and tests. */
export function recordHostKeyStore(record: Record<string, string> = {}): HostKeyStore & { readonly record: Record<string, string> } {
  return {
    record,
    get: (name) => record[name],
    pin: (name, key) => {
      record[name] = key;
    },
  };
}
