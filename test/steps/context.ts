/**
 * A KxContext for AWS step tests: real SDK clients (the factory's) pointed at the fake
 * AWS endpoint, a recording log, outputs kept in a map the way the runner keeps them,
 * and `applyAll` / `planAll` that walk a step list in dependency order.
 */
import { clusterSchema, type ClusterConfig, type ClusterConfigInput } from "../../src/config/schema.js";
import type { AwsClients } from "../../src/aws/clients.js";
import { createAwsClients } from "../../src/aws/factory.js";
import type { Change, Outputs, Step } from "../../src/engine/types.js";
import type { SecretStore } from "../../src/secrets/store.js";
import type { SshPool } from "../../src/ssh/types.js";
import type { KxContext } from "../../src/steps/context.js";
import type { Inventory } from "../../src/steps/inventory.js";
import { runSteps } from "../../src/engine/runner.js";
import type { RunResult } from "../../src/engine/run-result.js";
import type { StateDoc } from "../../src/engine/state-doc.js";
import type { StateStore } from "../../src/engine/state-store.js";

/** The example cluster most AWS step tests build. */
export function awsTestConfig(overrides: Partial<ClusterConfigInput> = {}): ClusterConfig {
  return clusterSchema.parse({
    apiVersion: "kx.dev/v1alpha1",
    kind: "Cluster",
    name: "lab",
    region: "eu-west-1",
    dns: { zone: "lab.example.com" },
    ssh: { bastion: { enabled: true, allowedCidrs: ["203.0.113.0/24"] } },
    ...overrides,
  });
}

/** Clients of the fake: static test keys, no retries beyond what a test asks for. */
export async function fakeAwsClients(endpoint: string, options: { maxAttempts?: number; region?: string } = {}): Promise<AwsClients> {
  process.env.AWS_ACCESS_KEY_ID ??= "AKIAFAKETESTKEY00001";
  process.env.AWS_SECRET_ACCESS_KEY ??= "fake-secret-for-tests";
  return createAwsClients({
    region: options.region ?? "eu-west-1",
    live: true,
    endpoint,
    maxAttempts: options.maxAttempts ?? 10,
    retryDelayScale: 0.02,
  });
}

export interface TestContext extends KxContext {
  logLines: string[];
  setOutputs(stepId: string, outputs: Outputs | undefined): void;
  allOutputs(): Map<string, Outputs>;
}

export interface TestContextOptions {
  config?: ClusterConfig;
  aws: AwsClients;
  secrets?: SecretStore;
  ssh?: SshPool;
  inventory?: Inventory;
  signal?: AbortSignal;
  dryRun?: boolean;
  outputs?: Record<string, Outputs>;
}

export function testContext(options: TestContextOptions): TestContext {
  const config = options.config ?? awsTestConfig();
  const outputs = new Map(Object.entries(options.outputs ?? {}));
  const logLines: string[] = [];
  const refuse = (what: string) => () => Promise.reject(new Error(`test context: no ${what} in this test`));
  return {
    config,
    cluster: config.name,
    aws: options.aws,
    ssh: options.ssh ?? { session: refuse("SSH"), close: async () => {} },
    secrets: options.secrets ?? { get: refuse("secrets"), put: refuse("secrets"), list: refuse("secrets"), delete: refuse("secrets") },
    inventory: options.inventory ?? { hosts: refuse("inventory"), bastion: refuse("inventory") },
    stateDir: "/nonexistent",
    verbose: false,
    dryRun: options.dryRun ?? false,
    signal: options.signal ?? new AbortController().signal,
    outputs: (id) => outputs.get(id),
    setOutputs: (id, o) => void (o === undefined ? outputs.delete(id) : outputs.set(id, o)),
    allOutputs: () => outputs,
    logLines,
    log: {
      info: (m) => void logLines.push(`info ${m}`),
      debug: (m) => void logLines.push(`debug ${m}`),
      warn: (m) => void logLines.push(`warn ${m}`),
      progress: (s, m) => void logLines.push(`progress ${s} ${m}`),
    },
  };
}

/** The steps in an order where every need comes first (the runner runs them in parallel; tests need not). */
export function dependencyOrder(steps: readonly Step<KxContext>[]): Step<KxContext>[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const done = new Set<string>();
  const out: Step<KxContext>[] = [];
  const visit = (step: Step<KxContext>) => {
    if (done.has(step.id)) return;
    done.add(step.id);
    for (const need of step.needs) {
      const dep = byId.get(need);
      if (dep) visit(dep);
    }
    out.push(step);
  };
  steps.forEach(visit);
  return out;
}

/** Plans and applies each step in dependency order, recording outputs; returns each step's plan. */
export async function applyAll(ctx: TestContext, steps: readonly Step<KxContext>[]): Promise<Map<string, Change[]>> {
  const plans = new Map<string, Change[]>();
  for (const step of dependencyOrder(steps)) {
    const changes = await step.plan(ctx);
    plans.set(step.id, changes);
    ctx.setOutputs(step.id, await step.apply(ctx, changes));
  }
  return plans;
}

/** Plans every step (outputs as they are now); returns only the non-empty plans. */
export async function planAll(ctx: TestContext, steps: readonly Step<KxContext>[]): Promise<Record<string, Change[]>> {
  const plans: Record<string, Change[]> = {};
  for (const step of dependencyOrder(steps)) {
    const changes = await step.plan(ctx);
    if (changes.length > 0) plans[step.id] = changes;
  }
  return plans;
}

/**
 * Runs the steps through the real engine (parallel, as `kx create` does) with an
 * in-memory state; returns the run result. Pass the previous result's state to resume.
 */
export async function runWithEngine(ctx: TestContext, steps: readonly Step<KxContext>[], state?: StateDoc): Promise<RunResult> {
  let saved: StateDoc | undefined = state;
  const store: StateStore = {
    location: "memory",
    load: async () => (saved ? structuredClone(saved) : undefined),
    save: async (doc) => void (saved = structuredClone(doc)),
    lock: async () => {
      throw new Error("test store: no lock");
    },
  };
  const result = await runSteps<KxContext>({
    steps,
    store,
    cluster: ctx.cluster,
    kxVersion: "test",
    signal: ctx.signal,
    makeContext: (_step, engine) => ({ ...ctx, outputs: engine.outputs, log: engine.log, signal: engine.signal, dryRun: engine.dryRun }),
  });
  for (const step of result.steps) if (step.outputs) ctx.setOutputs(step.id, step.outputs);
  const failed = result.steps.filter((s) => s.outcome === "failed");
  if (failed.length > 0) throw new Error(`steps failed: ${failed.map((s) => `${s.id}: ${s.error}`).join("; ")}`);
  return result;
}
