/** What a run returns: how each step ended and, for a dry run, the plan. */
import type { StepOutcome } from "./events.js";
import type { StateDoc } from "./state-doc.js";
import type { Change, Outputs } from "./types.js";

export interface StepResult {
  id: string;
  title: string;
  outcome: StepOutcome;
  /** The planned changes (applied unless dry run). */
  changes?: Change[];
  outputs?: Outputs;
  /** Redacted message, for failed or interrupted steps. */
  error?: string;
  durationMs?: number;
  /** For "blocked": the needs that did not finish. */
  blockedBy?: string[];
}

export interface PlannedStep {
  id: string;
  title: string;
  changes: Change[];
}

export interface RunResult {
  dryRun: boolean;
  durationMs: number;
  /** In the order of the step list. */
  steps: StepResult[];
  counts: Record<StepOutcome, number>;
  /** Dry run only: every step that was planned, in the order they were planned. */
  plan?: PlannedStep[];
  /** The state after the run (in a dry run: a copy, never saved). */
  state: StateDoc;
}
