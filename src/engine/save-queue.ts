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
        // A snapshot, so steps may change the document while it is written; the JSON round
        // trip applies toJSON (a Secret becomes "***") as the file will.
        return this.store.save(JSON.parse(JSON.stringify(this.doc)) as StateDoc);
      })
      .finally(() => {
        if (this.#running === next) this.#running = undefined;
      });
    this.#queued = next;
    return next;
  }
}
