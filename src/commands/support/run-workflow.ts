/**
 * Runs a workflow's steps the same way for every command: the run log, the lock, the
 * session (AWS, SSH, secrets), Ctrl-C handling, the progress view, the runner, and the
 * dry-run report or the summary at the end.
 */
import type { GlobalOptions } from "../../cli.js";
import type { ClusterConfig } from "../../config/schema.js";
import { buildPlanReport, renderPlanReport } from "../../engine/plan-report.js";
import type { RunResult } from "../../engine/run-result.js";
import { runSteps } from "../../engine/runner.js";
import { LocalStateStore } from "../../engine/state.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../../steps/context.js";
import type { Io } from "../../ui/io.js";
import { runLogPath } from "../../ui/log-file.js";
import { progressRenderer } from "../../ui/progress.js";
import { attachLogFile } from "../../ui/report-error.js";
import { RunSummary } from "../../ui/summary.js";
import type { Session } from "../../workflows/session.js";
import { kxVersion, stateDirFor } from "./common.js";
import { onInterrupt } from "./signals.js";
import { join } from "node:path";

export interface WorkflowRunOptions {
  /** "create cluster", "destroy", ...: names the log file and the lock's owner. */
  command: string;
  config: ClusterConfig;
  /** The steps; or, when which to run depends on the live cluster, the steps with their selection. */
  steps: (session: Session) => Promise<Step<KxContext>[] | LiveSelection> | Step<KxContext>[];
  io: Io;
  globals: Partial<GlobalOptions>;
  dryRun?: boolean;
  showFiles?: boolean;
  only?: string[];
  skip?: string[];
  /** Steps planned again even when an earlier run did them with the same inputs. */
  replan?: (stepId: string) => boolean;
  concurrency?: number;
  forceUnlock?: boolean;
  /** Called after a successful real run, before the summary (e.g. save config.yaml). */
  afterRun?: (result: RunResult, session: Session) => Promise<[string, string][]>;
}

export interface LiveSelection {
  steps: Step<KxContext>[];
  only: string[];
  replan: (stepId: string) => boolean;
}

export async function runWorkflow(options: WorkflowRunOptions): Promise<RunResult> {
  const { io, config, globals } = options;
  const dryRun = options.dryRun ?? false;
  const stateDir = stateDirFor(globals, config.name);
  await io.openLog(runLogPath(stateDir, options.command));
  io.debug(`kx ${kxVersion()} ${options.command} on cluster ${config.name}; state in ${stateDir}`);
  const store = new LocalStateStore(stateDir, { warn: (m) => io.warn(m) });
  if (options.forceUnlock) {
    const holder = await store.forceUnlock();
    if (holder) io.warn(`removed the lock held by pid ${holder.pid} on ${holder.host} since ${holder.since} ("${holder.command}")`);
  }
  const lock = dryRun ? undefined : await store.lock({ command: `kx ${options.command}` });
  const interrupt = onInterrupt((m) => io.warn(m));
  let session: Session | undefined;
  try {
    const state = await store.load();
    const { openSession } = await import("../../workflows/session.js");
    session = await openSession({ config, stateDir, dryRun, globals, io, state });
    // A dry run's report carries the notes; a real run says them up front.
    if (!dryRun) for (const note of session.notes) io.info(note);
    const built = await options.steps(session);
    const { steps, only, replan } = Array.isArray(built) ? { steps: built, only: options.only, replan: options.replan } : built;
    const summary = new RunSummary();
    await io.progress(progressRenderer);
    const result = await runSteps({
      steps,
      store,
      cluster: config.name,
      kxVersion: kxVersion(),
      state: session.state,
      dryRun,
      concurrency: options.concurrency,
      signal: interrupt.signal,
      only,
      skip: options.skip,
      replan,
      makeContext: session.makeContext,
      onEvent: (e) => {
        summary.observe(e);
        io.event(e);
      },
    });
    await io.stopProgress();
    if (dryRun) {
      const report = buildPlanReport(result, { showFiles: options.showFiles, notes: session.notes });
      if (io.mode === "json") io.json({ type: "plan", ...report });
      else io.result(renderPlanReport(report));
    } else {
      const facts = (await options.afterRun?.(result, session)) ?? [];
      const state: [string, string][] = facts.some(([k]) => k === "State") ? [] : [["State", join(stateDir, "state.json")]];
      summary.print(io, [...facts, ...state, ["Log", io.logPath ?? ""]]);
    }
    return result;
  } catch (error) {
    await io.stopProgress();
    io.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
    attachLogFile(error, io.logPath);
    throw error;
  } finally {
    interrupt.dispose();
    await session?.close();
    await lock?.release();
    await io.close();
  }
}
