/**
 * The step graph, checked before anything runs: ids unique, every need known, no
 * cycle; and the part of it chosen with --only/--skip, refused when a chosen step would
 * run without a need that is neither chosen nor already done.
 */
import { KxError, UsageError } from "./errors.js";

export interface GraphNode {
  readonly id: string;
  readonly needs: readonly string[];
}

/** Throws a KxError naming every duplicate id, unknown need, or the first cycle found. */
export function validateGraph(steps: readonly GraphNode[]): void {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) problems.push(`step id ${step.id} is used twice`);
    ids.add(step.id);
  }
  for (const step of steps) {
    for (const need of step.needs) {
      if (!ids.has(need)) problems.push(`step ${step.id} needs ${need}, which is not a step of this run`);
    }
  }
  if (problems.length === 0) {
    const cycle = findCycle(steps);
    if (cycle) problems.push(`steps form a cycle: ${cycle.join(" → ")} (each needs the next)`);
  }
  if (problems.length > 0) {
    throw new KxError(`invalid step graph:\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
      hint: "This is a bug in the workflow's step list; nothing was run.",
    });
  }
}

/** The ids of one cycle, each needing the next, first id repeated at the end; undefined when acyclic. */
export function findCycle(steps: readonly GraphNode[]): string[] | undefined {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, "visiting" | "visited">();
  const path: string[] = [];

  const visit = (id: string): string[] | undefined => {
    const seen = state.get(id);
    if (seen === "visited") return undefined;
    if (seen === "visiting") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "visiting");
    path.push(id);
    for (const need of byId.get(id)?.needs ?? []) {
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, "visited");
    return undefined;
  };

  for (const step of steps) {
    const cycle = visit(step.id);
    if (cycle) return cycle;
  }
  return undefined;
}

export interface Selection {
  /** Id prefixes to run, e.g. ["network", "security"] or "network,security". Empty or absent: all. */
  only?: string | readonly string[];
  /** Id prefixes to leave out. */
  skip?: string | readonly string[];
}

/** Splits flag values such as ["network,security", "edge"] into prefixes. */
export function parsePrefixes(values: string | readonly string[] | undefined): string[] {
  const list = typeof values === "string" ? [values] : (values ?? []);
  return list
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/**
 * The ids to run. A prefix that matches no step is a usage error (a typo would
 * otherwise run nothing, or everything). `isDone` says whether a step finished in an
 * earlier run, which makes it a valid stand-in for a need that is not selected.
 */
export function selectSteps(
  steps: readonly GraphNode[],
  selection: Selection,
  isDone: (id: string) => boolean,
): Set<string> {
  const only = parsePrefixes(selection.only);
  const skip = parsePrefixes(selection.skip);
  const matches = (id: string, prefixes: string[]) => prefixes.some((p) => id.startsWith(p));

  const unknown = [...only, ...skip].filter((p) => !steps.some((s) => s.id.startsWith(p)));
  if (unknown.length > 0) {
    const areas = [...new Set(steps.map((s) => s.id.split("/")[0]))].join(", ");
    throw new UsageError(
      `no step id starts with ${unknown.map((p) => `"${p}"`).join(", ")}`,
      `Step ids start with one of: ${areas}.`,
    );
  }

  const selected = new Set(
    steps.filter((s) => (only.length === 0 || matches(s.id, only)) && !matches(s.id, skip)).map((s) => s.id),
  );
  if (only.length === 0 && skip.length === 0) return selected;

  const missing: string[] = [];
  for (const step of steps) {
    if (!selected.has(step.id)) continue;
    for (const need of step.needs) {
      if (!selected.has(need) && !isDone(need)) missing.push(`step ${step.id} needs ${need}, which is neither selected nor done`);
    }
  }
  if (missing.length > 0) {
    throw new UsageError(
      `the selected steps cannot run:\n${missing.map((m) => `  - ${m}`).join("\n")}`,
      "Add the missing steps to --only (or remove them from --skip), or run without --only/--skip first.",
    );
  }
  return selected;
}
