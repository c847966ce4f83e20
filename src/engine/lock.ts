/**
 * The state lock: a file holding who runs kx on this cluster. It is created atomically
 * with its content (written to a temp file, then hard-linked to the lock name, which
 * fails if the lock exists), so a second kx never reads a half-written lock. A lock whose
 * process is gone (same host, kill(pid, 0) → ESRCH) is taken over.
 */
import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { KxError } from "./errors.js";

export interface LockOwner {
  /** The command line, e.g. "kx create cluster -f cluster.yaml". */
  command: string;
}

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  command: string;
}

export interface StateLock {
  readonly info: LockInfo;
  /** The dead holder whose lock was taken over, if any. */
  readonly tookOverFrom?: LockInfo;
  release(): Promise<void>;
}

export interface LockOptions {
  /** Told when a stale lock is taken over. */
  warn?: (message: string) => void;
}

export class LockHeldError extends KxError {
  readonly holder: LockInfo;
  constructor(path: string, holder: LockInfo) {
    super(
      `another kx holds the lock on this cluster: pid ${holder.pid} on ${holder.host}, ` +
        `since ${holder.since}, running "${holder.command}" (${path})`,
      {
        source: "user",
        hint:
          "Wait for it to finish. If that process is gone (for example it ran on another machine " +
          "that crashed), remove the lock with --force-unlock and run again.",
      },
    );
    this.holder = holder;
  }
}

export async function acquireLock(path: string, owner: LockOwner, options: LockOptions = {}): Promise<StateLock> {
  const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: owner.command };
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await fs.writeFile(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600, flag: "wx" });
  try {
    let tookOverFrom: LockInfo | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const holder = await readLock(path);
      if (holder === undefined) continue; // released meanwhile
      if (attempt >= 3 || !isDeadHere(holder)) throw new LockHeldError(path, holder);
      // Another kx may have taken the stale lock first: then look again at who holds it.
      if (!(await removeIfStill(path, holder))) continue;
      tookOverFrom = holder;
      options.warn?.(
        `took over the lock of pid ${holder.pid} on ${holder.host} (since ${holder.since}, "${holder.command}"): that process is gone`,
      );
    }
    return {
      info,
      tookOverFrom,
      release: async () => {
        const current = await readLock(path);
        if (current && current.pid === info.pid && current.since === info.since && current.host === info.host) {
          await fs.rm(path, { force: true });
        }
      },
    };
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Removes the lock whoever holds it; returns who did. For `--force-unlock`. */
export async function forceUnlock(path: string): Promise<LockInfo | undefined> {
  const holder = await readLock(path);
  await fs.rm(path, { force: true });
  return holder;
}

/** The lock's holder; undefined when there is no lock. An unreadable lock names "unknown". */
export async function readLock(path: string): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === "number" && typeof v.host === "string") {
      return { pid: v.pid, host: v.host, since: String(v.since ?? "an unknown time"), command: String(v.command ?? "unknown") };
    }
  } catch {
    // fall through: a lock we cannot read is still a lock
  }
  return { pid: -1, host: "unknown", since: "an unknown time", command: "unknown" };
}

function isDeadHere(holder: LockInfo): boolean {
  if (holder.host !== hostname() || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Moves the stale lock aside, then checks that what was moved is the stale one (another
 * kx may have taken it over in between); if not, puts it back and reports failure.
 */
async function removeIfStill(path: string, stale: LockInfo): Promise<boolean> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await fs.rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw e;
  }
  const moved = await readLock(aside);
  if (moved && moved.pid === stale.pid && moved.since === stale.since && moved.host === stale.host) {
    await fs.rm(aside, { force: true });
    return true;
  }
  await fs.link(aside, path).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return false;
}
