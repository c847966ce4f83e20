/** Starts the real kx binary and hands back its process, for tests that kill it mid-run. */
import { spawn, type ChildProcess } from "node:child_process";
import { KX_BIN, type KxRun } from "../../helpers/kx.js";

export interface RunningKx {
  child: ChildProcess;
  done: Promise<KxRun>;
}

/**
 * KX_E2E_BIN runs another build of kx instead of this repo's bin/kx.js: a copy with a
 * deliberately broken step shows that these tests catch what they claim to catch.
 */
const BIN = process.env.KX_E2E_BIN || KX_BIN;

export function spawnKx(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 90_000): RunningKx {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<KxRun>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}
