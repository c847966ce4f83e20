/**
 * One step of a run: skip it when done with the same inputs; otherwise plan it and,
 * unless dry run, apply it; record how it ended in the state and in its result.
 */
import { performance } from "node:perf_hooks";
import { KxError } from "./errors.js";
import type { RunnerEvent } from "./events.js";
import type { RunState } from "./run-state.js";
import type { EngineServices } from "./runner.js";
import type { Finish } from "./scheduler.js";
import { redact } from "./secret.js";
import { sha256Hex, stableStringify } from "./stable-json.js";
import { makeStepLog } from "./step-log.js";
import type { EngineContext, Outputs, Step } from "./types.js";

export async function runStep<C extends EngineContext>(
  step: Step<C>,
  run: RunState,
  makeContext: (step: Step<C>, engine: EngineServices) => C,
): Promise<Finish> {
  const { doc, dryRun, signal, emit } = run;
  const result = run.result(step.id);
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  try {
    const ctx = makeContext(step, { dryRun, signal, outputs: run.outputs, log: makeStepLog(step.id, emit), data: run.data });
    const inputsHash = hashInputs(step, ctx, run.outputs);
    const previous = doc.steps[step.id];
    if (previous?.status === "done" && previous.inputsHash === inputsHash && !run.replan(step.id)) {
      result.outcome = "skipped";
      result.outputs = previous.outputs;
      emit({ type: "step-skipped", id: step.id, reason: "done" });
      return "ok";
    }

    emit({ type: "step-started", id: step.id, title: step.title });
    const startedAt = new Date().toISOString();
    if (!dryRun) {
      doc.steps[step.id] = { status: "running", startedAt };
      await run.save();
    }
    const changes = await step.plan(ctx);
    result.changes = changes;
    emit({ type: "step-planned", id: step.id, changes });
    if (dryRun) {
      run.plannedOnly.add(step.id);
      run.plan.push({ id: step.id, title: step.title, changes });
      result.outcome = "planned";
    } else {
      const outputs = checkOutputs(await step.apply(ctx, changes));
      doc.steps[step.id] = { status: "done", inputsHash, outputs, startedAt, finishedAt: new Date().toISOString() };
      await run.save();
      run.applied.set(step.id, outputs);
      result.outcome = "done";
      result.outputs = outputs;
    }
    result.durationMs = elapsed();
    emit({ type: "step-finished", id: step.id, durationMs: result.durationMs, changes });
    return "ok";
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    // An error after an abort is the step giving up, not failing.
    const interrupted = signal.aborted;
    result.outcome = interrupted ? "interrupted" : "failed";
    result.error = message;
    result.durationMs = elapsed();
    if (!dryRun) {
      doc.steps[step.id] = {
        status: result.outcome,
        startedAt: doc.steps[step.id]?.startedAt,
        finishedAt: new Date().toISOString(),
        error: message,
      };
      await run.save();
    }
    if (interrupted) emit({ type: "step-interrupted", id: step.id, durationMs: result.durationMs });
    else {
      run.failed.push({ id: step.id, cause: error });
      const event: RunnerEvent = { type: "step-failed", id: step.id, durationMs: result.durationMs, error: message };
      // Not enumerable: a JSON event stream must never carry the raw error (stderr tails, SDK dumps).
      Object.defineProperty(event, "cause", { value: error, enumerable: false });
      emit(event);
    }
    return "bad";
  }
}

/** sha256 of the step's inputs and the outputs of its needs, as stable JSON. */
function hashInputs<C extends EngineContext>(step: Step<C>, ctx: C, outputs: (id: string) => Outputs | undefined): string {
  return sha256Hex(
    stableStringify({
      inputs: step.inputs?.(ctx) ?? null,
      needs: Object.fromEntries(step.needs.map((n) => [n, outputs(n) ?? null])),
    }),
  );
}

function checkOutputs(value: unknown): Outputs {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new KxError(`apply returned ${JSON.stringify(value)} instead of an outputs object`);
  }
  return value as Outputs;
}
