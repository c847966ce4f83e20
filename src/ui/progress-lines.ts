/**
 * Plain line-by-line progress (CI, pipes) and the JSON event stream (`--output json`).
 * Both are append-only, so they work in any log viewer.
 */
import type { RunnerEvent } from "../engine/events.js";
import type { Change } from "../engine/types.js";
import type { Io, ProgressRenderer } from "./io.js";

export function describeChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return "up to date";
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  return [...counts].map(([action, n]) => `${n} to ${action}`).join(", ");
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export class PlainProgress implements ProgressRenderer {
  readonly #io: Io;
  readonly #titles = new Map<string, string>();
  #dryRun = false;
  constructor(io: Io) {
    this.#io = io;
  }

  event(e: RunnerEvent): void {
    const { c } = this.#io;
    const out = (line: string) => this.#io.stdout.write(`${line}\n`);
    switch (e.type) {
      case "run-started":
        for (const s of e.steps) this.#titles.set(s.id, s.title);
        this.#dryRun = e.dryRun;
        out(`${e.dryRun ? "Planning" : "Running"} ${e.steps.filter((s) => s.selected).length} steps`);
        break;
      case "step-started":
        if (this.#io.verbose) out(`${c.cyan("▶")} ${e.id}  ${e.title}`);
        break;
      case "step-skipped":
        if (e.reason === "done") out(`${c.dim("↷")} ${e.id}  ${c.dim("done earlier")}`);
        else if (e.reason === "blocked") out(`${c.yellow("↷")} ${e.id}  not run: ${e.blockedBy?.join(", ") ?? "a need"} failed`);
        break;
      case "step-finished":
        // A dry run ends with the grouped report; one line per planned step would repeat it.
        if (this.#dryRun && !this.#io.verbose) break;
        out(`${c.green("✔")} ${e.id}  ${this.#titles.get(e.id) ?? ""} ${c.dim(`(${describeChanges(e.changes)}, ${seconds(e.durationMs)})`)}`);
        break;
      case "step-failed":
        out(`${c.red("✖")} ${e.id}  ${e.error}`);
        break;
      case "step-interrupted":
        out(`${c.yellow("■")} ${e.id}  interrupted`);
        break;
      case "step-log":
        if (e.level === "warn") out(`${c.yellow("!")} ${e.id}  ${e.message}`);
        else if (e.level === "info" || this.#io.verbose) out(`  ${e.id}  ${e.message}`);
        break;
      case "step-progress":
        if (this.#io.verbose) out(`  ${e.id} [${e.subtask}] ${e.message}`);
        break;
      case "step-planned":
      case "run-finished":
        break;
    }
  }

  async stop(): Promise<void> {}
}

export class JsonProgress implements ProgressRenderer {
  readonly #io: Io;
  constructor(io: Io) {
    this.#io = io;
  }
  event(e: RunnerEvent): void {
    if ((e.type === "step-progress" || (e.type === "step-log" && e.level === "debug")) && !this.#io.verbose) return;
    const { cause: _cause, ...rest } = e as RunnerEvent & { cause?: unknown };
    this.#io.json({ ...rest, time: new Date().toISOString() });
  }
  async stop(): Promise<void> {}
}
