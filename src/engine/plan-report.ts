/**
 * The report of a dry run: every change grouped by area (the id prefix before "/"),
 * counts per action, and optionally every file kx would write, grouped by host. The
 * object is what `--output json` prints; `renderPlanReport` is the text form.
 */
import type { RunResult } from "./run-result.js";
import type { ChangeAction, PlannedFile } from "./types.js";

export interface PlanReportChange {
  step: string;
  action: ChangeAction;
  target: string;
  detail?: string;
  host?: string;
}

export interface PlanReportArea {
  area: string;
  changes: PlanReportChange[];
  /** Planned steps of this area that would change nothing. */
  unchangedSteps: string[];
}

export interface PlanReportHost {
  host: string;
  files: (PlannedFile & { step: string })[];
}

export interface PlanReport {
  counts: Record<ChangeAction, number>;
  totalChanges: number;
  plannedSteps: number;
  /** Steps skipped because they finished in an earlier run with the same inputs. */
  upToDateSteps: number;
  /** Said above the report, e.g. "no AWS credentials: planned as for an empty account". */
  notes: string[];
  areas: PlanReportArea[];
  /** With showFiles only. */
  files?: PlanReportHost[];
}

export interface PlanReportOptions {
  showFiles?: boolean;
  notes?: string[];
}

const ACTIONS: ChangeAction[] = ["create", "update", "delete", "run", "write"];
const SYMBOL: Record<ChangeAction, string> = { create: "+", update: "~", delete: "-", run: ">", write: "w" };

export function areaOf(stepId: string): string {
  return stepId.split("/")[0]!;
}

export function buildPlanReport(result: Pick<RunResult, "steps">, options: PlanReportOptions = {}): PlanReport {
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<ChangeAction, number>;
  const areas = new Map<string, PlanReportArea>();
  const hosts = new Map<string, PlanReportHost>();
  let plannedSteps = 0;

  for (const step of result.steps) {
    if (step.outcome !== "planned") continue;
    plannedSteps++;
    const name = areaOf(step.id);
    const area = areas.get(name) ?? { area: name, changes: [], unchangedSteps: [] };
    areas.set(name, area);
    const changes = step.changes ?? [];
    if (changes.length === 0) area.unchangedSteps.push(step.id);
    for (const change of changes) {
      counts[change.action]++;
      area.changes.push({ step: step.id, action: change.action, target: change.target, detail: change.detail, host: change.host });
      if (!options.showFiles) continue;
      for (const file of change.files ?? []) {
        const host = hosts.get(file.host) ?? { host: file.host, files: [] };
        hosts.set(file.host, host);
        host.files.push({ ...file, step: step.id });
      }
    }
  }

  return {
    counts,
    totalChanges: ACTIONS.reduce((sum, a) => sum + counts[a], 0),
    plannedSteps,
    upToDateSteps: result.steps.filter((s) => s.outcome === "skipped").length,
    notes: options.notes ?? [],
    areas: [...areas.values()],
    ...(options.showFiles ? { files: [...hosts.values()].sort((a, b) => a.host.localeCompare(b.host)) } : {}),
  };
}

export function renderPlanReport(report: PlanReport): string {
  const out: string[] = [];
  const summary = ACTIONS.map((a) => `${report.counts[a]} to ${a}`).join(", ");
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
  out.push(
    `Plan: ${summary} (${n(report.totalChanges, "change")} in ${n(report.plannedSteps, "step")}; ` +
      `${n(report.upToDateSteps, "step")} already done)`,
  );
  for (const note of report.notes) out.push(`Note: ${note}`);

  for (const area of report.areas) {
    out.push("", area.area);
    const targetWidth = Math.max(0, ...area.changes.map((c) => c.target.length));
    for (const c of area.changes) {
      const detail = c.detail ? `  ${c.detail}` : "";
      const host = c.host ? `  (on ${c.host})` : "";
      out.push(`  ${SYMBOL[c.action]} ${c.action.padEnd(6)}  ${c.target.padEnd(targetWidth)}${detail}${host}`.trimEnd());
    }
    if (area.unchangedSteps.length > 0) out.push(`  = no changes: ${area.unchangedSteps.join(", ")}`);
  }
  if (report.totalChanges === 0 && report.areas.length === 0) out.push("", "Nothing to do.");

  if (report.files) {
    out.push("", `Files (${report.files.reduce((n, h) => n + h.files.length, 0)}):`);
    for (const host of report.files) {
      out.push("", `== ${host.host}`);
      for (const f of host.files) {
        out.push(`--- ${f.path} (mode ${f.mode.toString(8).padStart(4, "0")}${f.owner ? `, owner ${f.owner}` : ""}; ${f.step})`);
        out.push(f.content.endsWith("\n") ? f.content.slice(0, -1) : f.content);
      }
    }
  }
  return `${out.join("\n")}\n`;
}
