/**
 * The state store on the local disk: one directory per cluster (0700) with state.json,
 * state.json.bak (the previous version) and the lock. A save never leaves a torn file:
 * temp file, fsync, the current file hard-linked to .bak, rename, fsync of the directory.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { KxError } from "./errors.js";
import { acquireLock, forceUnlock, type LockInfo, type LockOwner, type StateLock } from "./lock.js";
import { parseStateDoc, StateVersionError, type StateDoc } from "./state-doc.js";
import { serialiseStateSafely } from "./state-guard.js";
import type { StateStore } from "./state-store.js";

export interface LocalStateStoreOptions {
  /** Told when the state falls back to the backup or a stale lock is taken over. */
  warn?: (message: string) => void;
}

export class LocalStateStore implements StateStore {
  readonly location: string;
  readonly file: string;
  readonly backup: string;
  readonly lockFile: string;
  readonly #warn: (message: string) => void;

  constructor(dir: string, options: LocalStateStoreOptions = {}) {
    this.location = dir;
    this.file = join(dir, "state.json");
    this.backup = join(dir, "state.json.bak");
    this.lockFile = join(dir, "lock");
    this.#warn = options.warn ?? ((m) => process.stderr.write(`kx: warning: ${m}\n`));
  }

  async load(): Promise<StateDoc | undefined> {
    const current = await readDoc(this.file);
    if (current.kind === "ok") return current.doc;
    if (current.kind === "refused") throw current.error;
    const previous = await readDoc(this.backup);
    if (current.kind === "missing" && previous.kind === "missing") return undefined;
    if (previous.kind === "ok") {
      this.#warn(
        current.kind === "missing"
          ? `${this.file} is missing; using the previous version ${this.backup}`
          : `${this.file} is unreadable (${current.reason}); using the previous version ${this.backup}`,
      );
      return previous.doc;
    }
    if (previous.kind === "refused") throw previous.error;
    const reasons = [current, previous].map((r, i) => `${i === 0 ? this.file : this.backup}: ${r.kind === "bad" ? r.reason : "missing"}`);
    throw new KxError(`the state of this cluster cannot be read:\n  ${reasons.join("\n  ")}`, {
      source: "user",
      hint: `Restore ${this.file} from a backup, or move the directory ${this.location} away to start from an empty state (kx then finds existing resources by their tags).`,
    });
  }

  async save(doc: StateDoc): Promise<void> {
    const text = serialiseStateSafely(doc);
    try {
      await this.#write(text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new KxError(`cannot save the state in ${this.location}: ${code}`, {
        source: "user",
        cause: e,
        hint: "Free disk space or fix the directory's permissions, then run the same command again to resume.",
      });
    }
  }

  async #write(text: string): Promise<void> {
    await this.#ensureDir();
    const tmp = `${this.file}.tmp`; // one writer at a time: the lock is held
    const handle = await fs.open(tmp, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.#keepBackup();
    await fs.rename(tmp, this.file);
    await syncDir(this.location);
  }

  async lock(owner: LockOwner): Promise<StateLock> {
    await this.#ensureDir();
    return acquireLock(this.lockFile, owner, { warn: this.#warn });
  }

  forceUnlock(): Promise<LockInfo | undefined> {
    return forceUnlock(this.lockFile);
  }

  async #ensureDir(): Promise<void> {
    await fs.mkdir(this.location, { recursive: true, mode: 0o700 });
    await fs.chmod(this.location, 0o700);
  }

  /** .bak becomes the current file, atomically (link + rename); the current file stays in place. */
  async #keepBackup(): Promise<void> {
    const tmpLink = `${this.backup}.tmp`;
    await fs.rm(tmpLink, { force: true });
    try {
      await fs.link(this.file, tmpLink);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // first save
      throw e;
    }
    await fs.rename(tmpLink, this.backup);
  }
}

type ReadResult =
  | { kind: "ok"; doc: StateDoc }
  | { kind: "missing" }
  | { kind: "bad"; reason: string }
  | { kind: "refused"; error: KxError };

async function readDoc(path: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing" };
    return { kind: "bad", reason: code ?? String(e) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { kind: "bad", reason: `not valid JSON: ${(e as Error).message}` };
  }
  try {
    return { kind: "ok", doc: parseStateDoc(value, path) };
  } catch (e) {
    // A newer schema must not be silently replaced by an older backup.
    if (e instanceof StateVersionError) return { kind: "refused", error: e };
    return { kind: "bad", reason: (e as Error).message };
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
