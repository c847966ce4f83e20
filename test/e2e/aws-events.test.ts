/**
 * `--output json`: what a CI pipeline reads. Every line of stdout is one JSON object;
 * each step that runs is started and finished with its id and duration; the run ends
 * with counts and a summary whose phases are the areas that ran.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "./support/build.js";
import { describeRun, startWorld, type World } from "./support/world.js";
import type { KxRun } from "../helpers/kx.js";

type Event = Record<string, any> & { type: string };

let world: World;
let run: KxRun;
let events: Event[];

beforeAll(async () => {
  await ensureBuilt();
  world = await startWorld();
  run = await world.create(["--output", "json"]);
  expect(run.code, describeRun(run)).toBe(0);
  events = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Event);
}, 180_000);
afterAll(async () => world?.close());

const runStarted = () => events.find((e) => e.type === "run-started")!;
const INFRA_AREAS = ["images", "network", "security", "edge", "machines", "optional"];

describe("kx create cluster --output json", () => {
  it("prints one JSON object per line, each with a type", () => {
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(events.every((e) => typeof e.type === "string")).toBe(true);
    // What comes before the run is said as message events (the add-ons this kx leaves out).
    const firstRunEvent = events.findIndex((e) => e.type !== "message");
    expect(events.slice(0, firstRunEvent).every((e) => e.type === "message" && e.level === "warn")).toBe(true);
    expect(events[firstRunEvent]!.type).toBe("run-started");
    expect(events.map((e) => e.type).slice(-2)).toEqual(["run-finished", "summary"]);
  });

  it("starts and finishes every selected step once, with its id and duration, after the steps it needs", () => {
    const started = events.filter((e) => e.type === "step-started");
    const finished = events.filter((e) => e.type === "step-finished");
    const selected = runStarted().steps.filter((s: { selected: boolean }) => s.selected).map((s: { id: string }) => s.id);
    expect(selected.length).toBe(49);
    expect(started.map((e) => e.id).sort()).toEqual([...selected].sort());
    expect(finished.map((e) => e.id).sort()).toEqual([...selected].sort());
    for (const e of finished) {
      expect(e.durationMs, e.id).toBeTypeOf("number");
      expect(e.durationMs, e.id).toBeGreaterThanOrEqual(0);
      expect(Array.isArray(e.changes), e.id).toBe(true);
    }
    expect(started.every((e) => typeof e.title === "string" && e.title.length > 0)).toBe(true);
    const position = (type: string, id: string) => events.findIndex((e) => e.type === type && e.id === id);
    for (const step of runStarted().steps.filter((s: { selected: boolean }) => s.selected)) {
      for (const need of step.needs) {
        expect(position("step-finished", need), `${need} finishes before ${step.id} starts`).toBeLessThan(position("step-started", step.id));
      }
    }
    // Steps outside --only are reported as such, never started.
    const notSelected = events.filter((e) => e.type === "step-skipped").map((e) => [e.id.split("/")[0], e.reason]);
    expect(new Set(notSelected.map(([area]) => area))).toEqual(new Set(["pki", "etcd", "kubernetes", "addons"]));
    expect(notSelected.every(([, reason]) => reason === "not selected")).toBe(true);
  });

  it("ends with the run's counts and a summary of the areas that ran", () => {
    const finished = events.find((e) => e.type === "run-finished")!;
    expect(finished.counts).toMatchObject({ done: 49, failed: 0, "not-selected": runStarted().steps.length - 49 });
    expect(finished.durationMs).toBeTypeOf("number");
    const summary = events.at(-1)!;
    // Areas left out by --only were not "done earlier": they are not phases of this run.
    expect(summary.phases.map((p: { area: string }) => p.area).sort()).toEqual([...INFRA_AREAS].sort());
    for (const phase of summary.phases) expect(phase.skipped, phase.area).toBe(0);
    expect(summary.facts.State).toBe(`${world.stateDir}/state.json`);
  });

  it("keeps stderr free of progress", () => {
    const lines = run.stderr.split("\n").filter((l) => l.trim() && !/NodeVersionSupportWarning|node >=22|upgrade to node|a\.co\/|--trace-warnings|^versions published|^will require|^To continue|^More information/.test(l));
    expect(lines).toEqual([]);
  });
});
