import { promises as fs } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/engine/secret.js";
import {
  getStateData,
  LocalStateStore,
  newStateDoc,
  setStateData,
  stateDataKey,
  type StateDoc,
} from "../../src/engine/state.js";
import { tempDir } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
let warnings: string[];
let store: LocalStateStore;
const stateDir = () => join(dir.path, "lab");

beforeEach(async () => {
  dir = await tempDir();
  warnings = [];
  store = new LocalStateStore(stateDir(), { warn: (m) => warnings.push(m) });
});
afterEach(() => dir.cleanup());

function docWith(marker: string): StateDoc {
  const doc = newStateDoc("lab", "1.2.3");
  doc.steps["network/vpc"] = { status: "done", outputs: { marker } };
  return doc;
}

describe("LocalStateStore", () => {
  it("has no state before the first save", async () => {
    expect(await store.load()).toBeUndefined();
  });

  it("creates the directory 0700 and the file 0600, and keeps the previous version as .bak", async () => {
    await store.save(docWith("one"));
    expect((await fs.stat(stateDir())).mode & 0o777).toBe(0o700);
    expect((await fs.stat(store.file)).mode & 0o777).toBe(0o600);
    await expect(fs.access(store.backup)).rejects.toThrow();

    await store.save(docWith("two"));
    await store.save(docWith("three"));
    expect((await store.load())!.steps["network/vpc"]!.outputs).toEqual({ marker: "three" });
    const bak = JSON.parse(await fs.readFile(store.backup, "utf8")) as StateDoc;
    expect(bak.steps["network/vpc"]!.outputs).toEqual({ marker: "two" });
    expect((await fs.readdir(stateDir())).sort()).toEqual(["state.json", "state.json.bak"]);
  });

  it("falls back to the backup when state.json is corrupt, and says so", async () => {
    await store.save(docWith("one"));
    await store.save(docWith("two"));
    await fs.writeFile(store.file, '{"schemaVersion": 1, "clus');
    const doc = await store.load();
    expect(doc!.steps["network/vpc"]!.outputs).toEqual({ marker: "one" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("state.json is unreadable (not valid JSON");
    expect(warnings[0]).toContain("state.json.bak");
  });

  it("names both files when neither can be read", async () => {
    await store.save(docWith("one"));
    await store.save(docWith("two"));
    await fs.writeFile(store.file, "garbage");
    await fs.writeFile(store.backup, JSON.stringify({ schemaVersion: 1, cluster: "lab" }));
    const error = await store.load().then(
      () => undefined,
      (e: Error & { hint?: string }) => e,
    );
    expect(error!.message).toContain("the state of this cluster cannot be read");
    expect(error!.message).toContain("state.json: not valid JSON");
    expect(error!.message).toContain('state.json.bak: ' + store.backup + ' is damaged: "steps" is missing');
    expect(error!.hint).toContain("move the directory");
  });

  it("refuses a state from a newer kx instead of falling back to an older backup", async () => {
    await store.save(docWith("one"));
    await store.save(docWith("two"));
    await fs.writeFile(store.file, JSON.stringify({ ...docWith("x"), schemaVersion: 2, kxVersion: "9.0.0" }));
    const error = await store.load().then(
      () => undefined,
      (e: Error & { hint?: string }) => e,
    );
    expect(error!.message).toContain("has state schema version 2 (written by kx 9.0.0); this kx reads version 1");
    expect(error!.hint).toContain("Upgrade kx");
    expect(warnings).toEqual([]);
  });

  it("refuses to save a private key or a registered secret, naming the field and not the value", async () => {
    const doc = docWith("one");
    doc.data.certificates = { ca: "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIabc\n-----END EC PRIVATE KEY-----\n" };
    await expect(store.save(doc)).rejects.toThrow("refusing to save the state: data.certificates.ca holds a secret");

    const token = new Secret("abcdef.0123456789abcdef");
    const doc2 = docWith("two");
    doc2.data.join = `kubeadm join --token ${token.reveal()}`;
    await expect(store.save(doc2)).rejects.toThrow(/data\.join holds a secret/);
    await expect(fs.access(store.file)).rejects.toThrow();
  });

  it("writes a Secret masked", async () => {
    const doc = docWith("one") as StateDoc & { data: Record<string, unknown> };
    (doc.data as Record<string, unknown>).password = new Secret("correct horse battery staple");
    await store.save(doc);
    const text = await fs.readFile(store.file, "utf8");
    expect(text).toContain('"password": "***"');
    expect(text).not.toContain("horse");
  });

  it("has typed helpers for the data other areas keep", async () => {
    const hostKeys = stateDataKey<Record<string, string>>("hostKeys");
    const doc = docWith("one");
    expect(getStateData(doc, hostKeys)).toBeUndefined();
    setStateData(doc, hostKeys, { "etcd-a": "SHA256:x" });
    await store.save(doc);
    expect(getStateData((await store.load())!, hostKeys)).toEqual({ "etcd-a": "SHA256:x" });
    setStateData(doc, hostKeys, undefined);
    expect(doc.data).toEqual({});
  });

  it("says where and why when the state cannot be written", async () => {
    await fs.mkdir(dir.path, { recursive: true });
    await fs.writeFile(stateDir(), "a file where the state directory should be");
    const error = await store.save(docWith("one")).then(
      () => undefined,
      (e: Error & { hint?: string; exitCode?: number }) => e,
    );
    expect(error!.message).toBe(`cannot save the state in ${stateDir()}: EEXIST`);
    expect(error!.hint).toContain("run the same command again to resume");
  });
});
