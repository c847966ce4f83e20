import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Outputs, Step } from "../../../src/engine/types.js";
import { inspectCertificate } from "../../../src/pki/inspect.js";
import { LocalSecretStore } from "../../../src/secrets/local-store.js";
import type { SecretStore } from "../../../src/secrets/store.js";
import type { KxContext } from "../../../src/steps/context.js";
import { PKI_STEP, certificateExpiries, pkiSteps } from "../../../src/steps/pki/index.js";
import { TempDir, verifyChain } from "../../pki/openssl.js";
import { etcdHost, fakeContext, type FakeContext } from "./fake-context.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const HOSTS_CONFIG = {
  hosts: [
    { name: "etcd-a", address: "127.0.1.1", roles: ["etcd"] },
    { name: "etcd-b", address: "127.0.1.2", roles: ["etcd"] },
    { name: "etcd-c", address: "127.0.1.3", roles: ["etcd"] },
    { name: "master-a", address: "127.0.1.4", roles: ["control-plane"] },
  ],
};
const members = () => [etcdHost("etcd-a", "10.0.96.10"), etcdHost("etcd-b", "10.0.112.10"), etcdHost("etcd-c", "10.0.128.10")];

function setup(hosts = members()): { ctx: FakeContext; store: LocalSecretStore; steps: Step<KxContext>[] } {
  const dir = mkdtempSync(join(tmpdir(), "kx-pki-steps-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = new LocalSecretStore(dir);
  const ctx = fakeContext({ config: HOSTS_CONFIG, secrets: store, hosts, stateDir: dir });
  return { ctx, store, steps: pkiSteps(ctx.config) };
}

async function runAll(ctx: FakeContext, steps: Step<KxContext>[]): Promise<Record<string, Outputs>> {
  const all: Record<string, Outputs> = {};
  for (const step of steps) {
    const changes = await step.plan(ctx);
    all[step.id] = await step.apply(ctx, changes);
    ctx.setOutputs(step.id, all[step.id]!);
  }
  return all;
}

async function snapshot(store: SecretStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await store.list("")) out[name] = (await store.get(name))!.reveal();
  return out;
}

const CONTRACT_SECRETS = [
  "pki/etcd/ca.crt", "pki/etcd/ca.key",
  ...["etcd-a", "etcd-b", "etcd-c"].flatMap((m) => ["server.crt", "server.key", "peer.crt", "peer.key"].map((f) => `pki/etcd/${m}/${f}`)),
  "pki/etcd/apiserver-etcd-client.crt", "pki/etcd/apiserver-etcd-client.key",
  "pki/etcd/healthcheck-client.crt", "pki/etcd/healthcheck-client.key",
  "pki/ca.crt", "pki/ca.key", "pki/front-proxy-ca.crt", "pki/front-proxy-ca.key", "pki/sa.key", "pki/sa.pub",
];

describe("pki steps", () => {
  it("create every secret of the contract, with chains that verify", async () => {
    const { ctx, store, steps } = setup();
    expect(steps.map((s) => s.id)).toEqual(Object.values(PKI_STEP));
    await runAll(ctx, steps);
    expect(await store.list("")).toEqual([...CONTRACT_SECRETS].sort());
    const s = await snapshot(store);
    const dir = new TempDir();
    cleanups.push(() => dir.remove());
    for (const m of ["etcd-a", "etcd-b", "etcd-c"]) {
      for (const kind of ["server", "peer"]) {
        const [ok, out] = verifyChain(dir, s["pki/etcd/ca.crt"]!, s[`pki/etcd/${m}/${kind}.crt`]!, "sslserver");
        expect(ok, out).toBe(true);
      }
    }
    expect(verifyChain(dir, s["pki/etcd/ca.crt"]!, s["pki/etcd/apiserver-etcd-client.crt"]!, "sslclient")[0]).toBe(true);
    // The etcd client certificate must not be accepted by the Kubernetes CA: separate trust domains.
    expect(verifyChain(dir, s["pki/ca.crt"]!, s["pki/etcd/apiserver-etcd-client.crt"]!)[0]).toBe(false);
    const server = inspectCertificate(s["pki/etcd/etcd-b/server.crt"]!);
    expect(server.ipAddresses).toContain("10.0.112.10");
    expect(server.dnsNames).toContain("etcd-b.internal");
  });

  it("outputs only certificate names and expiry dates, never a key", async () => {
    const { ctx, store, steps } = setup();
    const outputs = await runAll(ctx, steps);
    const json = JSON.stringify(outputs);
    expect(json).not.toMatch(/PRIVATE KEY|BEGIN/);
    for (const name of await store.list("")) {
      if (!name.endsWith(".key")) continue;
      const body = (await store.get(name))!.reveal().split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
      for (const line of body) expect(json).not.toContain(line);
    }
    expect(ctx.logLines.join("\n")).not.toMatch(/PRIVATE KEY/);
    const expiries = certificateExpiries((id) => ctx.outputs(id));
    expect(Object.keys(expiries).sort()).toEqual(CONTRACT_SECRETS.filter((n) => n.endsWith(".crt")).sort());
    for (const date of Object.values(expiries)) expect(new Date(date).getTime()).toBeGreaterThan(Date.now());
  });

  it("regenerate nothing on a second run: every plan is empty and every secret unchanged", async () => {
    const { ctx, store, steps } = setup();
    const first = await runAll(ctx, steps);
    const before = await snapshot(store);
    for (const step of steps) expect(await step.plan(ctx), step.id).toEqual([]);
    const second = await runAll(ctx, steps);
    expect(await snapshot(store)).toEqual(before);
    expect(second).toEqual(first);
    // A fresh step list (a new kx process) reads the same secrets back.
    for (const step of pkiSteps(ctx.config)) expect(await step.plan(ctx)).toEqual([]);
  });

  it("re-issue a member's certificates from the same CA when its address changes", async () => {
    const { ctx, store, steps } = setup();
    await runAll(ctx, steps);
    const before = await snapshot(store);
    const moved = fakeContext({
      config: HOSTS_CONFIG, secrets: store,
      hosts: [etcdHost("etcd-a", "10.0.96.10"), etcdHost("etcd-b", "10.0.112.99"), etcdHost("etcd-c", "10.0.128.10")],
    });
    const memberStep = steps.find((s) => s.id === PKI_STEP.etcdMembers)!;
    const plan = await memberStep.plan(moved);
    expect(plan.map((c) => [c.action, c.target])).toEqual([
      ["update", "certificate pki/etcd/etcd-b/server.crt"],
      ["update", "certificate pki/etcd/etcd-b/peer.crt"],
    ]);
    expect(plan[0]!.detail).toMatch(/subject alternative names changed \(\+10\.0\.112\.99 -10\.0\.112\.10\)/);
    await memberStep.apply(moved, plan);
    const after = await snapshot(store);
    expect(inspectCertificate(after["pki/etcd/etcd-b/server.crt"]!).ipAddresses).toContain("10.0.112.99");
    expect(after["pki/etcd/ca.crt"]).toBe(before["pki/etcd/ca.crt"]);
    expect(after["pki/etcd/ca.key"]).toBe(before["pki/etcd/ca.key"]);
    expect(after["pki/etcd/etcd-a/server.crt"]).toBe(before["pki/etcd/etcd-a/server.crt"]);
    expect(after["pki/etcd/etcd-b/server.key"]).not.toBe(before["pki/etcd/etcd-b/server.key"]);
    expect(await memberStep.plan(moved)).toEqual([]);
  });

  it("plan a fresh cluster as creations and write nothing (dry-run)", async () => {
    const { ctx, store, steps } = setup();
    const plans = await Promise.all(steps.map((s) => s.plan(ctx)));
    expect(plans.flat().every((c) => c.action === "create")).toBe(true);
    expect(plans[1]!.map((c) => c.target)).toContain("certificate pki/etcd/etcd-c/peer.crt");
    expect(await store.list("")).toEqual([]);
  });

  it("plan an AWS cluster without credentials without touching the secret store", async () => {
    const untouchable: SecretStore = {
      get: () => Promise.reject(new Error("SSM called")),
      put: () => Promise.reject(new Error("SSM called")),
      list: () => Promise.reject(new Error("SSM called")),
      delete: () => Promise.reject(new Error("SSM called")),
    };
    const ctx = fakeContext({ config: { zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], region: "eu-west-1" }, secrets: untouchable, awsLive: false });
    const steps = pkiSteps(ctx.config);
    expect(steps.find((s) => s.id === PKI_STEP.etcdMembers)!.needs).toEqual([
      PKI_STEP.etcdCa, "machines/etcd:eu-west-1a", "machines/etcd:eu-west-1b", "machines/etcd:eu-west-1c",
    ]);
    for (const step of steps) {
      const plan = await step.plan(ctx);
      expect(plan.length, step.id).toBeGreaterThan(0);
      expect(plan.every((c) => c.action === "create")).toBe(true);
    }
  });

  it("refuse to replace a CA whose key is gone", async () => {
    const { ctx, store, steps } = setup();
    await runAll(ctx, steps);
    await store.delete("pki/ca.key");
    const caStep = steps.find((s) => s.id === PKI_STEP.kubernetesCa)!;
    await expect(caStep.plan(ctx)).rejects.toThrow(/pki\/ca.crt exists in the secret store but pki\/ca.key does not/);
    await expect(caStep.apply(ctx, [])).rejects.toThrow(/pki\/ca.key does not/);
  });

  it("finish a half-written pair: a key without its certificate is replaced as a whole", async () => {
    const { ctx, store, steps } = setup();
    await runAll(ctx, steps);
    await store.delete("pki/etcd/healthcheck-client.crt");
    const clients = steps.find((s) => s.id === PKI_STEP.etcdClients)!;
    expect((await clients.plan(ctx)).map((c) => c.action)).toEqual(["create"]);
    await clients.apply(ctx, []);
    expect(await clients.plan(ctx)).toEqual([]);
    await store.delete("pki/sa.pub");
    const sa = steps.find((s) => s.id === PKI_STEP.serviceAccount)!;
    const keyBefore = (await store.get("pki/sa.key"))!.reveal();
    expect((await sa.plan(ctx))[0]!.action).toBe("update");
    await sa.apply(ctx, []);
    expect((await store.get("pki/sa.key"))!.reveal()).toBe(keyBefore);
    expect((await store.get("pki/sa.pub"))!.reveal()).toMatch(/BEGIN PUBLIC KEY/);
  });
});
