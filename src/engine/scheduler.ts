/**
 * Runs the nodes of a DAG as soon as their needs have finished well, at most
 * `concurrency` at once, in list order among the ready ones. A node whose need finished
 * badly is not run (reported through `onBlocked`, transitively). Needs that are not in
 * `nodes` count as satisfied (the caller has checked them).
 */
export type Finish = "ok" | "bad";

export interface ScheduleOptions<T> {
  concurrency: number;
  /** Checked before each start: true stops starting new nodes (those in flight finish). */
  stopped(): boolean;
  run(node: T): Promise<Finish>;
  onBlocked(node: T, blockedBy: string[]): void;
}

/** Resolves when nothing is in flight and nothing more can start; `fatal` is the first rejection of `run`. */
export function scheduleDag<T extends { id: string; needs: readonly string[] }>(
  nodes: readonly T[],
  options: ScheduleOptions<T>,
): Promise<{ fatal?: unknown }> {
  const inGraph = new Set(nodes.map((n) => n.id));
  const finished = new Map<string, Finish>();
  const waiting = [...nodes];
  let running = 0;
  let fatal: { error: unknown } | undefined;

  return new Promise((resolve) => {
    const block = () => {
      for (let changed = true; changed; ) {
        changed = false;
        for (let i = 0; i < waiting.length; i++) {
          const node = waiting[i]!;
          const blockedBy = node.needs.filter((n) => finished.get(n) === "bad");
          if (blockedBy.length === 0) continue;
          waiting.splice(i--, 1);
          finished.set(node.id, "bad");
          options.onBlocked(node, blockedBy);
          changed = true;
        }
      }
    };
    const pump = () => {
      const stop = () => fatal !== undefined || options.stopped();
      // Once stopped, the nodes left were never started: they are not blocked.
      if (!stop()) block();
      for (let i = 0; i < waiting.length && running < options.concurrency && !stop(); ) {
        const node = waiting[i]!;
        if (!node.needs.every((n) => !inGraph.has(n) || finished.get(n) === "ok")) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        running++;
        options
          .run(node)
          .then(
            (how) => finished.set(node.id, how),
            (error: unknown) => {
              fatal ??= { error };
              finished.set(node.id, "bad");
            },
          )
          .finally(() => {
            running--;
            pump();
          });
      }
      if (running === 0) resolve(fatal ? { fatal: fatal.error } : {});
    };
    pump();
  });
}
