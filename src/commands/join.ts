/**
 * `kx join`: add nodes to a running cluster, resumable like a create.
 *
 * - `hosts:` cluster: add the machines to the config's hosts (roles worker or
 *   control-plane), then `kx join -f cluster.yaml`: every listed host that has not joined
 *   yet is joined over SSH (control-plane hosts one after the other, with the shared
 *   certificates placed first), after a join token valid for another day is published.
 * - AWS: `kx join --workers N` publishes a fresh join token to SSM first, then raises the
 *   autoscaling group's desired (and if needed max) size by N; the new instances join
 *   from their user-data with that token. The new size is written to the cluster's saved
 *   config.yaml so the next `kx create` keeps it.
 *
 * Both run the create workflow's own steps, selected with --only, so the engine's state,
 * lock, dry-run and resume apply unchanged.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import type { GlobalOptions } from "../cli.js";
import { isHostsCluster, type ClusterConfig } from "../config/schema.js";
import { UsageError } from "../engine/errors.js";
import type { Io } from "../ui/io.js";
import { createWorkflow } from "../workflows/create.js";
import { ioFor, loadSelectedConfig, stateDirFor } from "./support/common.js";
import { runWorkflow } from "./support/run-workflow.js";

/** Step ids of the create workflow that `kx join` runs (kept in step with steps/kubernetes and steps/machines). */
export const JOIN_STEPS = {
  joinInfo: "kubernetes/join-info",
  controlPlaneJoin: "kubernetes/control-plane-join",
  workers: "kubernetes/workers",
  workerGroup: "machines/worker-asg",
} as const;

export interface JoinOptions {
  file?: string;
  cluster?: string;
  /** AWS: how many workers to add to the autoscaling group. */
  workers?: string;
  dryRun?: boolean;
  forceUnlock?: boolean;
}

/** The config with the worker group grown by `add` (max raised when needed). */
export function withMoreWorkers(config: ClusterConfig, add: number): ClusterConfig {
  const desired = config.workers.desired + add;
  return { ...config, workers: { ...config.workers, desired, max: Math.max(config.workers.max, desired) } };
}

export async function run(options: JoinOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const { config: loaded } = await loadSelectedConfig(options, globals, io);
  const stateDir = stateDirFor(globals, loaded.name);
  let config = loaded;
  let only: string[];
  if (isHostsCluster(loaded)) {
    if (options.workers !== undefined) {
      throw new UsageError("--workers is for AWS clusters", "For a hosts: cluster, add the machines to the config's hosts and run `kx join -f FILE`.");
    }
    only = [JOIN_STEPS.joinInfo, JOIN_STEPS.controlPlaneJoin, JOIN_STEPS.workers];
  } else {
    const add = Number(options.workers);
    if (!Number.isInteger(add) || add < 1) throw new UsageError("how many workers? give --workers N (N ≥ 1)");
    config = withMoreWorkers(loaded, add);
    only = [JOIN_STEPS.joinInfo, JOIN_STEPS.workerGroup];
    io.info(`worker group: desired ${loaded.workers.desired} → ${config.workers.desired}, max ${config.workers.max}`);
  }
  await runWorkflow({
    command: "join",
    config,
    steps: () => createWorkflow(config),
    io,
    globals,
    dryRun: options.dryRun,
    only,
    forceUnlock: options.forceUnlock,
  });
  if (!options.dryRun && config !== loaded) {
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, "config.yaml"), stringify(config), { mode: 0o600 });
    if (options.file) io.warn(`the worker group now wants ${config.workers.desired} workers: set workers.desired (and max) in ${options.file} too, or the next create with that file scales it back`);
  }
  return 0;
}
