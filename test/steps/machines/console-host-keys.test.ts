import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseConsoleHostKeys, preferredHostKey } from "../../../src/steps/machines/console-host-keys.js";
import { sshEd25519PublicKey } from "./keys.js";

const ed = sshEd25519PublicKey();
const ecdsa = ecdsaLine();

function ecdsaLine(): string {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  const str = (b: Buffer) => Buffer.concat([u32(b.length), b]);
  const blob = Buffer.concat([str(Buffer.from("ecdsa-sha2-nistp256")), str(Buffer.from("nistp256")), str(point)]);
  return `ecdsa-sha2-nistp256 ${blob.toString("base64")}`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

const block = (...keys: string[]) =>
  ["-----BEGIN SSH HOST KEY KEYS-----", ...keys.map((k) => `${k} root@ip-10-0-64-10`), "-----END SSH HOST KEY KEYS-----"].join("\n");

describe("host keys from the console output", () => {
  it("reads the key lines between the markers, comments dropped, ed25519 first", () => {
    const text = `[ 0.0] Linux version 6.8\r\nci-info: something\n${block(ecdsa, ed)}\nUbuntu 24.04 login:`;
    expect(parseConsoleHostKeys(text)).toEqual([ed, ecdsa]);
    expect(preferredHostKey([ecdsa, ed])).toBe(ed);
  });

  it("waits for a complete block: nothing before cloud-init has printed the end marker", () => {
    expect(parseConsoleHostKeys("")).toBeUndefined();
    expect(parseConsoleHostKeys(`boot...\n-----BEGIN SSH HOST KEY KEYS-----\n${ed} root@x\n`)).toBeUndefined();
    expect(parseConsoleHostKeys(`-----BEGIN SSH HOST KEY KEYS-----\n-----END SSH HOST KEY KEYS-----`)).toBeUndefined();
  });

  it("takes the last block when the instance booted more than once", () => {
    const newer = sshEd25519PublicKey();
    expect(parseConsoleHostKeys(`${block(ed)}\nreboot\n${block(newer)}`)).toEqual([newer]);
  });

  it("ignores the fingerprint block and lines whose blob names another type", () => {
    const [, blob] = ed.split(" ");
    const forged = `ssh-rsa ${blob}`;
    const text = [
      "-----BEGIN SSH HOST KEY FINGERPRINTS-----",
      "256 SHA256:abc root@host (ED25519)",
      "-----END SSH HOST KEY FINGERPRINTS-----",
      block(forged, ed),
    ].join("\n");
    expect(parseConsoleHostKeys(text)).toEqual([ed]);
  });
});
