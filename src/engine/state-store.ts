/**
 * Where a cluster's state lives. The local directory is the first backend; a remote one
 * (S3 with a conditional-write lock) implements the same three operations.
 */
import type { LockInfo, LockOwner, StateLock } from "./lock.js";
import type { StateDoc } from "./state-doc.js";

export interface StateStore {
  /** Shown to the user: a directory, or a URL for a remote backend. */
  readonly location: string;
  /** The saved state; undefined when the cluster has none yet. */
  load(): Promise<StateDoc | undefined>;
  /** Replaces the saved state atomically. Refuses a document that holds a secret. */
  save(doc: StateDoc): Promise<void>;
  /** Takes the cluster's lock or throws LockHeldError naming its holder. */
  lock(owner: LockOwner): Promise<StateLock>;
  /** Removes the lock whoever holds it (--force-unlock); returns who held it. */
  forceUnlock?(): Promise<LockInfo | undefined>;
}
