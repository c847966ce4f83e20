/**
 * The real kx binary builds a `hosts:` cluster on test hosts with no AWS at all: real
 * sshd, real etcd, the kubeadm/kubelet/kubectl stand-ins. Then: status, an idempotent
 * re-run, `kx join` of a spare host, `kx kubeconfig`, and `kx destroy`, which gives the
 * machines back reset. (A create killed mid-run: hosts-crash.test.ts.)
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KxRun } from "../helpers/kx.js";
import { ensureBuilt } from "./support/build.js";
import { describeHostsRun, eventsOfType, execStatus, HOSTS_CLUSTER, HOSTS_ROLES as ROLES, jsonEvents, killWhen, progressOf, secretLeaks, startHostsWorld, type HostsWorld } from "./support/hosts-world.js";

const MASTERS = ["master-a", "master-b", "master-c"];
const ADMIN_CONF = "/etc/kubernetes/admin.conf";
const APISERVER_MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";

let w: HostsWorld;
let create: KxRun;
/** master-a's kubeadm init products, as the create left them. */
let initMarks: { adminConf: number; manifest: number };

const mtime = (host: string, path: string) => statSync(w.hosts[host]!.pathOnHost(path)).mtimeMs;
const lines = (run: KxRun) => run.stdout.split("\n");
/** The node steps a run upgraded (changes applied), in the order they finished; fails if two ever ran at once. */
function upgradedInOrder(run: KxRun): string[] {
  const events = jsonEvents(run.stdout).filter((e) => /^upgrade\/(control-plane|worker):/.test(e.id ?? "") && ["step-started", "step-finished"].includes(e.type));
  let running = 0;
  for (const e of events) {
    running += e.type === "step-started" ? 1 : -1;
    expect(running, "two nodes upgraded at once").toBeLessThanOrEqual(1);
  }
  return events.filter((e) => e.type === "step-finished" && e.changes.length > 0).map((e) => e.id);
}

const statusNodes = async (): Promise<{ name: string; version: string; ready: boolean; cordoned: boolean }[]> => {
  const run = await w.kx(["--output", "json", "status", "-f", w.configFile]);
  const nodes = jsonEvents(run.stdout).find((e) => e.type === "status")!.nodes as { name: string; version: string; ready: boolean; cordoned: boolean }[];
  return nodes.sort((a, b) => a.name.localeCompare(b.name));
};

beforeAll(async () => {
  await ensureBuilt();
  w = await startHostsWorld(ROLES, ["spare"]);

  create = await w.kx(["create", "cluster", "-f", w.configFile, "--yes"], 300_000);
  initMarks = { adminConf: mtime("master-a", ADMIN_CONF), manifest: mtime("master-a", APISERVER_MANIFEST) };
}, 420_000);

afterAll(async () => {
  await w?.close();
});

describe("kx on a hosts: cluster, no AWS", () => {
  it("creates the cluster", () => {
    expect(create.code, describeHostsRun(create)).toBe(0);
    for (const step of ["kubernetes/control-plane-init", "kubernetes/control-plane-join", "kubernetes/workers"]) {
      expect(lines(create).find((l) => l.includes(`${step} `) && /^\S /.test(l))).toMatch(/^✔/);
    }
  });

  it("names the API endpoint in the summary", () => {
    expect(create.stdout).toMatch(new RegExp(`API endpoint\\s+https://${w.hosts["master-a"]!.address.replaceAll(".", "\\.")}:6443`));
    expect(create.stdout).toContain(`kx-${HOSTS_CLUSTER}`);
  });

  it("keeps secrets in <state>/secrets (directories 0700, files 0600) and nowhere else", () => {
    const secrets = join(w.stateDir, "secrets");
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
    const entries = [secrets, ...walk(secrets)];
    const files = entries.filter((p) => statSync(p).isFile());
    expect(files.map((f) => f.slice(secrets.length + 1))).toEqual(expect.arrayContaining(["pki/ca.key", "join/token", "kubeconfig/admin"]));
    for (const p of entries) expect([p, statSync(p).mode & 0o777]).toEqual([p, statSync(p).isFile() ? 0o600 : 0o700]);

    const token = readFileSync(join(secrets, "join/token"), "utf8").trim();
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const caKeyBody = readFileSync(join(secrets, "pki/ca.key"), "utf8").split("\n")[1]!;
    expect(readdirSync(join(w.stateDir, "logs")).length).toBeGreaterThan(0);
    const leaks = secretLeaks(w, [token, caKeyBody]);
    expect(leaks).toEqual([]);
  });

  it("installed Cilium with kx's values and the Istio mesh (no cloud controller or EBS driver without AWS), and Cilium made every node Ready", () => {
    const kube = "--kubeconfig /etc/kubernetes/admin.conf";
    const status = JSON.parse(w.hosts["master-a"]!.exec(`helm status cilium -n kube-system -o json ${kube}`));
    expect(status).toMatchObject({ info: { status: "deployed" }, chart: { metadata: { name: "cilium" } } });
    expect(status.config).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: w.hosts["master-a"]!.address, k8sServicePort: 6443 });
    const releases = JSON.parse(w.hosts["master-a"]!.exec(`helm list -A -o json ${kube}`)) as { name: string; status: string }[];
    expect(releases.map((r) => r.name).sort()).toEqual(["cilium", "eck-operator", "istio-base", "istio-cni", "istio-ingress", "istiod", "jaeger", "kiali", "kube-prometheus-stack", "kube-state-metrics", "ztunnel"]);
    expect(releases.every((r) => r.status === "deployed")).toBe(true);
    // EFK and Metricbeat are on by default: ECK's objects, checked by the API server against the operator's CRDs.
    const beats = JSON.parse(w.hosts["master-a"]!.exec(`kubectl ${kube} get beats -n elastic-system -o json`)) as { items: { metadata: { name: string } }[] };
    expect(beats.items.map((b) => b.metadata.name).sort()).toEqual(["filebeat", "metricbeat"]);
    expect(JSON.parse(w.hosts["master-a"]!.exec(`kubectl ${kube} get kibana kibana -n elastic-system -o json`)).spec.elasticsearchRef).toEqual({ name: "elasticsearch" });
  });

  it("kx status lists the control plane and the worker Ready and etcd healthy (text and JSON)", async () => {
    const text = await w.kx(["status", "-f", w.configFile]);
    expect(text.code, describeHostsRun(text)).toBe(0);
    for (const m of MASTERS) expect(text.stdout).toMatch(new RegExp(`^\\s+${m}\\s+control-plane\\s+Ready\\b`, "m"));
    expect(text.stdout).toMatch(/^\s+worker-a\s+worker\s+Ready\b/m);
    expect(text.stdout).toMatch(new RegExp(`https://${w.hosts["etcd-a"]!.address.replaceAll(".", "\\.")}:2379\\s+healthy`));

    const json = await w.kx(["--output", "json", "status", "-f", w.configFile]);
    expect(json.code, describeHostsRun(json)).toBe(0);
    const status = jsonEvents(json.stdout).find((e) => e.type === "status")!;
    expect(status.cluster).toBe(HOSTS_CLUSTER);
    expect(status.nodes.map((n: any) => [n.name, n.ready]).sort()).toEqual([...MASTERS, "worker-a"].map((n) => [n, true]));
    expect(status.nodes.filter((n: any) => n.roles.includes("control-plane")).map((n: any) => n.name).sort()).toEqual(MASTERS);
    expect(status.etcd).toEqual([{ endpoint: `https://${w.hosts["etcd-a"]!.address}:2379`, healthy: true }]);
    expect(status.addons).toContainEqual({ name: "cilium", namespace: "kube-system", chart: expect.stringMatching(/^cilium-\d/), status: "deployed" });
    expect(text.stdout).toMatch(/^Add-ons\n\s+kube-system\/cilium\s+cilium-\S+\s+deployed$/m);
    expect(status.areas.every((a: any) => a.done === a.total && a.failed.length === 0)).toBe(true);
  });

  it("a second create changes nothing and does not run kubeadm init again", async () => {
    const again = await w.kx(["create", "cluster", "-f", w.configFile, "--yes"]);
    expect(again.code, describeHostsRun(again)).toBe(0);
    const stepLines = lines(again).filter((l) => /^\S+ (pki|etcd|kubernetes)\//.test(l));
    expect(stepLines.length).toBe(13);
    for (const l of stepLines) expect(l).toMatch(/done earlier|up to date/);
    expect(mtime("master-a", ADMIN_CONF)).toBe(initMarks.adminConf);
    expect(mtime("master-a", APISERVER_MANIFEST)).toBe(initMarks.manifest);
  });

  it("kx join adds the spare host as a worker", async () => {
    w.addHost("spare", ["worker"]);
    const joined = await w.kx(["join", "-f", w.configFile]);
    expect(joined.code, describeHostsRun(joined)).toBe(0);
    expect(joined.stdout).toMatch(/joined spare/);
    const json = await w.kx(["--output", "json", "status", "-f", w.configFile]);
    const status = jsonEvents(json.stdout).find((e) => e.type === "status")!;
    expect(status.nodes.map((n: any) => [n.name, n.ready]).sort()).toEqual([...MASTERS, "spare", "worker-a"].map((n) => [n, true]));
  });

  it("kx upgrade refuses a downgrade, a version that is not one, and running unattended without --yes, changing nothing", async () => {
    // Usage errors (exit 2) before anything runs; the downgrade is known only from the live cluster: its preflight step fails (exit 1).
    const cases: [string[], number, RegExp][] = [
      [["--to", "1.37.1"], 2, /refusing to upgrade cluster lab without confirmation/],
      [["--to", "1.37", "--yes"], 2, /--to "1\.37" is not a Kubernetes version/],
      [["--to", "1.35.4", "--yes"], 1, /step upgrade\/preflight failed: the cluster runs v1\.36\.1: kubeadm does not downgrade it to v1\.35\.4/],
    ];
    for (const [args, code, message] of cases) {
      const run = await w.kx(["upgrade", "-f", w.configFile, ...args]);
      expect([args.join(" "), run.code], describeHostsRun(run)).toEqual([args.join(" "), code]);
      expect(run.stderr).toMatch(message);
    }
    expect((await statusNodes()).map((n) => n.version)).toEqual(Array(5).fill("v1.36.1"));
  }, 300_000);

  it("kx upgrade --dry-run plans each node, kubeadm upgrade apply on master-a only, and changes nothing", async () => {
    const run = await w.kx(["--output", "json", "upgrade", "-f", w.configFile, "--to", "1.37.1", "--dry-run"]);
    expect(run.code, describeHostsRun(run)).toBe(0);
    const planned = Object.fromEntries(eventsOfType(run.stdout, "step-planned").map((e) => [e.id, e.changes.map((c: any) => c.detail).join("; ")]));
    expect(planned["upgrade/preflight"]).toMatch(/v1\.36\.1 → v1\.37\.1: 5 of 5 nodes to upgrade/);
    expect(planned["upgrade/control-plane:master-a"]).toMatch(/^kubeadm upgrade apply, drain, kubeadm v1\.36\.1 → v1\.37\.1, kubeadm upgrade apply v1\.37\.1, kubelet v1\.36\.1 → v1\.37\.1$/);
    for (const node of ["control-plane:master-b", "control-plane:master-c", "worker:worker-a", "worker:spare"]) expect(planned[`upgrade/${node}`]).toMatch(/^kubeadm upgrade node, drain/);
    expect(execStatus(w.hosts["master-a"]!, "kubeadm version -o short")).toMatch(/^v1\.36\.1/);
  }, 180_000);

  it("kx upgrade killed while master-b is cordoned for its drain: kx status shows where it stopped", async () => {
    w.hosts["master-a"]!.exec(`kubectl --kubeconfig ${ADMIN_CONF} cordon spare`);
    const cordoned = (node: string) => JSON.parse(w.hosts["master-a"]!.exec(`kubectl --kubeconfig ${ADMIN_CONF} get node ${node} -o json`)).spec?.unschedulable === true;
    const drainingB = (stdout: string) => progressOf(stdout, "upgrade/control-plane:master-b", "master-b").some((e) => e.message === "drain") && cordoned("master-b");
    const killed = await killWhen(w, ["upgrade", "-f", w.configFile, "--to", "1.37.1", "--yes"], drainingB, "master-b was cordoned for its drain", 600_000);
    expect(killed.signal).toBe("SIGKILL");
    expect(upgradedInOrder(killed)).toEqual(["upgrade/control-plane:master-a"]);
    // master-b's kubelet may have been restarted in the moment before the kill: its version is either.
    expect((await statusNodes()).map((n) => [n.name, n.version, n.cordoned])).toEqual([
      ["master-a", "v1.37.1", false],
      ["master-b", expect.stringMatching(/^v1\.3[67]\.1$/), true],
      ["master-c", "v1.36.1", false],
      ["spare", "v1.36.1", true],
      ["worker-a", "v1.36.1", false],
    ]);
    const text = await w.kx(["status", "-f", w.configFile]);
    expect(text.stdout).toMatch(/master-b\s+control-plane\s+Ready,SchedulingDisabled/);
    expect(text.stdout).toMatch(/nodes run v1\.3[67]\.1 and v1\.3[67]\.1: an upgrade has not finished \(kx upgrade continues it\)/);
  }, 660_000);

  it("run again, kx upgrade continues at master-b one node at a time (master-a not again), and keeps the operator's cordon on spare", async () => {
    const run = await w.kx(["--output", "json", "upgrade", "-f", w.configFile, "--to", "1.37.1", "--yes"], 600_000);
    expect(run.code, describeHostsRun(run)).toBe(0);
    expect(upgradedInOrder(run)).toEqual(["control-plane:master-b", "control-plane:master-c", "worker:worker-a", "worker:spare"].map((s) => `upgrade/${s}`));
    expect((await statusNodes()).map((n) => [n.name, n.version, n.ready, n.cordoned])).toEqual([
      ...MASTERS.map((m) => [m, "v1.37.1", true, false]),
      ["spare", "v1.37.1", true, true],
      ["worker-a", "v1.37.1", true, false],
    ]);
    expect(execStatus(w.hosts["master-b"]!, `kubectl --kubeconfig ${ADMIN_CONF} version`)).toMatch(/Server Version: v1\.37\.1/);
    expect((parse(readFileSync(join(w.stateDir, "config.yaml"), "utf8")) as any).kubernetes.version).toBe("1.37.1");
    expect(eventsOfType(run.stdout, "message").map((e) => e.message)).toContainEqual(expect.stringMatching(/set kubernetes.version: 1\.37\.1 in .* too/));
  }, 660_000);

  it("kx upgrade run again finds every node done and touches none", async () => {
    const again = await w.kx(["--output", "json", "upgrade", "-f", w.configFile, "--to", "1.37.1", "--yes"]);
    expect(again.code, describeHostsRun(again)).toBe(0);
    const applied = eventsOfType(again.stdout, "step-finished").filter((e) => e.changes.length > 0);
    expect(applied.map((e) => e.id)).toEqual([]);
  }, 180_000);

  it("kx kubeconfig --write writes a 0600 file with context kx-<cluster> and prints no key", async () => {
    const file = join(w.dir, "kc");
    const run = await w.kx(["kubeconfig", "-f", w.configFile, "--write", file]);
    expect(run.code, describeHostsRun(run)).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kc = parse(readFileSync(file, "utf8")) as any;
    expect(kc["current-context"]).toBe(`kx-${HOSTS_CLUSTER}`);
    expect(kc.contexts.map((c: any) => c.name)).toEqual([`kx-${HOSTS_CLUSTER}`]);
    const key = kc.users[0].user["client-key-data"] as string;
    expect(key.length).toBeGreaterThan(40);
    expect(run.stdout + run.stderr).not.toContain("client-key-data");
    expect(run.stdout + run.stderr).not.toContain(key.slice(0, 40));
  });

  it("kx destroy resets every host: no Kubernetes left, kubelet stopped, etcd stopped and its data removed", async () => {
    const run = await w.kx(["destroy", "-f", w.configFile, "--yes"]);
    expect(run.code, describeHostsRun(run)).toBe(0);
    for (const name of [...MASTERS, "worker-a", "spare"]) {
      const h = w.hosts[name]!;
      expect([name, existsSync(h.pathOnHost(ADMIN_CONF)), existsSync(h.pathOnHost("/etc/kubernetes/kubelet.conf"))]).toEqual([name, false, false]);
      expect([name, execStatus(h, "systemctl is-active kubelet")]).not.toEqual([name, expect.stringMatching(/^active/)]);
    }
    const etcd = w.hosts["etcd-a"]!;
    expect(execStatus(etcd, "systemctl is-active etcd")).not.toMatch(/^active/);
    expect(existsSync(etcd.pathOnHost("/var/lib/etcd/member"))).toBe(false);
  });

  it("printed and logged no key or token in any of these commands", () => {
    const secrets = join(w.stateDir, "secrets");
    const token = readFileSync(join(secrets, "join/token"), "utf8").trim();
    const caKeyBody = readFileSync(join(secrets, "pki/ca.key"), "utf8").split("\n")[1]!;
    expect(w.transcripts.length).toBeGreaterThanOrEqual(16);
    expect(secretLeaks(w, [token, caKeyBody])).toEqual([]);
  });
});
