/**
 * `kx create cluster` then `kx join` on a hosts cluster, through the real commands and
 * engine (state, lock, --only): the second command joins the worker added to the config
 * and touches nothing else.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { run as create } from "../../../src/commands/create.js";
import { run as kxJoin, withMoreWorkers } from "../../../src/commands/join.js";
import { Io } from "../../../src/ui/io.js";
// @ts-expect-error plain JavaScript harness
import { startTestHosts } from "../../harness/hosts/index.js";
// @ts-expect-error plain JavaScript harness
import { installStandins } from "../../harness/standins/index.js";
import { parseConfig } from "../pki/fake-context.js";
import type { TestHost } from "./cluster-fixture.js";

let t: { hosts: TestHost[]; clientKeyFile: string; stop(): Promise<void>; leftovers(): string[] };
let dir: string;
let printed = "";

const io = () =>
  new Io({
    stdout: Object.assign(new Writable({ write: (c, _e, cb) => ((printed += String(c)), cb()) }), { isTTY: false }),
    stderr: new Writable({ write: (c, _e, cb) => ((printed += String(c)), cb()) }),
    env: { CI: "true" },
  });

function config(hosts: TestHost[]) {
  const roles: Record<string, string[]> = { "etcd-a": ["etcd"], "master-a": ["control-plane"], "worker-a": ["worker"] };
  return {
    apiVersion: "kx.dev/v1alpha1",
    kind: "Cluster",
    name: "joinlab",
    hosts: hosts.map((h) => ({ name: h.name, address: h.address, user: "root", keyFile: t.clientKeyFile, hostKey: h.hostKeys[0], roles: roles[h.name] })),
  };
}

beforeAll(async () => {
  t = await startTestHosts({ count: 3, names: ["etcd-a", "master-a", "worker-a"] });
  for (const h of t.hosts) installStandins(h);
  dir = mkdtempSync(join(tmpdir(), "kx-join-"));
}, 60_000);

afterAll(async () => {
  await t?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("kx join on a hosts cluster", () => {
  it("joins the worker added to the config after the create", async () => {
    const file = join(dir, "cluster.yaml");
    const globals = { stateDir: join(dir, "state"), output: "text" as const, verbose: false, color: false };
    writeFileSync(file, stringify(config(t.hosts.slice(0, 2))));
    expect(await create({ file, yes: true }, globals, io())).toBe(0);
    const [, master, worker] = t.hosts as [TestHost, TestHost, TestHost];
    expect(master.exec("kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o name")).toBe("node/master-a\n");

    writeFileSync(file, stringify(config(t.hosts)));
    expect(await kxJoin({ file }, globals, io())).toBe(0);
    expect(master.exec("kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o name").split("\n").filter(Boolean).sort()).toEqual(["node/master-a", "node/worker-a"]);
    expect(worker.exec("cat /var/lib/kubelet/config.yaml")).toContain("cgroupDriver: systemd");
    const state = JSON.parse(readFileSync(join(globals.stateDir, "state.json"), "utf8"));
    expect(state.steps["kubernetes/workers"].status).toBe("done");
    expect(readFileSync(join(globals.stateDir, "state.json"), "utf8")).not.toMatch(/PRIVATE KEY|client-key-data/);
    // Again: nothing left to join.
    expect(await kxJoin({ file }, globals, io())).toBe(0);
  }, 400_000);

  it("--workers grows the AWS worker group and raises max when needed", () => {
    const c = parseConfig({ region: "eu-west-1", workers: { min: 1, desired: 3, max: 4 } });
    expect(withMoreWorkers(c, 2).workers).toMatchObject({ min: 1, desired: 5, max: 5 });
    expect(withMoreWorkers(c, 1).workers).toMatchObject({ desired: 4, max: 4 });
  });
});
