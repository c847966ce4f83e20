/**
 * The Step contract (see DESIGN.md). The engine knows nothing of AWS, SSH or any
 * particular step: a step is an id, the ids it needs, a plan that reads the world and
 * says what it would do, and an apply that does exactly that.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** What a step hands to the steps that need it: ids, addresses, names. Never a secret. */
export type Outputs = Record<string, JsonValue>;

export type ChangeAction = "create" | "update" | "delete" | "run" | "write";

/** A file kx would write on a host; `content` has its secrets masked. */
export interface PlannedFile {
  host: string;
  path: string;
  mode: number;
  owner?: string;
  content: string;
}

/** One thing a step would do. An empty plan means the step has nothing to do. */
export interface Change {
  action: ChangeAction;
  /** What is acted on: "vpc lab", "nat-gateway eu-west-1a", "host etcd-a". */
  target: string;
  /** Details for the report, e.g. "10.0.0.0/16" or "kubeadm init". */
  detail?: string;
  /** The host the change runs on, when it runs on one. */
  host?: string;
  /** Files that apply would write (for --show-files). */
  files?: PlannedFile[];
}

/**
 * What every step sees. Workflows extend it (config, aws, ssh, ...); the engine only
 * uses these members.
 */
export interface EngineContext {
  readonly dryRun: boolean;
  /** Aborted on SIGINT/SIGTERM: long waits must give up; writes in flight may finish. */
  readonly signal: AbortSignal;
  /** Outputs of a finished step (this run or an earlier one), undefined if not done. */
  outputs(stepId: string): Outputs | undefined;
  /** Progress and log lines of the current step (secrets are redacted by the IO layer). */
  readonly log: StepLog;
}

export interface StepLog {
  info(message: string): void;
  debug(message: string): void;
  warn(message: string): void;
  /** Progress of a sub-task, e.g. one host: shown as a child line of the step. */
  progress(subtask: string, message: string): void;
}

export interface Step<C extends EngineContext = EngineContext> {
  /** Stable id, "<area>/<thing>[:<instance>]", e.g. "network/nat-gateway:eu-west-1a". */
  readonly id: string;
  readonly title: string;
  /** Ids of the steps whose outputs this one reads. */
  readonly needs: readonly string[];
  /**
   * The part of the config (or anything else) this step's result depends on. When it
   * changes between runs, a finished step is planned again. Defaults to nothing.
   */
  inputs?(ctx: C): unknown;
  /** Reads the world, returns what it would do. Must not write. */
  plan(ctx: C): Promise<Change[]>;
  /**
   * Does the planned changes (idempotently) and returns the outputs. Called with an
   * empty list when the plan is empty: it must then only look up and return outputs
   * (the resource may have been created by a run that crashed before saving state).
   */
  apply(ctx: C, changes: Change[]): Promise<Outputs>;
}

export type StepStatus = "pending" | "running" | "done" | "failed" | "interrupted";

export interface StepRecord {
  status: StepStatus;
  /** sha256 of the step's inputs and its needs' outputs when it last finished. */
  inputsHash?: string;
  outputs?: Outputs;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
}
