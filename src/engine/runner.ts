/**
 * The DAG runner. Validates the graph and the --only/--skip selection before anything
 * runs, then runs ready steps concurrently (up to `concurrency`): a step done in an
 * earlier run with the same inputs is skipped; the others are planned and, unless dry
 * run, applied. Each step's record is saved as it starts and finishes. A failed step
 * stops its dependents while independent steps finish; an abort starts nothing new,
 * lets the steps in flight end, saves, and throws RunInterruptedError.
 */
import { performance } from "node:perf_hooks";
import { KxError, UsageError } from "./errors.js";
import type { RunnerEvent, RunnerEventListener, StepOutcome } from "./events.js";
import { selectSteps, validateGraph } from "./graph.js";
import { RunFailedError, RunInterruptedError, type FailedStep } from "./run-errors.js";
import type { PlannedStep, RunResult, StepResult } from "./run-result.js";
import { SaveQueue } from "./save-queue.js";
import { redact } from "./secret.js";
import { sha256Hex, stableStringify } from "./stable-json.js";
import { getStateData, newStateDoc, setStateData, type StateDataKey, type StateDoc } from "./state-doc.js";
import type { StateStore } from "./state-store.js";
import { makeStepLog } from "./step-log.js";
import type { EngineContext, JsonValue, Outputs, Step, StepLog } from "./types.js";

/** Read and write access to `StateDoc.data`; a write is saved with the next save (never in a dry run). */
export interface StateData {
  get<T extends JsonValue>(key: StateDataKey<T>): T | undefined;
  set<T extends JsonValue>(key: StateDataKey<T>, value: T | undefined): Promise<void>;
}

/** What the runner gives `makeContext` for each step; the workflow adds its own members. */
export interface EngineServices {
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  outputs(stepId: string): Outputs | undefined;
  readonly log: StepLog;
  readonly data: StateData;
}

export interface RunOptions<C extends EngineContext> {
  steps: readonly Step<C>[];
  store: StateStore;
  cluster: string;
  kxVersion: string;
  makeContext(step: Step<C>, engine: EngineServices): C;
  /** The state, if the caller loaded it already; otherwise it is loaded from the store. */
  state?: StateDoc;
  dryRun?: boolean;
  /** Steps running at once; default 8. */
  concurrency?: number;
  signal?: AbortSignal;
  /** --only / --skip prefixes; each value may hold several, comma-separated. */
  only?: string | readonly string[];
  skip?: string | readonly string[];
  /** Must not throw. */
  onEvent?: RunnerEventListener;
}

export const DEFAULT_CONCURRENCY = 8;

type Finish = "ok" | "bad";

export async function runSteps<C extends EngineContext>(options: RunOptions<C>): Promise<RunResult> {
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  const signal = options.signal ?? new AbortController().signal;
  const emit: RunnerEventListener = options.onEvent ?? (() => undefined);
  const steps = options.steps;

  validateGraph(steps);
  const loaded = options.state ?? (await options.store.load()) ?? newStateDoc(options.cluster, options.kxVersion);
  if (loaded.cluster !== options.cluster) {
    throw new KxError(`the state in ${options.store.location} belongs to cluster "${loaded.cluster}", not "${options.cluster}"`, {
      source: "user",
      hint: "Use the state directory of this cluster (--state-dir), or check the name in the config.",
    });
  }
  // A dry run works on a copy: nothing it does may reach the caller's state or the store.
  const doc = dryRun ? structuredClone(loaded) : loaded;
  doc.kxVersion = options.kxVersion;
  const selected = selectSteps(steps, { only: options.only, skip: options.skip }, (id) => doc.steps[id]?.status === "done");

  const saves = new SaveQueue(options.store, doc);
  const save = () => (dryRun ? Promise.resolve() : saves.request());
  const results = new Map<string, StepResult>(steps.map((s) => [s.id, { id: s.id, title: s.title, outcome: "not-run" }]));
  const finished = new Map<string, Finish>();
  const runOutputs = new Map<string, Outputs>();
  const plannedOnly = new Set<string>();
  const plan: PlannedStep[] = [];
  const failed: FailedStep[] = [];
  let fatal: unknown;

  const outputs = (id: string): Outputs | undefined => {
    if (plannedOnly.has(id)) return undefined;
    const record = doc.steps[id];
    return runOutputs.get(id) ?? (record?.status === "done" ? record.outputs : undefined);
  };
  const data: StateData = {
    get: (key) => getStateData(doc, key),
    set: (key, value) => {
      setStateData(doc, key, value);
      return save();
    },
  };

  emit({
    type: "run-started",
    dryRun,
    steps: steps.map((s) => ({ id: s.id, title: s.title, needs: [...s.needs], selected: selected.has(s.id) })),
  });
  for (const step of steps) {
    if (selected.has(step.id)) continue;
    results.get(step.id)!.outcome = "not-selected";
    emit({ type: "step-skipped", id: step.id, reason: "not selected" });
  }

  const runOne = async (step: Step<C>): Promise<Finish> => {
    const result = results.get(step.id)!;
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    const previous = doc.steps[step.id];
    let inputsHash: string | undefined;
    try {
      const ctx = options.makeContext(step, { dryRun, signal, outputs, log: makeStepLog(step.id, emit), data });
      inputsHash = sha256Hex(
        stableStringify({
          inputs: step.inputs?.(ctx) ?? null,
          needs: Object.fromEntries(step.needs.map((n) => [n, outputs(n) ?? null])),
        }),
      );
      if (previous?.status === "done" && previous.inputsHash === inputsHash) {
        result.outcome = "skipped";
        result.outputs = previous.outputs;
        emit({ type: "step-skipped", id: step.id, reason: "done" });
        return "ok";
      }
      emit({ type: "step-started", id: step.id, title: step.title });
      const startedAt = new Date().toISOString();
      if (!dryRun) {
        doc.steps[step.id] = { status: "running", startedAt };
        await save();
      }
      const changes = await step.plan(ctx);
      result.changes = changes;
      emit({ type: "step-planned", id: step.id, changes });
      if (dryRun) {
        plannedOnly.add(step.id);
        plan.push({ id: step.id, title: step.title, changes });
        result.outcome = "planned";
      } else {
        const out = await step.apply(ctx, changes);
        if (typeof out !== "object" || out === null || Array.isArray(out)) {
          throw new KxError(`apply returned ${JSON.stringify(out)} instead of an outputs object`);
        }
        doc.steps[step.id] = { status: "done", inputsHash, outputs: out, startedAt, finishedAt: new Date().toISOString() };
        await save();
        runOutputs.set(step.id, out);
        result.outcome = "done";
        result.outputs = out;
      }
      result.durationMs = elapsed();
      emit({ type: "step-finished", id: step.id, durationMs: result.durationMs, changes });
      return "ok";
    } catch (error) {
      const message = redact(error instanceof Error ? error.message : String(error));
      const interrupted = signal.aborted;
      result.outcome = interrupted ? "interrupted" : "failed";
      result.error = message;
      result.durationMs = elapsed();
      if (!dryRun) {
        doc.steps[step.id] = {
          status: interrupted ? "interrupted" : "failed",
          startedAt: doc.steps[step.id]?.startedAt,
          finishedAt: new Date().toISOString(),
          error: message,
        };
        await save();
      }
      if (interrupted) emit({ type: "step-interrupted", id: step.id, durationMs: result.durationMs });
      else {
        failed.push({ id: step.id, cause: error });
        emit({ type: "step-failed", id: step.id, durationMs: result.durationMs, error: message, cause: error });
      }
      return "bad";
    }
  };

  await new Promise<void>((resolve) => {
    const waiting = steps.filter((s) => selected.has(s.id));
    let running = 0;
    const pump = () => {
      // After an abort the steps left are "not-run", not blocked: nothing of theirs failed.
      if (!signal.aborted) blockDependentsOfFailures(waiting, finished, results, emit);
      for (let i = 0; i < waiting.length && running < concurrency && !signal.aborted && fatal === undefined; ) {
        const step = waiting[i]!;
        const ready = step.needs.every((n) => !selected.has(n) || finished.get(n) === "ok");
        if (!ready) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        running++;
        runOne(step)
          .then(
            (how) => finished.set(step.id, how),
            (error: unknown) => {
              fatal ??= error; // saving the state failed, or a listener threw
              finished.set(step.id, "bad");
            },
          )
          .finally(() => {
            running--;
            pump();
          });
      }
      if (running === 0) resolve();
    };
    pump();
  });

  const counts = countOutcomes([...results.values()]);
  const durationMs = Math.round(performance.now() - started);
  const result: RunResult = { dryRun, durationMs, steps: [...results.values()], counts, state: doc, ...(dryRun ? { plan } : {}) };
  emit({ type: "run-finished", durationMs, dryRun, counts });
  if (fatal !== undefined) throw fatal;
  if (signal.aborted) throw new RunInterruptedError(result);
  if (failed.length > 0) {
    const order = new Map(steps.map((s, i) => [s.id, i]));
    throw new RunFailedError(failed.sort((a, b) => order.get(a.id)! - order.get(b.id)!), result);
  }
  return result;
}

/** Marks every waiting step whose need ended badly (transitively), and removes it from the queue. */
function blockDependentsOfFailures(
  waiting: { id: string; needs: readonly string[] }[],
  finished: Map<string, Finish>,
  results: Map<string, StepResult>,
  emit: (e: RunnerEvent) => void,
): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < waiting.length; i++) {
      const step = waiting[i]!;
      const blockedBy = step.needs.filter((n) => finished.get(n) === "bad");
      if (blockedBy.length === 0) continue;
      waiting.splice(i--, 1);
      finished.set(step.id, "bad");
      const result = results.get(step.id)!;
      result.outcome = "blocked";
      result.blockedBy = blockedBy;
      emit({ type: "step-skipped", id: step.id, reason: "blocked", blockedBy });
      changed = true;
    }
  }
}

function countOutcomes(results: StepResult[]): Record<StepOutcome, number> {
  const counts: Record<StepOutcome, number> = {
    done: 0,
    skipped: 0,
    planned: 0,
    failed: 0,
    interrupted: 0,
    "not-selected": 0,
    blocked: 0,
    "not-run": 0,
  };
  for (const r of results) counts[r.outcome]++;
  return counts;
}
