/** Host-key fingerprints and pinning, checked against what OpenSSH prints. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fingerprint, fingerprintOf, hostKeyCheck, keyLine, matchesPinned, recordHostKeyStore } from "../../src/ssh/host-keys.js";
import { remoteCommand, shellQuote } from "../../src/ssh/shell.js";

const dir = mkdtempSync(join(tmpdir(), "kx-host-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let keys = 0;
function sshKey(type: "ed25519" | "rsa" | "ecdsa") {
  const file = join(dir, `key-${type}-${++keys}`);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "someone@host", "-f", file]);
  const line = readFileSync(`${file}.pub`, "utf8").trim();
  const printed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`], { encoding: "utf8" }).split(" ")[1]!;
  return { line, blob: Buffer.from(line.split(" ")[1]!, "base64"), printed };
}

describe("host keys", () => {
  it.each(["ed25519", "rsa", "ecdsa"] as const)("fingerprints a %s key exactly as ssh-keygen -l prints it", (type) => {
    const key = sshKey(type);
    expect(fingerprint(key.blob)).toBe(key.printed);
    expect(keyLine(key.blob)).toBe(key.line.split(" ").slice(0, 2).join(" "));
    expect(fingerprintOf(key.line)).toBe(key.printed);
    expect(fingerprintOf(`[10.0.1.5]:22 ${key.line}`)).toBe(key.printed); // known_hosts form
    expect(fingerprintOf(key.printed)).toBe(key.printed);
  });

  it("matches only the same key", () => {
    const a = sshKey("ed25519");
    const b = sshKey("ed25519");
    expect(matchesPinned(a.line, a.blob)).toBe(true);
    expect(matchesPinned(a.printed, a.blob)).toBe(true);
    expect(matchesPinned(b.line, a.blob)).toBe(false);
    expect(() => fingerprintOf("not a key")).toThrow(/not an OpenSSH public key/);
  });

  it("pins on first contact only after commit, and checks a pinned or given key otherwise", () => {
    const a = sshKey("ed25519");
    const b = sshKey("ed25519");
    const store = recordHostKeyStore();
    const target = { name: "etcd-a", address: "10.0.0.1", port: 22, user: "ubuntu", privateKeyFile: "k" };
    const first = hostKeyCheck(target, store);
    expect(first.verify(a.blob)).toBe(true);
    expect(store.record).toEqual({});
    first.commit();
    expect(store.record).toEqual({ "etcd-a": keyLine(a.blob) });

    const later = hostKeyCheck(target, store);
    expect(later.verify(b.blob)).toBe(false);
    expect(later.mismatch).toEqual({ expected: a.printed, got: b.printed });
    later.commit();
    expect(store.record["etcd-a"]).toBe(keyLine(a.blob));

    // A key given in the config wins over the store.
    expect(hostKeyCheck({ ...target, hostKey: b.printed }, store).verify(b.blob)).toBe(true);
  });
});

describe("remote command line", () => {
  it("uses sudo -n (never a password prompt) unless the login user is root", () => {
    expect(remoteCommand("systemctl restart etcd", { sudo: true, user: "ubuntu" })).toBe("sudo -n -- sh -c 'systemctl restart etcd'");
    expect(remoteCommand("systemctl restart etcd", { sudo: true, user: "root" })).toBe("systemctl restart etcd");
    expect(remoteCommand("id", { user: "ubuntu" })).toBe("id");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(execFileSync("sh", ["-c", `printf %s ${shellQuote("a 'b' $HOME")}`], { encoding: "utf8" })).toBe("a 'b' $HOME");
  });
});
