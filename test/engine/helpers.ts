/** Test steps and an in-memory state store for the engine's tests. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LockInfo, LockOwner, StateLock } from "../../src/engine/lock.js";
import { runSteps, type EngineServices, type RunOptions } from "../../src/engine/runner.js";
import type { StateDoc, StateStore } from "../../src/engine/state.js";
import type { RunnerEvent } from "../../src/engine/events.js";
import type { Change, EngineContext, Outputs, Step } from "../../src/engine/types.js";

export class MemoryStateStore implements StateStore {
  readonly location = "memory";
  doc: StateDoc | undefined;
  saves = 0;
  concurrentSaves = 0;
  maxConcurrentSaves = 0;
  async load(): Promise<StateDoc | undefined> {
    return this.doc === undefined ? undefined : structuredClone(this.doc);
  }
  async save(doc: StateDoc): Promise<void> {
    this.concurrentSaves++;
    this.maxConcurrentSaves = Math.max(this.maxConcurrentSaves, this.concurrentSaves);
    await new Promise((r) => setImmediate(r));
    this.doc = JSON.parse(JSON.stringify(doc)) as StateDoc;
    this.saves++;
    this.concurrentSaves--;
  }
  async lock(owner: LockOwner): Promise<StateLock> {
    return { info: { pid: process.pid, host: "test", since: "now", command: owner.command }, release: async () => undefined };
  }
  async forceUnlock(): Promise<LockInfo | undefined> {
    return undefined;
  }
}

export interface TestStepOptions {
  needs?: string[];
  inputs?: (ctx: EngineContext) => unknown;
  plan?: (ctx: EngineContext) => Promise<Change[]>;
  apply?: (ctx: EngineContext, changes: Change[]) => Promise<Outputs>;
}

/** A step whose calls are recorded in `calls` as "plan:id" / "apply:id". */
export function testStep(id: string, calls: string[], options: TestStepOptions = {}): Step {
  return {
    id,
    title: `the ${id} step`,
    needs: options.needs ?? [],
    inputs: options.inputs,
    plan: async (ctx) => {
      calls.push(`plan:${id}`);
      return options.plan ? options.plan(ctx) : [{ action: "create", target: id }];
    },
    apply: async (ctx, changes) => {
      calls.push(`apply:${id}`);
      return options.apply ? options.apply(ctx, changes) : { id };
    },
  };
}

/** runSteps with a plain EngineContext and every event recorded. */
export async function run(
  steps: Step[],
  store: StateStore,
  extra: Partial<RunOptions<EngineContext>> = {},
): Promise<{ events: RunnerEvent[]; result: Awaited<ReturnType<typeof runSteps>> }> {
  const events: RunnerEvent[] = [];
  const result = await runSteps<EngineContext>({
    steps,
    store,
    cluster: "lab",
    kxVersion: "0.0.0-test",
    makeContext: (_step, engine: EngineServices) => engine,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { events, result };
}

/** Runs and returns the rejection (fails the test if the run succeeds). */
export async function runExpectingError(
  steps: Step[],
  store: StateStore,
  extra: Partial<RunOptions<EngineContext>> = {},
): Promise<{ error: unknown; events: RunnerEvent[] }> {
  const events: RunnerEvent[] = [];
  try {
    await run(steps, store, { ...extra, onEvent: (e) => events.push(e) });
  } catch (error) {
    return { error, events };
  }
  throw new Error("expected the run to fail");
}

export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "kx-engine-"));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A promise with its resolve exposed, to hold a step open until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
