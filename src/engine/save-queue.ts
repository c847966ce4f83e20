/**
 * Serialises saves of the state: never two at once, and requests made while one is
 * running share the next save (which writes everything changed up to its start).
 */
import type { StateDoc } from "./state-doc.js";
import type { StateStore } from "./state-store.js";

export class SaveQueue {
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly doc: StateDoc,
  ) {}

  /** Resolves once a save that includes every change made before this call is on disk. */
  request(): Promise<void> {
    if (this.#queued) return this.#queued;
    const previous = this.#running ?? Promise.resolve();
    const next: Promise<void> = previous
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        this.#running = next;
        this.doc.updatedAt = new Date().toISOString();
        return this.store.save(structuredClone(this.doc));
      })
      .finally(() => {
        if (this.#running === next) this.#running = undefined;
      });
    this.#queued = next;
    return next;
  }
}
