import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forceUnlock, LockHeldError, readLock } from "../../src/engine/lock.js";
import { LocalStateStore } from "../../src/engine/state.js";
import { tempDir } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
let warnings: string[];
let store: LocalStateStore;

beforeEach(async () => {
  dir = await tempDir();
  warnings = [];
  store = new LocalStateStore(join(dir.path, "lab"), { warn: (m) => warnings.push(m) });
});
afterEach(() => dir.cleanup());

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = execa("true");
  await child;
  return child.pid!;
}

describe("the state lock", () => {
  it("is held by one kx at a time; the second is told who holds it", async () => {
    const lock = await store.lock({ command: "kx create cluster -f lab.yaml" });
    expect(lock.info).toMatchObject({ pid: process.pid, host: hostname(), command: "kx create cluster -f lab.yaml" });
    expect((await fs.stat(store.lockFile)).mode & 0o777).toBe(0o600);

    const error = await store.lock({ command: "kx destroy" }).then(
      () => undefined,
      (e: unknown) => e as LockHeldError,
    );
    expect(error).toBeInstanceOf(LockHeldError);
    expect(error!.exitCode).toBe(1);
    expect(error!.source).toBe("user");
    expect(error!.message).toContain(`pid ${process.pid} on ${hostname()}`);
    expect(error!.message).toContain(`since ${lock.info.since}`);
    expect(error!.message).toContain('running "kx create cluster -f lab.yaml"');
    expect(error!.hint).toContain("--force-unlock");

    await lock.release();
    const again = await store.lock({ command: "kx destroy" });
    await again.release();
    expect(await readLock(store.lockFile)).toBeUndefined();
    expect((await fs.readdir(store.location)).filter((f) => f.startsWith("lock"))).toEqual([]);
  });

  it("takes over a lock left by a dead process on this host, with a warning", async () => {
    const pid = await deadPid();
    await fs.mkdir(store.location, { recursive: true });
    const stale = { pid, host: hostname(), since: "2026-01-01T00:00:00.000Z", command: "kx create cluster" };
    await fs.writeFile(store.lockFile, JSON.stringify(stale));
    const lock = await store.lock({ command: "kx create cluster" });
    expect(lock.tookOverFrom).toEqual(stale);
    expect(lock.info.pid).toBe(process.pid);
    expect(warnings).toEqual([
      `took over the lock of pid ${pid} on ${hostname()} (since 2026-01-01T00:00:00.000Z, "kx create cluster"): that process is gone`,
    ]);
    await lock.release();
  });

  it("does not take over a lock from another host, nor an unreadable one; force-unlock removes either", async () => {
    const pid = await deadPid();
    await fs.mkdir(store.location, { recursive: true });
    await fs.writeFile(store.lockFile, JSON.stringify({ pid, host: "ci-runner-7", since: "yesterday", command: "kx upgrade" }));
    await expect(store.lock({ command: "kx" })).rejects.toThrow(`pid ${pid} on ci-runner-7, since yesterday, running "kx upgrade"`);

    expect(await store.forceUnlock()).toMatchObject({ pid, host: "ci-runner-7" });
    await fs.writeFile(store.lockFile, "{not json");
    await expect(store.lock({ command: "kx" })).rejects.toThrow("pid -1 on unknown");
    await forceUnlock(store.lockFile);
    const lock = await store.lock({ command: "kx" });
    await lock.release();
  });

  it("release leaves a lock alone that is no longer ours", async () => {
    const lock = await store.lock({ command: "kx" });
    await forceUnlock(store.lockFile);
    const other = await store.lock({ command: "kx other" });
    await lock.release();
    expect((await readLock(store.lockFile))!.command).toBe("kx other");
    await other.release();
  });
});
