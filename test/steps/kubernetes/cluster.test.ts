/**
 * A `hosts:` cluster on test hosts, end to end below the CLI: PKI, real etcd, kubeadm init
 * on master-a, master-b joined, then (as after a run killed during the control-plane
 * joins) the whole step list run again: it resumes without running kubeadm init again,
 * joins master-c and the worker over SSH, and publishes the join information.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { run as kubeconfigCommand } from "../../../src/commands/kubeconfig.js";
import type { Change, Outputs } from "../../../src/engine/types.js";
import { KUBERNETES_STEP, joinControlPlane, resetStep } from "../../../src/steps/kubernetes/index.js";
import { Io } from "../../../src/ui/io.js";
import { opensslCaHash } from "../../pki/openssl.js";
// @ts-expect-error plain JavaScript harness
import { standinPaths } from "../../harness/standins/index.js";
import { startCluster, type ClusterFixture } from "./cluster-fixture.js";

let c: ClusterFixture;
let resumedInitPlan: Change[];
let resumedPlans: Record<string, Change[]>;
let outputs: Record<string, Outputs>;
let apiserverManifestBefore: number;
let freshInitPlan: Change[];

const kubectl = (host: string, args: string) => c.hosts[host]!.exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf ${args}`);

beforeAll(async () => {
  c = await startCluster();
  await c.run([...c.steps.pki, ...c.steps.etcd]);
  const [init] = c.steps.kubernetes;
  freshInitPlan = await init!.plan(c.ctx);
  await c.run([init!]);
  // A run that was killed during the control-plane joins: master-b joined, master-c not.
  const masters = await c.ctx.inventory.hosts("control-plane");
  expect(await joinControlPlane(c.ctx, masters[1]!)).toBe(true);
  apiserverManifestBefore = statSync(c.hosts["master-a"]!.pathOnHost("/etc/kubernetes/manifests/kube-apiserver.yaml")).mtimeMs;
  resumedInitPlan = await init!.plan(c.ctx);
  resumedPlans = {};
  outputs = {};
  for (const step of [...c.steps.pki, ...c.steps.etcd, ...c.steps.kubernetes]) {
    resumedPlans[step.id] = await step.plan(c.ctx);
    outputs[step.id] = await step.apply(c.ctx, resumedPlans[step.id]!);
    c.ctx.setOutputs(step.id, outputs[step.id]!);
  }
}, 400_000);

afterAll(async () => {
  await c?.stop();
});

describe("a hosts cluster with kubeadm", () => {
  it("planned kubeadm init with the files it writes, keys masked (--show-files)", async () => {
    expect(freshInitPlan).toHaveLength(1);
    const files = freshInitPlan[0]!.files!;
    const config = files.find((f) => f.path === "/etc/kubernetes/kx/kubeadm-init.yaml")!;
    expect(config.mode).toBe(0o600);
    expect(config.content).toContain("kind: InitConfiguration");
    expect(config.content).toContain(`controlPlaneEndpoint: ${c.hosts["master-a"]!.address}:6443`);
    const key = files.find((f) => f.path === "/etc/kubernetes/pki/ca.key")!;
    expect(key.mode).toBe(0o600);
    expect(key.content).toContain("masked");
    const caKey = (await c.store.get("pki/ca.key"))!.reveal();
    expect(JSON.stringify(files)).not.toContain(caKey.split("\n")[1]!);
  });

  it("resumed after the interruption without running kubeadm init again", () => {
    expect(resumedInitPlan).toEqual([]);
    expect(statSync(c.hosts["master-a"]!.pathOnHost("/etc/kubernetes/manifests/kube-apiserver.yaml")).mtimeMs).toBe(apiserverManifestBefore);
    expect(resumedPlans[KUBERNETES_STEP.controlPlaneJoin]!.map((ch) => ch.target)).toEqual(["host master-c"]);
    expect(resumedPlans[KUBERNETES_STEP.workers]!.map((ch) => ch.target)).toEqual(["host worker-a"]);
    expect(outputs[KUBERNETES_STEP.init]).toMatchObject({ firstMaster: "master-a", controlPlaneEndpoint: `${c.hosts["master-a"]!.address}:6443` });
  });

  it("has three control-plane nodes and the worker registered, NotReady until a pod network is in (as the kubelet says)", () => {
    const nodes = JSON.parse(kubectl("master-b", "get nodes -o json")).items as {
      metadata: { name: string; labels: Record<string, string> };
      spec?: { taints?: { key: string }[] };
      status: { conditions: { type: string; status: string; message: string }[]; nodeInfo: { kubeletVersion: string } };
    }[];
    const byName = Object.fromEntries(nodes.map((n) => [n.metadata.name, n]));
    expect(Object.keys(byName).sort()).toEqual(["master-a", "master-b", "master-c", "worker-a"]);
    for (const m of ["master-a", "master-b", "master-c"]) {
      expect(byName[m]!.metadata.labels).toHaveProperty("node-role.kubernetes.io/control-plane");
      expect(byName[m]!.spec?.taints?.map((t) => t.key)).toContain("node-role.kubernetes.io/control-plane");
    }
    expect(byName["worker-a"]!.metadata.labels).not.toHaveProperty("node-role.kubernetes.io/control-plane");
    for (const n of nodes) {
      expect(n.status.conditions.find((x) => x.type === "Ready")).toMatchObject({ status: "False", message: expect.stringContaining("cni plugin not initialized") });
    }
    expect(nodes[0]!.status.nodeInfo.kubeletVersion).toBe("v1.36.1");
    const table = kubectl("master-a", "get nodes");
    expect(table).toMatch(/worker-a\s+NotReady\s+<none>/);
    expect(table).toMatch(/master-c\s+NotReady\s+control-plane/);
  });

  it("every master serves the API with the shared CA, and nodes can only use their own kubeconfig", () => {
    for (const m of ["master-a", "master-b", "master-c"]) {
      expect(c.hosts[m]!.exec(`curl -sS --cacert /etc/kubernetes/pki/ca.crt https://${c.hosts[m]!.address}:6443/readyz`)).toBe("ok");
    }
    const a = readFileSync(c.hosts["master-a"]!.pathOnHost("/etc/kubernetes/pki/ca.crt"), "utf8");
    const cCa = readFileSync(c.hosts["master-c"]!.pathOnHost("/etc/kubernetes/pki/ca.crt"), "utf8");
    expect(cCa).toBe(a);
    // The worker has no admin credentials, only its kubelet's.
    expect(() => c.hosts["worker-a"]!.exec("test -e /etc/kubernetes/admin.conf")).toThrow();
    expect(c.hosts["worker-a"]!.exec("kubectl --kubeconfig /etc/kubernetes/kubelet.conf get node worker-a -o name")).toBe("node/worker-a\n");
  });

  it("publishes the join endpoint, the CA hash as kubeadm computes it and a 48h token the cluster knows", async () => {
    const get = async (n: string) => (await c.store.get(n))!.reveal();
    expect(await get("join/endpoint")).toBe(`${c.hosts["master-a"]!.address}:6443`);
    expect(await get("join/ca-hash")).toBe(opensslCaHash(await get("pki/ca.crt")));
    const token = await get("join/token");
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const secret = JSON.parse(kubectl("master-a", `-n kube-system get secret bootstrap-token-${token.slice(0, 6)} -o json`));
    const expires = new Date(Buffer.from(secret.data.expiration, "base64").toString()).getTime();
    expect(expires - Date.now()).toBeGreaterThan(47 * 3_600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(48 * 3_600_000);
    expect((await get("kubeconfig/admin"))).toContain("client-key-data");
  });

  it("a second run changes nothing: empty plans and no remote writes", async () => {
    const before = c.pool.stats().writes;
    for (const step of [...c.steps.pki, ...c.steps.etcd, ...c.steps.kubernetes]) {
      const plan = await step.plan(c.ctx);
      expect(plan, step.id).toEqual([]);
      await step.apply(c.ctx, plan);
    }
    expect(c.pool.stats().writes).toEqual(before);
  });

  it("keeps keys and tokens out of outputs and logs", async () => {
    const text = JSON.stringify(outputs) + c.ctx.logLines.join("\n");
    const token = (await c.store.get("join/token"))!.reveal();
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split(".")[1]);
    expect(text).not.toMatch(/PRIVATE KEY|client-key-data/);
    for (const name of await c.store.list("pki/")) {
      if (!name.endsWith(".key")) continue;
      const body = (await c.store.get(name))!.reveal().split("\n").find((l) => l.length > 40 && !l.startsWith("-----"))!;
      expect(text).not.toContain(body);
    }
  });

  it("kx kubeconfig writes 0600 files and merges context kx-<cluster> without printing the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kx-kubeconfig-"));
    try {
      const configFile = join(dir, "cluster.yaml");
      writeFileSync(configFile, stringify(c.ctx.config));
      let printed = "";
      const stdout = Object.assign(new Writable({ write: (chunk, _e, cb) => ((printed += String(chunk)), cb()) }), { isTTY: false });
      const io = new Io({ stdout, stderr: stdout, env: { CI: "true" } });
      const globals = { stateDir: c.stateDir, output: "text" as const, verbose: false, color: false };

      const standalone = join(dir, "admin.conf");
      await kubeconfigCommand({ file: configFile, write: standalone }, globals, io);
      expect(statSync(standalone).mode & 0o777).toBe(0o600);
      const nodes = execFileSync(standinPaths().kubectl, ["--kubeconfig", standalone, "get", "nodes", "-o", "name"], { encoding: "utf8" });
      expect(nodes.split("\n").filter(Boolean).sort()).toEqual(["node/master-a", "node/master-b", "node/master-c", "node/worker-a"]);

      const merged = join(dir, "kube", "config");
      writeFileSync(join(dir, "other.yaml"), "");
      const existing = { apiVersion: "v1", kind: "Config", clusters: [{ name: "other", cluster: { server: "https://other:6443" } }], contexts: [{ name: "other", context: { cluster: "other", user: "other" } }], users: [{ name: "other", user: { token: "x" } }], "current-context": "other" };
      execFileSync("mkdir", ["-p", join(dir, "kube")]);
      writeFileSync(merged, stringify(existing), { mode: 0o644 });
      process.env.KUBECONFIG = merged;
      try {
        await kubeconfigCommand({ file: configFile }, globals, io);
      } finally {
        delete process.env.KUBECONFIG;
      }
      expect(statSync(merged).mode & 0o777).toBe(0o600);
      const text = readFileSync(merged, "utf8");
      expect(text).toContain("name: other");
      expect(text).toContain("current-context: kx-lab");
      const viaContext = execFileSync(standinPaths().kubectl, ["--kubeconfig", merged, "version"], { encoding: "utf8" });
      expect(viaContext).toContain("Server Version: v1.36.1");
      expect(printed).not.toMatch(/client-key-data|PRIVATE KEY/);
      expect(printed).toContain("Merged context kx-lab");

      await kubeconfigCommand({ file: configFile, print: true }, globals, io);
      expect(printed).toContain("client-key-data");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("kx destroy on a hosts cluster", () => {
  it("resets every node with kubeadm reset, workers first, and then has nothing left to do", async () => {
    const step = resetStep();
    const plan = await step.plan(c.ctx);
    expect(plan.map((p) => p.target)).toEqual(["host worker-a", "host master-c", "host master-b", "host master-a"]);
    await step.apply(c.ctx, plan);
    for (const n of ["master-a", "master-b", "master-c", "worker-a"]) {
      expect(c.hosts[n]!.exec("ls -A /etc/kubernetes/manifests /var/lib/kubelet 2>/dev/null | grep -v ':$' | grep -c . || true").trim()).toBe("0");
      expect(() => c.hosts[n]!.exec("test -e /etc/kubernetes/kubelet.conf")).toThrow();
    }
    expect(await step.plan(c.ctx)).toEqual([]);
  });
});
