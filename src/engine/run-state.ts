/**
 * What one run keeps while it goes: the state document (a copy in a dry run), each
 * step's result, the outputs produced so far, and the serialised saves.
 */
import type { RunnerEvent } from "./events.js";
import type { FailedStep } from "./run-errors.js";
import type { PlannedStep, StepResult } from "./run-result.js";
import { SaveQueue } from "./save-queue.js";
import { getStateData, setStateData, type StateDataKey, type StateDoc } from "./state-doc.js";
import type { StateStore } from "./state-store.js";
import type { JsonValue, Outputs } from "./types.js";

/** Read and write access to `StateDoc.data`; a write is saved with the next save (never in a dry run). */
export interface StateData {
  get<T extends JsonValue>(key: StateDataKey<T>): T | undefined;
  set<T extends JsonValue>(key: StateDataKey<T>, value: T | undefined): Promise<void>;
}

export class RunState {
  readonly results: Map<string, StepResult>;
  /** Outputs applied in this run. */
  readonly applied = new Map<string, Outputs>();
  /** Steps planned but not applied (dry run): their outputs are unknown. */
  readonly plannedOnly = new Set<string>();
  readonly plan: PlannedStep[] = [];
  readonly failed: FailedStep[] = [];
  readonly data: StateData;
  readonly #saves: SaveQueue;

  constructor(
    readonly doc: StateDoc,
    readonly dryRun: boolean,
    readonly signal: AbortSignal,
    readonly emit: (event: RunnerEvent) => void,
    store: StateStore,
    steps: readonly { id: string; title: string }[],
    /** Steps planned again even when done with the same inputs. */
    readonly replan: (stepId: string) => boolean = () => false,
  ) {
    this.results = new Map(steps.map((s) => [s.id, { id: s.id, title: s.title, outcome: "not-run" }]));
    this.#saves = new SaveQueue(store, doc);
    this.data = {
      get: (key) => getStateData(doc, key),
      set: (key, value) => {
        setStateData(doc, key, value);
        return this.save();
      },
    };
  }

  save(): Promise<void> {
    return this.dryRun ? Promise.resolve() : this.#saves.request();
  }

  /** Outputs of a step applied in this run or done in an earlier one; undefined when unknown. */
  readonly outputs = (id: string): Outputs | undefined => {
    if (this.plannedOnly.has(id)) return undefined;
    const record = this.doc.steps[id];
    return this.applied.get(id) ?? (record?.status === "done" ? record.outputs : undefined);
  };

  result(id: string): StepResult {
    return this.results.get(id)!;
  }
}
