/** Runs the real kx binary (bin/kx.js → dist/) as a child process. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const KX_BIN = fileURLToPath(new URL("../../bin/kx.js", import.meta.url));

export interface KxRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface KxRunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
  nodeArgs?: string[];
  timeoutMs?: number;
}

export function runKx(args: string[], options: KxRunOptions = {}): Promise<KxRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), KX_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: "true", NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}
