/**
 * The real binary (bin/kx.js) imports dist/, so the e2e tests compile src/ once per
 * suite run. Several e2e files start in parallel forks: a mkdir lock lets one of them
 * build while the others wait, and a stamp written after the build lets the others
 * (and the files that start later) reuse it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

const LOCK = join(tmpdir(), "kx-e2e-build.lock");
const STAMP = join(tmpdir(), "kx-e2e-build.stamp");
/** A build this recent is this suite run's (a run takes minutes, not this long between files). */
const FRESH_MS = 10 * 60_000;
const STALE_LOCK_MS = 5 * 60_000;

function freshStamp(): boolean {
  if (!existsSync(STAMP)) return false;
  return Date.now() - Number(readFileSync(STAMP, "utf8")) < FRESH_MS;
}

/** Compiles src/ into dist/ unless another e2e file of this run already did. */
export async function ensureBuilt(): Promise<void> {
  if (process.env.KX_E2E_NO_BUILD === "1" && existsSync(join(REPO, "dist/cli.js"))) return;
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
    if (freshStamp()) return;
    // Other engineers' files may be mid-edit: tsc still emits, and dist/cli.js is what matters.
    const result = await execa("npx", ["tsc", "-p", REPO], { cwd: REPO, reject: false, all: true });
    if (!existsSync(join(REPO, "dist/cli.js"))) throw new Error(`tsc did not produce dist/cli.js:\n${result.all}`);
    writeFileSync(STAMP, String(Date.now()));
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
