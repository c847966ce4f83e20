/**
 * The task tree on a terminal, drawn by listr2: one task per area (images, network, …)
 * with a sub-task per step; a step's host-level progress shows as its output line.
 * The runner drives the work; listr2 only draws, so each task just waits for the
 * runner's events about its step.
 */
import { Listr, type ListrTaskWrapper, type ListrDefaultRenderer, type ListrSimpleRenderer } from "listr2";
import type { RunnerEvent, RunStartedEvent } from "../engine/events.js";
import type { Io, ProgressRenderer } from "./io.js";
import { describeChanges, seconds } from "./progress-lines.js";

type Task = ListrTaskWrapper<unknown, ListrDefaultRenderer, ListrSimpleRenderer>;

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface StepView {
  id: string;
  title: string;
  started: Deferred;
  ended: Deferred;
  task?: Task;
  skipped?: string;
  summary?: string;
}

export class TtyProgress implements ProgressRenderer {
  readonly #io: Io;
  readonly #steps = new Map<string, StepView>();
  #listr?: Promise<unknown>;

  constructor(io: Io) {
    this.#io = io;
  }

  event(e: RunnerEvent): void {
    if (e.type === "run-started") return this.#start(e);
    const view = "id" in e ? this.#steps.get(e.id) : undefined;
    if (!view) return;
    switch (e.type) {
      case "step-started":
        view.started.resolve();
        break;
      case "step-skipped":
        view.skipped = e.reason === "done" ? "done earlier" : e.reason === "blocked" ? "not run: a need failed" : "not selected";
        view.started.resolve();
        view.ended.resolve();
        break;
      case "step-progress":
        if (view.task) view.task.output = `${e.subtask}: ${e.message}`;
        break;
      case "step-log":
        if (view.task && (e.level !== "debug" || this.#io.verbose)) view.task.output = e.message;
        break;
      case "step-finished":
        view.summary = `${describeChanges(e.changes)}, ${seconds(e.durationMs)}`;
        view.ended.resolve();
        break;
      case "step-failed":
        view.ended.reject(new Error(e.error));
        break;
      case "step-interrupted":
        view.skipped = "interrupted";
        view.ended.resolve();
        break;
      default:
        break;
    }
  }

  #start(e: RunStartedEvent): void {
    const areas = new Map<string, StepView[]>();
    for (const s of e.steps) {
      if (!s.selected) continue;
      const view: StepView = { id: s.id, title: s.title, started: deferred(), ended: deferred() };
      this.#steps.set(s.id, view);
      const area = s.id.split("/")[0]!;
      areas.set(area, [...(areas.get(area) ?? []), view]);
    }
    const listr = new Listr(
      [...areas].map(([area, views]) => ({
        title: `${area} (waiting)`,
        task: async (_ctx: unknown, task: Task) => {
          await Promise.race(views.map((v) => v.started.promise));
          task.title = area;
          return task.newListr(
            views.map((view) => ({
              title: view.title,
              task: async (_c: unknown, t: Task) => {
                view.task = t;
                await view.started.promise;
                await view.ended.promise;
                if (view.skipped) t.skip(`${view.title} (${view.skipped})`);
                else t.title = `${view.title} (${view.summary ?? "done"})`;
              },
            })),
            { concurrent: true, exitOnError: false },
          );
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        rendererOptions: { collapseSubtasks: false, collapseSkips: false, showErrorMessage: true },
        fallbackRendererCondition: () => false,
      },
    );
    this.#listr = listr.run().catch(() => undefined);
  }

  async stop(): Promise<void> {
    for (const view of this.#steps.values()) {
      view.started.resolve();
      view.ended.resolve();
    }
    await this.#listr;
  }
}
