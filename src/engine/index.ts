/** The engine's public API, for commands and workflows. Imports only Node built-ins. */
export * from "./types.js";
export * from "./errors.js";
export * from "./events.js";
export { validateGraph, selectSteps, parsePrefixes, findCycle, type Selection, type GraphNode } from "./graph.js";
export * from "./state.js";
export { acquireLock, forceUnlock, readLock, LockHeldError, type LockInfo, type LockOwner, type StateLock } from "./lock.js";
export { runSteps, DEFAULT_CONCURRENCY, type RunOptions, type EngineServices, type StateData } from "./runner.js";
export type { RunResult, StepResult, PlannedStep } from "./run-result.js";
export { RunFailedError, RunInterruptedError } from "./run-errors.js";
export { buildPlanReport, renderPlanReport, areaOf, type PlanReport, type PlanReportOptions } from "./plan-report.js";
export { watchInterrupts, type InterruptWatch, type InterruptOptions } from "./signals.js";
