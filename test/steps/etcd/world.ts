/**
 * The etcd tests' world: three test hosts behind a bastion test host, a `hosts:` config
 * naming them (the members' addresses resolve only through the bastion), the real pki
 * steps and a local secret store, and a KxContext over a fresh SSH pool per "run".
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterSchema, type ClusterConfig } from "../../../src/config/schema.js";
import type { AwsClients } from "../../../src/aws/clients.js";
import type { Change, Outputs, Step } from "../../../src/engine/types.js";
import { LocalSecretStore } from "../../../src/secrets/local-store.js";
import { recordHostKeyStore } from "../../../src/ssh/host-keys.js";
import { createSshPool, type KxSshPool, type SshPoolOptions } from "../../../src/ssh/pool.js";
import type { KxContext } from "../../../src/steps/context.js";
import { etcdSteps } from "../../../src/steps/etcd/index.js";
import { hostsInventory } from "../../../src/steps/inventory-hosts.js";
import { pkiSteps } from "../../../src/steps/pki/index.js";
import { startTestHosts } from "../../harness/hosts/index.js";

export type TestHosts = Awaited<ReturnType<typeof startTestHosts>>;

export const MEMBERS = ["etcd-a", "etcd-b", "etcd-c"];

export async function startWorld() {
  const cloud = await startTestHosts({ count: 3, bastion: true, names: MEMBERS });
  const stateDir = mkdtempSync(join(tmpdir(), "kx-etcd-state-"));
  const bastion = cloud.bastion!;
  const config: ClusterConfig = clusterSchema.parse({
    apiVersion: "kx.dev/v1alpha1",
    kind: "Cluster",
    name: "lab",
    ssh: { user: "root", privateKeyFile: cloud.clientKeyFile, bastion: { enabled: false } },
    addons: { cloudController: { enabled: false }, ebsCsi: { enabled: false } },
    hosts: [
      { name: "bastion", address: bastion.address, roles: ["bastion"] },
      // A hosts: cluster needs a control plane; etcd-a doubles as it (the etcd steps never look).
      ...cloud.hosts.map((h, i) => ({ name: h.name, address: h.dnsName, privateAddress: h.address, roles: i === 0 ? ["etcd", "control-plane"] : ["etcd"] })),
    ],
  });
  /** The state's data.hostKeys: pinned on first contact, kept across runs. */
  const hostKeys = recordHostKeyStore({});
  const secrets = new LocalSecretStore(stateDir);
  return {
    cloud,
    config,
    hostKeys,
    secrets,
    stateDir,
    steps: { pki: pkiSteps(config), etcd: etcdSteps(config, { healthTimeoutMs: 60_000 }) },
    async stop() {
      await cloud.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;

export interface Run {
  ctx: KxContext;
  pool: KxSshPool;
  logLines: string[];
  outputLines: string[];
  outputs: Map<string, Outputs>;
}

/** A new run: a fresh pool (one connection per host), outputs of earlier runs kept if given. */
export function newRun(world: World, options: SshPoolOptions & { outputs?: Map<string, Outputs>; dryRun?: boolean } = {}): Run {
  const logLines: string[] = [];
  const outputLines: string[] = [];
  const outputs = options.outputs ?? new Map<string, Outputs>();
  const pool = createSshPool({
    hostKeys: world.hostKeys,
    connectRetries: 2,
    connectBackoffMs: 100,
    onOutput: (host, line) => outputLines.push(`${host}: ${line}`),
    ...options,
  });
  const notAws: AwsClients = new Proxy({ region: "none", live: false } as AwsClients, {
    get: (target, key) => (key in target ? target[key as keyof AwsClients] : () => Promise.reject(new Error("no AWS in a hosts: cluster"))),
  });
  const ctx: KxContext = {
    config: world.config,
    cluster: world.config.name,
    aws: notAws,
    ssh: pool,
    secrets: world.secrets,
    inventory: hostsInventory(world.config, world.hostKeys),
    stateDir: world.stateDir,
    verbose: true,
    dryRun: options.dryRun ?? false,
    signal: new AbortController().signal,
    outputs: (id) => outputs.get(id),
    log: {
      info: (m) => void logLines.push(`info ${m}`),
      debug: (m) => void logLines.push(`debug ${m}`),
      warn: (m) => void logLines.push(`warn ${m}`),
      progress: (s, m) => void logLines.push(`progress ${s} ${m}`),
    },
  };
  return { ctx, pool, logLines, outputLines, outputs };
}

/** Plans and applies steps, those in one batch at the same time (like the runner's ready set). */
export async function applyBatch(run: Run, steps: Step<KxContext>[]): Promise<Map<string, Change[]>> {
  const plans = new Map<string, Change[]>();
  await Promise.all(
    steps.map(async (step) => {
      const changes = await step.plan(run.ctx);
      plans.set(step.id, changes);
      run.outputs.set(step.id, await step.apply(run.ctx, changes));
    }),
  );
  return plans;
}

/**
 * The whole create: pki in order, then the members, then etcd/cluster. `first` members
 * are applied before the others are even planned: the others then see a peer with data
 * while the cluster has no quorum yet, and must still bootstrap with "new".
 */
export async function createEtcd(world: World, run: Run, first: string[] = []): Promise<Map<string, Change[]>> {
  const plans = new Map<string, Change[]>();
  const record = (batch: Map<string, Change[]>) => batch.forEach((c, id) => plans.set(id, c));
  for (const step of world.steps.pki) record(await applyBatch(run, [step]));
  const members = world.steps.etcd.filter((s) => s.id.startsWith("etcd/member:"));
  const early = (s: Step<KxContext>) => first.some((name) => s.id === `etcd/member:${name}`);
  record(await applyBatch(run, members.filter(early)));
  record(await applyBatch(run, members.filter((s) => !early(s))));
  record(await applyBatch(run, world.steps.etcd.filter((s) => s.id === "etcd/cluster")));
  return plans;
}
