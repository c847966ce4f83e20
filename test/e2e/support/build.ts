/**
 * The real binary (bin/kx.js) imports dist/, so the e2e tests need src/ compiled. A
 * build newer than every source file is used as is (`npm test` builds first); else one
 * e2e file compiles while the others, started in parallel forks, wait on a mkdir lock
 * and then find the fresh build.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

const LOCK = join(tmpdir(), "kx-e2e-build.lock");
const STALE_LOCK_MS = 5 * 60_000;
const BUILT = join(REPO, "dist/cli.js");

function newestSource(dir = join(REPO, "src")): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  return existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource();
}

/** Compiles src/ into dist/ unless dist/ is already newer than every source file. */
export async function ensureBuilt(): Promise<void> {
  if (upToDate()) return;
  const since = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    // Another e2e file built while this one waited: take it, even if a source changed since.
    if (upToDate() || (existsSync(BUILT) && statSync(BUILT).mtimeMs >= since)) return;
    // Other engineers' files may be mid-edit: tsc still emits, and dist/cli.js is what matters.
    const result = await execa("npx", ["tsc", "-p", REPO], { cwd: REPO, reject: false, all: true });
    if (!existsSync(BUILT)) throw new Error(`tsc did not produce dist/cli.js:\n${result.all}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
