import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/engine/secret.js";
import { LocalSecretStore } from "../../src/secrets/local-store.js";

const dirs: string[] = [];
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), "kx-secrets-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;

describe("LocalSecretStore", () => {
  it("keeps secrets in <stateDir>/secrets with 0700 directories and 0600 files", async () => {
    const dir = stateDir();
    const store = new LocalSecretStore(dir);
    await store.put("pki/etcd/etcd-a/server.key", new Secret("-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----\n"));
    const file = join(dir, "secrets", "pki", "etcd", "etcd-a", "server.key");
    expect(mode(file)).toBe(0o600);
    for (const d of ["secrets", "secrets/pki", "secrets/pki/etcd", "secrets/pki/etcd/etcd-a"]) expect(mode(join(dir, d))).toBe(0o700);
    const back = await store.get("pki/etcd/etcd-a/server.key");
    expect(back).toBeInstanceOf(Secret);
    expect(back!.reveal()).toContain("abc");
    expect(String(back)).toBe("***");
  });

  it("returns undefined for a missing secret and overwrites atomically without leftovers", async () => {
    const dir = stateDir();
    const store = new LocalSecretStore(dir);
    expect(await store.get("join/token")).toBeUndefined();
    await store.put("join/token", "abcdef.0123456789abcdef");
    await store.put("join/token", "zyxwvu.0123456789abcdef");
    expect((await store.get("join/token"))!.reveal()).toBe("zyxwvu.0123456789abcdef");
    expect(readdirSync(join(dir, "secrets", "join"))).toEqual(["token"]);
  });

  it("lists by prefix and deletes", async () => {
    const store = new LocalSecretStore(stateDir());
    for (const n of ["pki/ca.crt", "pki/ca.key", "pki/etcd/ca.crt", "join/token"]) await store.put(n, "value-" + n);
    expect(await store.list("pki/")).toEqual(["pki/ca.crt", "pki/ca.key", "pki/etcd/ca.crt"]);
    expect(await store.list("pki/etcd/")).toEqual(["pki/etcd/ca.crt"]);
    await store.delete("pki/ca.key");
    await store.delete("pki/ca.key"); // deleting twice is fine
    expect(await store.list("")).toEqual(["join/token", "pki/ca.crt", "pki/etcd/ca.crt"]);
    expect(await new LocalSecretStore(stateDir()).list("")).toEqual([]);
  });

  it("ignores temp files a crash left behind and tightens a loose secrets directory", async () => {
    const dir = stateDir();
    mkdirSync(join(dir, "secrets", "pki"), { recursive: true });
    chmodSync(join(dir, "secrets"), 0o755);
    writeFileSync(join(dir, "secrets", "pki", "ca.key.tmp-0123456789ab"), "half");
    const store = new LocalSecretStore(dir);
    expect(await store.list("")).toEqual([]);
    await store.put("pki/ca.crt", "cert");
    expect(mode(join(dir, "secrets"))).toBe(0o700);
  });

  it("refuses names that would escape the directory", async () => {
    const store = new LocalSecretStore(stateDir());
    for (const bad of ["../state.json", "pki/../../x", "/etc/passwd", "pki//ca", ""]) {
      await expect(store.put(bad, "x")).rejects.toThrow(/invalid secret name/);
    }
  });
});
