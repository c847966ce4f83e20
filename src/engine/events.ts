/**
 * Everything the runner does is reported as an event; the UI (listr2, plain lines,
 * `--output json`) renders them. Events carry no secrets: messages are redacted before
 * they are emitted.
 */
import type { Change } from "./types.js";

export type LogLevel = "debug" | "info" | "warn";

/** Why a step did not run: finished earlier with the same inputs, left out by --only/--skip, or a need failed. */
export type SkipReason = "done" | "not selected" | "blocked";

/** How each step ended, counted in `run-finished`. */
export type StepOutcome =
  | "done" // applied in this run
  | "skipped" // done in an earlier run with the same inputs
  | "planned" // dry-run
  | "failed"
  | "interrupted" // was running when the run was interrupted
  | "not-selected" // left out by --only/--skip
  | "blocked" // a need failed
  | "not-run"; // never started because the run was interrupted or stopped

export interface RunStartedEvent {
  type: "run-started";
  dryRun: boolean;
  steps: { id: string; title: string; needs: string[]; selected: boolean }[];
}
export interface StepStartedEvent {
  type: "step-started";
  id: string;
  title: string;
}
export interface StepSkippedEvent {
  type: "step-skipped";
  id: string;
  reason: SkipReason;
  /** For "blocked": the needs that failed or were blocked themselves. */
  blockedBy?: string[];
}
export interface StepPlannedEvent {
  type: "step-planned";
  id: string;
  changes: Change[];
}
export interface StepFinishedEvent {
  type: "step-finished";
  id: string;
  durationMs: number;
  /** What apply was given; empty when the resource already existed. In dry-run, what would be done. */
  changes: Change[];
}
export interface StepFailedEvent {
  type: "step-failed";
  id: string;
  durationMs: number;
  /** The redacted message. */
  error: string;
  /**
   * The original error, for --verbose stacks. Not enumerable, so JSON.stringify(event)
   * leaves it out; redact anything taken from it.
   */
  readonly cause?: unknown;
}
export interface StepInterruptedEvent {
  type: "step-interrupted";
  id: string;
  durationMs: number;
}
export interface StepLogEvent {
  type: "step-log";
  id: string;
  level: LogLevel;
  message: string;
}
export interface StepProgressEvent {
  type: "step-progress";
  id: string;
  subtask: string;
  message: string;
}
export interface RunFinishedEvent {
  type: "run-finished";
  durationMs: number;
  dryRun: boolean;
  counts: Record<StepOutcome, number>;
}

export type RunnerEvent =
  | RunStartedEvent
  | StepStartedEvent
  | StepSkippedEvent
  | StepPlannedEvent
  | StepFinishedEvent
  | StepFailedEvent
  | StepInterruptedEvent
  | StepLogEvent
  | StepProgressEvent
  | RunFinishedEvent;

export type RunnerEventListener = (event: RunnerEvent) => void;
