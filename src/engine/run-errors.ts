/** How a run ends when it does not succeed; both carry the run's result for the summary. */
import { InterruptedError, StepError } from "./errors.js";
import type { RunResult } from "./run-result.js";

export interface FailedStep {
  id: string;
  cause: unknown;
}

/** One or more steps failed; the independent ones finished first. */
export class RunFailedError extends StepError {
  readonly failedSteps: string[];
  readonly result: RunResult;
  constructor(failed: FailedStep[], result: RunResult) {
    const [first] = failed;
    super(first!.id, first!.cause);
    this.failedSteps = failed.map((f) => f.id);
    this.result = result;
    if (failed.length > 1) {
      const lines = failed.map((f) => `  - ${f.id}: ${f.cause instanceof Error ? f.cause.message : String(f.cause)}`);
      this.message = `${failed.length} steps failed:\n${lines.join("\n")}`;
    }
  }
}

/** SIGINT/SIGTERM: steps in flight finished or stopped, their state was saved. */
export class RunInterruptedError extends InterruptedError {
  readonly result: RunResult;
  constructor(result: RunResult) {
    super(
      result.dryRun
        ? "interrupted; nothing was changed (dry run)"
        : "interrupted; the state was saved, run the same command again to resume",
    );
    this.result = result;
  }
}
