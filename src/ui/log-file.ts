/**
 * The full verbose log of a run, kept in the cluster's state directory so a failure can
 * be diagnosed after the fact. Every line is redacted before it is written; the file is
 * 0600 because it names hosts and resources.
 */
import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { redact } from "../engine/secret.js";

export class LogFile {
  readonly path: string;
  #fh: FileHandle;
  #pending: Promise<unknown> = Promise.resolve();

  private constructor(path: string, fh: FileHandle) {
    this.path = path;
    this.#fh = fh;
  }

  static async open(path: string): Promise<LogFile> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const fh = await open(path, "a", 0o600);
    return new LogFile(path, fh);
  }

  line(text: string): void {
    const stamped = `${new Date().toISOString()} ${redact(text)}\n`;
    this.#pending = this.#pending.then(() => this.#fh.write(stamped)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.#pending;
    await this.#fh.close();
  }
}

/** logs/<timestamp>-<command>.log inside the state directory. */
export function runLogPath(stateDir: string, command: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return `${stateDir}/logs/${stamp}-${command.replace(/\s+/g, "-")}.log`;
}
