/**
 * A `kx create cluster` of a `hosts:` cluster killed (SIGKILL) in the middle of the
 * control-plane joins — master-b's `kubeadm join --control-plane` under way — and run
 * again: it must finish without a second `kubeadm init` on master-a, with all three
 * masters and the worker registered. (A `kx upgrade` killed mid-way: hosts-cluster.test.ts.)
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KxRun } from "../helpers/kx.js";
import { ensureBuilt } from "./support/build.js";
import { describeHostsRun, HOSTS_CLUSTER, HOSTS_ROLES as ROLES, eventsOfType, jsonEvents, killWhen, progressOf, secretLeaks, startHostsWorld, type HostsWorld } from "./support/hosts-world.js";

const ADMIN_CONF = "/etc/kubernetes/admin.conf";
const APISERVER_MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";

let w: HostsWorld;
let killed: KxRun;
let resumed: KxRun;
let initMarks: { adminConf: number; manifest: number };
let joinConfigLeft: boolean;

const mtime = (host: string, path: string) => statSync(w.hosts[host]!.pathOnHost(path)).mtimeMs;

beforeAll(async () => {
  await ensureBuilt();
  w = await startHostsWorld(ROLES, []);
  // kx announces master-b's join (progress events need --verbose); its kubelet.conf appears once kubeadm join is past preflight.
  const masterBJoining = (stdout: string) =>
    progressOf(stdout, "kubernetes/control-plane-join", "master-b").length > 0 && existsSync(w.hosts["master-b"]!.pathOnHost("/etc/kubernetes/kubelet.conf"));
  killed = await killWhen(w, ["create", "cluster", "-f", w.configFile, "--yes"], masterBJoining, "master-b's join got under way");
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
