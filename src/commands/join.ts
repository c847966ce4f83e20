/**
 * `kx join`: add nodes to a running cluster, resumable like a create.
 *
 * - `hosts:` cluster: add the machines to the config's hosts (roles worker or
 *   control-plane), then `kx join -f cluster.yaml`: every listed host that has not joined
 *   yet is joined over SSH (control-plane hosts one after the other, with the shared
 *   certificates placed first), after a join token valid for another day is published.
 * - AWS: `kx join --workers N` raises the autoscaling group's desired (and if needed max)
 *   size by N over what the group wants now (an autoscaler may have moved it since the
 *   config was written); the new instances join from their user-data with the join
 *   token in SSM.
 *   `kx join --control-plane N` launches N more masters (placed over the zones like the
 *   first ones: master-d in the first zone, ...), joins them with kubeadm one after the
 *   other and registers them with the API load balancer. Both may be given at once. The
 *   grown config is written to the cluster's saved config.yaml so the next `kx create`
 *   keeps it.
 *
 * Both run the create workflow's own steps, selected with --only, so the engine's state,
 * lock, dry-run and resume apply unchanged. Steps of the create those need that have not
 * finished (a create that stopped early) are selected too and run first. The join
 * information is looked at again on every join, so what the new nodes read in SSM holds a
 * token good for at least another day, however long ago the create was.
 */
import { stringify } from "yaml";
import type { GlobalOptions } from "../cli.js";
import { MAX_CONTROL_PLANE } from "../config/rules.js";
import { isHostsCluster, type ClusterConfig } from "../config/schema.js";
import { KxError, UsageError } from "../engine/errors.js";
import type { GraphNode } from "../engine/graph.js";
import { LocalStateStore } from "../engine/state.js";
import { placements } from "../steps/machines/placement.js";
import { workerGroupDesired } from "../steps/machines/worker-asg.js";
import type { Io } from "../ui/io.js";
import { createWorkflow } from "../workflows/create.js";
import { ioFor, loadSelectedConfig, stateDirFor } from "./support/common.js";
import { runWorkflow } from "./support/run-workflow.js";
import { saveConfig } from "./support/saved-config.js";
import { countOption } from "./support/count-option.js";

export { countOption };

/** Step ids of the create workflow that `kx join` runs (kept in step with steps/kubernetes and steps/machines). */
export const JOIN_STEPS = {
  joinInfo: "kubernetes/join-info",
  controlPlaneJoin: "kubernetes/control-plane-join",
  apiEndpoint: "kubernetes/api-endpoint",
  tokenRefreshTimer: "kubernetes/token-refresh-timer",
  workers: "kubernetes/workers",
  workersJoined: "kubernetes/workers-joined",
  workerGroup: "machines/worker-asg",
} as const;

export interface JoinOptions {
  file?: string;
  cluster?: string;
  /** AWS: how many workers to add to the autoscaling group. */
  workers?: string;
  /** AWS: how many control-plane nodes to add. */
  controlPlane?: string;
  dryRun?: boolean;
  forceUnlock?: boolean;
}

/** The config with the worker group grown by `add` over `current` (default: the config's desired; max raised when needed). */
export function withMoreWorkers(config: ClusterConfig, add: number, current = config.workers.desired): ClusterConfig {
  const desired = current + add;
  return { ...config, workers: { ...config.workers, desired, max: Math.max(config.workers.max, desired) } };
}

/** The config with `add` more control-plane nodes. */
export function withMoreControlPlane(config: ClusterConfig, add: number): ClusterConfig {
  return { ...config, controlPlane: { ...config.controlPlane, count: config.controlPlane.count + add } };
}


interface JoinPlan {
  config: ClusterConfig;
  /** Step ids the join is about (more are added when their needs have not run). */
  targets: string[];
  /** What changes, said before the run. */
  notes: string[];
}

/** What `kx join` does on an AWS cluster with these options; `liveDesired` is the worker group's desired capacity now, when known. */
export function awsJoinPlan(loaded: ClusterConfig, options: Pick<JoinOptions, "workers" | "controlPlane">, liveDesired?: number): JoinPlan {
  const workers = countOption("--workers", options.workers);
  const masters = countOption("--control-plane", options.controlPlane);
  if (workers === undefined && masters === undefined) {
    throw new UsageError("what to add? give --workers N and/or --control-plane N (N ≥ 1)");
  }
  let config = loaded;
  const targets: string[] = [];
  const notes: string[] = [];
  if (masters !== undefined) {
    const total = loaded.controlPlane.count + masters;
    if (total > MAX_CONTROL_PLANE) {
      throw new UsageError(
        `--control-plane ${masters} would make ${total} control-plane nodes; kx runs at most ${MAX_CONTROL_PLANE} (the cluster has ${loaded.controlPlane.count})`,
      );
    }
    config = withMoreControlPlane(config, masters);
    const added = placements(config, "control-plane").slice(loaded.controlPlane.count);
    targets.push(...added.map((p) => p.stepId), JOIN_STEPS.controlPlaneJoin, JOIN_STEPS.apiEndpoint, JOIN_STEPS.tokenRefreshTimer);
    notes.push(
      `control plane: ${loaded.controlPlane.count} → ${total} nodes (new: ${added.map((p) => `${p.name} in ${p.zone}`).join(", ")})`,
    );
  }
  if (workers !== undefined) {
    const current = liveDesired ?? loaded.workers.desired;
    config = withMoreWorkers(config, workers, current);
    targets.push(JOIN_STEPS.workerGroup, JOIN_STEPS.workersJoined);
    notes.push(`worker group: desired ${current} → ${config.workers.desired}, max ${config.workers.max}`);
  }
  targets.push(JOIN_STEPS.joinInfo);
  return { config, targets, notes };
}

/**
 * The targets and every step they need, directly or not, that has not finished: the
 * engine refuses to run a step whose needs are neither selected nor done.
 */
export function withUnfinishedNeeds(steps: readonly GraphNode[], targets: readonly string[], isDone: (id: string) => boolean): string[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const selected = new Set<string>();
  const visit = (id: string, target: boolean) => {
    if (selected.has(id) || (!target && isDone(id))) return;
    const step = byId.get(id);
    if (!step) throw new KxError(`kx join needs step ${id}, which the create workflow does not have`, { hint: "This is a bug in kx join's step list." });
    selected.add(id);
    for (const need of step.needs) visit(need, false);
  };
  for (const id of targets) visit(id, true);
  // The create's order, so the run reads like one.
  return steps.map((s) => s.id).filter((id) => selected.has(id));
}

export async function run(options: JoinOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const { config: loaded } = await loadSelectedConfig(options, globals, io);
  const stateDir = stateDirFor(globals, loaded.name);
  let plan: JoinPlan;
  if (isHostsCluster(loaded)) {
    for (const flag of ["workers", "controlPlane"] as const) {
      if (options[flag] === undefined) continue;
      const [name, role] = flag === "workers" ? ["--workers", "worker"] : ["--control-plane", "control-plane"];
      throw new UsageError(
        `${name} is for AWS clusters`,
        `For a hosts: cluster, add the machines to the config's hosts with role ${role} and run \`kx join -f FILE\`.`,
      );
    }
    plan = { config: loaded, targets: [JOIN_STEPS.joinInfo, JOIN_STEPS.controlPlaneJoin, JOIN_STEPS.workers], notes: [] };
  } else {
    plan = awsJoinPlan(loaded, options);
  }
  const { config } = plan;
  const state = await new LocalStateStore(stateDir, { warn: (m) => io.warn(m) }).load();
  if (!state) {
    throw new KxError(`cluster ${config.name} has no state in ${stateDir}: it was never created`, {
      source: "user",
      hint: "Create it with `kx create cluster -f FILE` first, or point --state-dir at its state directory.",
    });
  }
  const only = withUnfinishedNeeds(createWorkflow(config), plan.targets, (id) => state.steps[id]?.status === "done");
  const unfinished = only.filter((id) => !plan.targets.includes(id));
  if (unfinished.length > 0) io.warn(`the create has not finished; its steps the join needs run first: ${unfinished.join(", ")}`);

  await runWorkflow({
    command: "join",
    config,
    steps: async (session) => {
      // The worker group grows from the size it has now, which only AWS knows.
      if (options.workers !== undefined && session.aws.live) plan = awsJoinPlan(loaded, options, await workerGroupDesired(session.aws, loaded.name));
      for (const note of plan.notes) io.info(note);
      return createWorkflow(plan.config);
    },
    io,
    globals,
    dryRun: options.dryRun,
    only,
    replan: (id) => id === JOIN_STEPS.joinInfo,
    forceUnlock: options.forceUnlock,
  });
  const { config: grown } = plan;
  if (!options.dryRun && grown !== loaded) {
    await saveConfig(stateDir, stringify(grown));
    if (options.file) {
      io.warn(`the cluster has grown: set ${grownFields(loaded, grown)} in ${options.file} too, or the next create with that file works to the old size (and scales the worker group back)`);
    }
  }
  return 0;
}

/** "controlPlane.count: 4, workers.desired: 5 (max 6)" for the warning about the -f file. */
function grownFields(before: ClusterConfig, after: ClusterConfig): string {
  const fields: string[] = [];
  if (after.controlPlane.count !== before.controlPlane.count) fields.push(`controlPlane.count: ${after.controlPlane.count}`);
  if (after.workers.desired !== before.workers.desired) fields.push(`workers.desired: ${after.workers.desired} (and max: ${after.workers.max})`);
  return fields.join(", ");
}
