/**
 * A `hosts:` cluster on test hosts: real sshd per host, the real SSH pool, real etcd
 * formed by the etcd steps, the kubeadm/kubelet/kubectl stand-ins, a local secret store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Outputs, Step } from "../../../src/engine/types.js";
import { LocalSecretStore } from "../../../src/secrets/local-store.js";
import { createSshPool, type KxSshPool } from "../../../src/ssh/pool.js";
import type { KxContext } from "../../../src/steps/context.js";
import { etcdSteps } from "../../../src/steps/etcd/index.js";
import { hostsInventory } from "../../../src/steps/inventory-hosts.js";
import { kubernetesSteps } from "../../../src/steps/kubernetes/index.js";
import { pkiSteps } from "../../../src/steps/pki/index.js";
// @ts-expect-error plain JavaScript harness
import { startTestHosts } from "../../harness/hosts/index.js";
// @ts-expect-error plain JavaScript harness
import { installStandins } from "../../harness/standins/index.js";
import { fakeContext, type FakeContext } from "../pki/fake-context.js";

export interface TestHost {
  name: string;
  address: string;
  hostKeys: string[];
  exec(command: string): string;
  pathOnHost(path: string): string;
}

export const ROLES: Record<string, string[]> = {
  "etcd-a": ["etcd"],
  "master-a": ["control-plane"],
  "master-b": ["control-plane"],
  "master-c": ["control-plane"],
  "worker-a": ["worker"],
  spare: [],
};

export interface ClusterFixture {
  hosts: Record<string, TestHost>;
  ctx: FakeContext;
  pool: KxSshPool;
  store: LocalSecretStore;
  stateDir: string;
  steps: { pki: Step<KxContext>[]; etcd: Step<KxContext>[]; kubernetes: Step<KxContext>[] };
  run(steps: Step<KxContext>[]): Promise<Record<string, Outputs>>;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<ClusterFixture> {
  const names = Object.keys(ROLES);
  const t = await startTestHosts({ count: names.length, names });
  const hosts: Record<string, TestHost> = Object.fromEntries(t.hosts.map((h: TestHost) => [h.name, h]));
  for (const h of t.hosts) installStandins(h);
  const stateDir = mkdtempSync(join(tmpdir(), "kx-k8s-state-"));
  const store = new LocalSecretStore(stateDir);
  const configHosts = names
    .filter((n) => ROLES[n]!.length > 0)
    .map((n) => ({ name: n, address: hosts[n]!.address, user: "root", keyFile: t.clientKeyFile, hostKey: hosts[n]!.hostKeys[0], roles: ROLES[n] }));
  const pool = createSshPool({ connectRetries: 2, connectBackoffMs: 200 });
  const base = fakeContext({ config: { hosts: configHosts }, secrets: store, stateDir });
  const ctx = fakeContext({
    config: { hosts: configHosts },
    secrets: store,
    stateDir,
    ssh: pool,
    inventory: hostsInventory(base.config, { get: () => undefined, pin: () => {} }),
  });
  const steps = {
    pki: pkiSteps(ctx.config),
    etcd: etcdSteps(ctx.config, { localEndpoint: "private-ip", healthTimeoutMs: 120_000 }),
    kubernetes: kubernetesSteps(ctx.config, { apiTimeoutMs: 120_000 }),
  };
  const run = async (list: Step<KxContext>[]) => {
    const outputs: Record<string, Outputs> = {};
    for (const step of list) {
      const changes = await step.plan(ctx);
      outputs[step.id] = await step.apply(ctx, changes);
      ctx.setOutputs(step.id, outputs[step.id]!);
    }
    return outputs;
  };
  return {
    hosts,
    ctx,
    pool,
    store,
    stateDir,
    steps,
    run,
    async stop() {
      await pool.close();
      await t.stop();
      rmSync(stateDir, { recursive: true, force: true });
      const left = t.leftovers();
      if (left.length) throw new Error(`test hosts left behind:\n${left.join("\n")}`);
    },
  };
}

/** Runs a command on a test host that must fail; returns what it printed (stdout and stderr). */
export function failingExec(host: TestHost, command: string): string {
  try {
    host.exec(command);
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}`;
  }
  throw new Error(`expected "${command}" to fail on ${host.name}`);
}
