/**
 * The end-of-run summary: what was done, how long each phase (area) took, where the
 * state, config and log are. Built from the runner's events so it needs no step knowledge.
 */
import type { RunnerEvent } from "../engine/events.js";
import type { Io } from "./io.js";
import { seconds } from "./progress-lines.js";

interface AreaTimes {
  area: string;
  start: number;
  end: number;
  done: number;
  skipped: number;
  failed: number;
  changes: number;
}

export class RunSummary {
  readonly #areas = new Map<string, AreaTimes>();
  #started = Date.now();
  #duration = 0;

  observe(e: RunnerEvent): void {
    if (e.type === "run-started") this.#started = Date.now();
    if (e.type === "run-finished") this.#duration = e.durationMs;
    if (!("id" in e)) return;
    // Left out by --only/--skip, or blocked by a failure: not "done earlier", and no phase of this run.
    if (e.type === "step-skipped" && e.reason !== "done") return;
    const name = e.id.split("/")[0]!;
    const now = Date.now();
    const area = this.#areas.get(name) ?? { area: name, start: now, end: now, done: 0, skipped: 0, failed: 0, changes: 0 };
    this.#areas.set(name, area);
    if (e.type === "step-started") area.start = Math.min(area.start, now);
    if (e.type === "step-finished") {
      area.done++;
      area.changes += e.changes.length;
      area.end = now;
    }
    if (e.type === "step-skipped") area.skipped++;
    if (e.type === "step-failed") {
      area.failed++;
      area.end = now;
    }
  }

  phases(): { area: string; durationMs: number; done: number; skipped: number; failed: number; changes: number }[] {
    return [...this.#areas.values()].map((a) => ({
      area: a.area,
      durationMs: Math.max(0, a.end - a.start),
      done: a.done,
      skipped: a.skipped,
      failed: a.failed,
      changes: a.changes,
    }));
  }

  get durationMs(): number {
    return this.#duration || Date.now() - this.#started;
  }

  print(io: Io, facts: [string, string][]): void {
    if (io.mode === "json") {
      io.json({ type: "summary", durationMs: this.durationMs, phases: this.phases(), facts: Object.fromEntries(facts) });
      return;
    }
    const lines = [io.c.bold(`Finished in ${seconds(this.durationMs)}`)];
    for (const p of this.phases()) {
      const parts = [`${p.done} run`, p.skipped ? `${p.skipped} done earlier` : "", p.failed ? io.c.red(`${p.failed} failed`) : ""].filter(Boolean);
      lines.push(`  ${p.area.padEnd(12)} ${seconds(p.durationMs).padStart(7)}  ${parts.join(", ")}`);
    }
    const width = Math.max(0, ...facts.map(([k]) => k.length));
    for (const [k, v] of facts) lines.push(`${k.padEnd(width)}  ${v}`);
    io.result(lines.join("\n"));
  }
}
