/** A step's StepLog: each line becomes a redacted runner event carrying the step id. */
import type { RunnerEventListener } from "./events.js";
import { redact } from "./secret.js";
import type { StepLog } from "./types.js";

export function makeStepLog(id: string, emit: RunnerEventListener): StepLog {
  const line = (level: "debug" | "info" | "warn") => (message: string) =>
    emit({ type: "step-log", id, level, message: redact(message) });
  return {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    progress: (subtask, message) => emit({ type: "step-progress", id, subtask: redact(subtask), message: redact(message) }),
  };
}
