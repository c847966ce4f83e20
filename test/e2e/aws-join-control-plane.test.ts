/**
 * `kx join --control-plane N` through the real binary against the fake AWS, after the
 * infrastructure of examples/cluster.yaml was created with its machines mapped to test
 * hosts (real sshd, nothing installed yet): the dry run names the new master (master-d,
 * in the first zone), its kubeadm join and its registration with the API load balancer,
 * and writes nothing to AWS or to the saved config; a bad N is a usage error. (The real
 * join, instance to kubeadm to load balancer, is in the AWS end-to-end test.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error plain JavaScript harness
import { startTestHosts } from "../harness/hosts/index.js";
import { ensureBuilt } from "./support/build.js";
import { describeRun, exampleHosts, startWorld, type World } from "./support/world.js";

interface PlanChange {
  step: string;
  action: string;
  target: string;
  detail?: string;
  host?: string;
}

interface SshHost {
  name: string;
  address: string;
  hostKeys: string[];
}

let t: { hosts: SshHost[]; bastion: SshHost; clientKeyFile: string; stop(): Promise<void>; leftovers(): string[] } | undefined;
let world: World;

beforeAll(async () => {
  await ensureBuilt();
  // The dry run's host steps log in to the machines to see what is done: give the
  // bastion, etcd members and masters real SSH servers (the workers are never reached).
  const names = ["etcd-a", "etcd-b", "etcd-c", "master-a", "master-b", "master-c"];
  t = await startTestHosts({ count: names.length, names, bastion: true });
  world = await startWorld({ config: { "ssh.user": "root", "ssh.privateKeyFile": t!.clientKeyFile } });
  world.fake.setHosts([
    { address: t!.bastion.address, hostKeys: t!.bastion.hostKeys, namePattern: "lab-bastion" },
    ...t!.hosts.map((h) => ({ address: h.address, hostKeys: h.hostKeys, namePattern: h.name })),
    ...exampleHosts().filter((h) => h.namePattern === "lab-worker"),
  ]);
  const run = await world.create();
  expect(run.code, describeRun(run)).toBe(0);
}, 180_000);

afterAll(async () => {
  await world?.close();
  await t?.stop();
  expect(t?.leftovers() ?? []).toEqual([]);
});

const savedConfig = () => parse(readFileSync(join(world.stateDir, "config.yaml"), "utf8")) as { controlPlane: { count: number } };

describe("kx join --control-plane", () => {
  it("--dry-run plans master-d in eu-west-1a, its join and its load balancer target, and writes nothing", async () => {
    const before = world.fake.counts();
    const run = await world.kx(["join", "-f", world.configFile, "--control-plane", "1", "--dry-run", "--output", "json"]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(world.fake.counts().writes).toBe(before.writes);

    const events = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, any>);
    const plan = events.find((e) => e.type === "plan")!;
    expect(plan, run.stdout).toBeDefined();
    const changes: PlanChange[] = plan.areas.flatMap((a: { changes: PlanChange[] }) => a.changes);
    const of = (step: string) => changes.filter((c) => c.step === step);

    expect(of("machines/control-plane:eu-west-1a-2")).toEqual([
      { step: "machines/control-plane:eu-west-1a-2", action: "create", target: "instance master-d", detail: "t3.large in eu-west-1a, 50 GiB gp3 encrypted, IMDSv2 hop limit 2" },
    ]);
    // No other instance: the existing masters, etcd members and bastion stay as they are.
    expect(changes.filter((c) => c.target.startsWith("instance "))).toHaveLength(1);
    expect(of("kubernetes/control-plane-join")).toContainEqual({
      step: "kubernetes/control-plane-join",
      action: "run",
      target: "host master-d",
      host: "master-d",
      detail: "kubeadm join --control-plane, once its instance in eu-west-1a runs",
    });
    expect(of("kubernetes/api-endpoint")).toContainEqual({
      step: "kubernetes/api-endpoint",
      action: "create",
      target: "API target master-d:6443",
      detail: "its private IP, once its instance in eu-west-1a runs",
    });
    expect(of("kubernetes/token-refresh-timer")).toContainEqual({
      step: "kubernetes/token-refresh-timer",
      action: "write",
      target: "host master-d",
      host: "master-d",
      detail: "kx-join-token.timer, once its instance in eu-west-1a runs",
    });
    // The worker group is not part of a control-plane join.
    expect(of("machines/worker-asg")).toEqual([]);
    expect(savedConfig().controlPlane.count).toBe(3);
  }, 120_000);

  it("says the plan in words too: the new master and its zone", async () => {
    const run = await world.kx(["join", "-f", world.configFile, "--control-plane", "1", "--dry-run"]);
    expect(run.code, describeRun(run)).toBe(0);
    const text = run.stdout + run.stderr;
    expect(text).toContain("control plane: 3 → 4 nodes (new: master-d in eu-west-1a)");
    expect(text).toContain("instance master-d");
    expect(text).toContain("API target master-d:6443");
  }, 120_000);

  it.each([
    ["0", 'the flag wants a whole number of nodes to add (1 or more), got "0"'],
    ["two", 'the flag wants a whole number of nodes to add (1 or more), got "two"'],
    ["7", "would make 10 control-plane nodes; kx runs at most 9"],
  ])("--control-plane %s is a usage error (exit 2) naming the flag", async (n, message) => {
    const before = world.fake.counts();
    const run = await world.kx(["join", "-f", world.configFile, "--control-plane", n]);
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toContain("--control-plane");
    expect(run.stderr).toContain(message.replace("the flag", "--control-plane"));
    expect(world.fake.counts().writes).toBe(before.writes);
  }, 60_000);
});
