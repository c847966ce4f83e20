/**
 * A `kx create cluster` of a `hosts:` cluster killed (SIGKILL) in the middle of the
 * control-plane joins — master-b's `kubeadm join --control-plane` under way — and run
 * again: it must finish without a second `kubeadm init` on master-a, with all three
 * masters and the worker registered. Then a `kx upgrade` killed while master-b is
 * drained: `kx status` shows where it stopped, and the upgrade run again finishes
 * without upgrading master-a a second time.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KxRun } from "../helpers/kx.js";
import { ensureBuilt } from "./support/build.js";
import { describeHostsRun, HOSTS_CLUSTER, HOSTS_ROLES as ROLES, eventsOfType, jsonEvents, secretLeaks, startHostsWorld, type HostsWorld } from "./support/hosts-world.js";

const ADMIN_CONF = "/etc/kubernetes/admin.conf";
const APISERVER_MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";

let w: HostsWorld;
let killed: KxRun;
let resumed: KxRun;
let initMarks: { adminConf: number; manifest: number };
let joinConfigLeft: boolean;

const mtime = (host: string, path: string) => statSync(w.hosts[host]!.pathOnHost(path)).mtimeMs;

/** Polls until `check` holds; fails with `what` when the kx run ended first. */
async function until(check: () => boolean, ended: () => boolean, what: string): Promise<void> {
  while (!check()) {
    if (ended()) throw new Error(`kx ended before ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs kx (JSON events, --verbose for progress) and SIGKILLs it once `ready(stdout)` holds. */
async function killWhen(args: string[], ready: (stdout: string) => boolean, what: string): Promise<KxRun> {
  const run = w.spawn(["--output", "json", "--verbose", ...args]);
  let stdout = "";
  let ended = false;
  run.child.stdout!.on("data", (d) => (stdout += d));
  void run.done.then(() => (ended = true));
  try {
    await until(() => ready(stdout), () => ended, what);
  } catch (e) {
    if (!ended) throw e;
    throw new Error(`${(e as Error).message}\n${describeHostsRun(await run.done)}`);
  }
  run.child.kill("SIGKILL");
  return run.done;
}

const progressOf = (stdout: string, id: string, subtask: string) => eventsOfType(stdout, "step-progress").filter((e) => e.id === id && e.subtask === subtask);

beforeAll(async () => {
  await ensureBuilt();
  w = await startHostsWorld(ROLES, []);
  // kx announces master-b's join (progress events need --verbose); its kubelet.conf appears once kubeadm join is past preflight.
  const masterBJoining = (stdout: string) =>
    progressOf(stdout, "kubernetes/control-plane-join", "master-b").length > 0 && existsSync(w.hosts["master-b"]!.pathOnHost("/etc/kubernetes/kubelet.conf"));
  killed = await killWhen(["create", "cluster", "-f", w.configFile, "--yes"], masterBJoining, "master-b's join got under way");
  // kubeadm join goes on without kx; once it has ended, the config with the token must be gone.
  const b = w.hosts["master-b"]!;
  const deadline = Date.now() + 60_000;
  while (b.exec("pgrep -f 'kubeadm join' || true").trim() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  joinConfigLeft = existsSync(b.pathOnHost("/etc/kubernetes/kx/kubeadm-join.yaml"));
  initMarks = { adminConf: mtime("master-a", ADMIN_CONF), manifest: mtime("master-a", APISERVER_MANIFEST) };
  resumed = await w.kx(["create", "cluster", "-f", w.configFile, "--yes"], 300_000);
}, 480_000);

afterAll(async () => {
  await w?.close();
});

describe("a hosts: create killed during the control-plane joins", () => {
  it("was killed after kubeadm init and before the joins finished", () => {
    expect(killed.signal).toBe("SIGKILL");
    const finished = eventsOfType(killed.stdout, "step-finished").map((e) => e.id);
    expect(finished).toContain("kubernetes/control-plane-init");
    expect(finished).not.toContain("kubernetes/control-plane-join");
  });

  it("left no join config (it holds a bootstrap token) on master-b once the cut-off kubeadm join ended", () => {
    expect(joinConfigLeft).toBe(false);
  });

  it("wrote its --output json event stream as one valid JSON document a line", () => {
    expect(jsonEvents(killed.stdout).length).toBeGreaterThan(10);
  });

  it("resumes and finishes without running kubeadm init again", () => {
    expect(resumed.code, describeHostsRun(resumed)).toBe(0);
    const line = (step: string) => resumed.stdout.split("\n").find((l) => /^\S /.test(l) && l.includes(`${step} `));
    expect(line("kubernetes/control-plane-init")).toMatch(/done earlier/);
    expect(line("kubernetes/control-plane-join")).toMatch(/^✔/);
    expect(mtime("master-a", ADMIN_CONF)).toBe(initMarks.adminConf);
    expect(mtime("master-a", APISERVER_MANIFEST)).toBe(initMarks.manifest);
  });

  it("leaves no key or token in the state, the logs or the output of either run", () => {
    const secrets = join(w.stateDir, "secrets");
    const token = readFileSync(join(secrets, "join/token"), "utf8").trim();
    const caKeyBody = readFileSync(join(secrets, "pki/ca.key"), "utf8").split("\n")[1]!;
    expect(secretLeaks(w, [token, caKeyBody], [["killed run", killed.stdout + killed.stderr]])).toEqual([]);
  });

  it("ends with the three masters and the worker Ready", async () => {
    const status = await w.kx(["--output", "json", "status", "-f", w.configFile]);
    expect(status.code, describeHostsRun(status)).toBe(0);
    const doc = jsonEvents(status.stdout).find((e) => e.type === "status")!;
    expect(doc.cluster).toBe(HOSTS_CLUSTER);
    expect(doc.nodes.map((n: any) => [n.name, n.ready, n.roles.includes("control-plane")]).sort()).toEqual([
      ["master-a", true, true],
      ["master-b", true, true],
      ["master-c", true, true],
      ["worker-a", true, false],
    ]);
  });
});

describe("a kx upgrade killed while master-b is drained", () => {
  let upgradeKilled: KxRun;
  let midway: { name: string; version: string; cordoned: boolean }[];
  let midwayText: string;
  let upgradeResumed: KxRun;

  beforeAll(async () => {
    const cordoned = (node: string) => JSON.parse(w.hosts["master-a"]!.exec(`kubectl --kubeconfig ${ADMIN_CONF} get node ${node} -o json`)).spec?.unschedulable === true;
    const drainedB = (stdout: string) => progressOf(stdout, "upgrade/control-plane:master-b", "master-b").some((e) => e.message === "drain") && cordoned("master-b");
    upgradeKilled = await killWhen(["upgrade", "-f", w.configFile, "--to", "1.37.1", "--yes"], drainedB, "master-b was cordoned for its drain");
    midway = await nodes();
    midwayText = (await w.kx(["status", "-f", w.configFile])).stdout;
    upgradeResumed = await w.kx(["--output", "json", "upgrade", "-f", w.configFile, "--to", "1.37.1", "--yes"], 300_000);
  }, 420_000);

  async function nodes(): Promise<{ name: string; version: string; cordoned: boolean }[]> {
    const status = await w.kx(["--output", "json", "status", "-f", w.configFile]);
    return (jsonEvents(status.stdout).find((e) => e.type === "status")!.nodes as { name: string; version: string; cordoned: boolean }[]).sort((a, b) => a.name.localeCompare(b.name));
  }

  it("kx status shows where it stopped: master-a upgraded, master-b cordoned, the rest at the old version", () => {
    expect(upgradeKilled.signal).toBe("SIGKILL");
    // master-b's kubelet may have been restarted in the moment before the kill: its version is either.
    expect(midway.map((n) => [n.name, n.name === "master-b" ? expect.stringMatching(/^v1\.3[67]\.1$/) : n.version, n.cordoned])).toEqual([
      ["master-a", "v1.37.1", false],
      ["master-b", expect.stringMatching(/^v1\.3[67]\.1$/), true],
      ["master-c", "v1.36.1", false],
      ["worker-a", "v1.36.1", false],
    ]);
    expect(midwayText).toMatch(/master-b\s+control-plane\s+Ready,SchedulingDisabled/);
    expect(midwayText).toMatch(/nodes run v1\.3[67]\.1 and v1\.3[67]\.1: an upgrade has not finished \(kx upgrade continues it\)/);
  });

  it("run again, it finishes at the node it stopped on: master-a is not upgraded again, master-b is uncordoned", async () => {
    expect(upgradeResumed.code, describeHostsRun(upgradeResumed)).toBe(0);
    const applied = eventsOfType(upgradeResumed.stdout, "step-finished").filter((e) => e.changes.length > 0).map((e) => e.id);
    expect(applied).toEqual(["upgrade/control-plane:master-b", "upgrade/control-plane:master-c", "upgrade/worker:worker-a"]);
    expect((await nodes()).map((n) => [n.name, n.version, n.cordoned])).toEqual(["master-a", "master-b", "master-c", "worker-a"].map((n) => [n, "v1.37.1", false]));
  }, 120_000);
});
