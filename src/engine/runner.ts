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
import type { RunnerEventListener, StepOutcome } from "./events.js";
import { selectSteps, validateGraph } from "./graph.js";
import { RunFailedError, RunInterruptedError } from "./run-errors.js";
import type { RunResult, StepResult } from "./run-result.js";
import { RunState, type StateData } from "./run-state.js";
import { runStep } from "./run-step.js";
import { scheduleDag } from "./scheduler.js";
import { newStateDoc, type StateDoc } from "./state-doc.js";
import type { StateStore } from "./state-store.js";
import type { EngineContext, Outputs, Step, StepLog } from "./types.js";

export type { StateData } from "./run-state.js";

/** What the runner gives `makeContext` for each step; the workflow adds its own members. */
export interface EngineServices {
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  outputs(stepId: string): Outputs | undefined;
  readonly log: StepLog;
  /** StateDoc.data (host keys, certificate fingerprints, ...); await `set`. */
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
  /** Steps planned again even when done with the same inputs (their plan looks at the world afresh). */
  replan?: (stepId: string) => boolean;
  /** Must not throw. */
  onEvent?: RunnerEventListener;
}

export const DEFAULT_CONCURRENCY = 8;

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
  const run = new RunState(doc, dryRun, signal, emit, options.store, steps, options.replan);

  emit({
    type: "run-started",
    dryRun,
    steps: steps.map((s) => ({ id: s.id, title: s.title, needs: [...s.needs], selected: selected.has(s.id) })),
  });
  for (const step of steps) {
    if (selected.has(step.id)) continue;
    run.result(step.id).outcome = "not-selected";
    emit({ type: "step-skipped", id: step.id, reason: "not selected" });
  }

  const { fatal } = await scheduleDag(
    steps.filter((s) => selected.has(s.id)),
    {
      concurrency,
      stopped: () => signal.aborted,
      run: (step) => runStep(step, run, options.makeContext),
      onBlocked: (step, blockedBy) => {
        Object.assign(run.result(step.id), { outcome: "blocked", blockedBy });
        emit({ type: "step-skipped", id: step.id, reason: "blocked", blockedBy });
      },
    },
  );

  const results = [...run.results.values()];
  const counts = countOutcomes(results);
  const durationMs = Math.round(performance.now() - started);
  const result: RunResult = { dryRun, durationMs, steps: results, counts, state: doc, ...(dryRun ? { plan: run.plan } : {}) };
  emit({ type: "run-finished", durationMs, dryRun, counts });
  if (fatal !== undefined) throw fatal; // saving the state failed, or an event listener threw
  if (signal.aborted) throw new RunInterruptedError(result);
  if (run.failed.length > 0) {
    const order = new Map(steps.map((s, i) => [s.id, i]));
    throw new RunFailedError(run.failed.sort((a, b) => order.get(a.id)! - order.get(b.id)!), result);
  }
  return result;
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
