/**
 * `kx destroy`: everything the cluster owns, in dependency order, found by the
 * kx:cluster tag and by the ids in the state (so a lost or half-written state still
 * cleans up), starting with what Kubernetes made for it (load balancers and their
 * security groups). Safe to run again: what is gone counts as deleted. AMIs are shared
 * between clusters and kept.
 *
 * Three entry points:
 * - destroyPlan(ctx): what would be deleted, grouped by type (dry run, confirmation);
 * - destroyCluster(ctx, options): deletes it all, phases in parallel where the order allows;
 * - destroySteps(options): the same phases as engine steps (destroy/<phase>) for a workflow.
 */
import type { Change, Outputs, Step } from "../../engine/types.js";
import { KxError } from "../../engine/errors.js";
import { autoscalingGroups, instances, keyPairs, launchTemplates } from "./phases/compute.js";
import { dnsPublicRecord, hostedZones } from "./phases/dns.js";
import { iamRoles, instanceProfiles } from "./phases/iam.js";
import { loadBalancers, targetGroups } from "./phases/load-balancers.js";
import { elasticIps, internetGateways, natGateways, networkInterfaces, routeTables, subnets, vpcs } from "./phases/network.js";
import { rdsInstances, rdsSubnetGroups } from "./phases/rds.js";
import { securityGroups } from "./phases/security-groups.js";
import { volumes } from "./phases/volumes.js";
import { ecrRepositories, ssmParameters } from "./phases/ssm-ecr.js";
import { DestroyBlockedError, type Blocked } from "./retry.js";
import type { DestroyContext, DestroyItem, DestroyOptions, DestroyPhase, KeptItem, PhaseRun } from "./types.js";

export type { DestroyContext, DestroyItem, DestroyOptions, KeptItem } from "./types.js";
export { DestroyBlockedError } from "./retry.js";

/** In the order a reader expects; `after` is what really orders them. */
export const DESTROY_PHASES: readonly DestroyPhase[] = [
  dnsPublicRecord,
  loadBalancers,
  targetGroups,
  autoscalingGroups,
  instances,
  launchTemplates,
  keyPairs,
  volumes,
  rdsInstances,
  rdsSubnetGroups,
  natGateways,
  elasticIps,
  hostedZones,
  networkInterfaces,
  securityGroups,
  routeTables,
  subnets,
  internetGateways,
  vpcs,
  instanceProfiles,
  iamRoles,
  ssmParameters,
  ecrRepositories,
];

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export interface DestroyGroup {
  phase: string;
  type: string;
  items: DestroyItem[];
}

export interface DestroyPlan {
  cluster: string;
  /** Non-empty groups, in phase order. */
  groups: DestroyGroup[];
  total: number;
}

/** What would be deleted, grouped by type. Reads only. */
export async function destroyPlan(ctx: DestroyContext): Promise<DestroyPlan> {
  if (!ctx.aws.live) throw new KxError("internal error: destroyPlan needs AWS credentials (aws.live is false)");
  const found = await Promise.all(DESTROY_PHASES.map(async (phase) => ({ phase: phase.name, type: phase.type, items: await phase.discover(ctx) })));
  const groups = found.filter((g) => g.items.length > 0);
  return { cluster: ctx.cluster, groups, total: groups.reduce((n, g) => n + g.items.length, 0) };
}

/** The plan as lines for the terminal: "NAT gateway (3): nat-… (lab-eu-west-1a), …". */
export function formatDestroyPlan(plan: DestroyPlan): string {
  if (plan.total === 0) return `Nothing of cluster ${plan.cluster} is left in AWS.`;
  const lines = plan.groups.map((g) => {
    const items = g.items.map((i) => (i.name && i.name !== i.id ? `${i.id} (${i.name})` : i.id));
    return `  ${g.type} (${g.items.length}):\n${items.map((i) => `    - ${i}`).join("\n")}`;
  });
  return `${plan.total} resource${plan.total === 1 ? "" : "s"} of cluster ${plan.cluster} would be deleted:\n${lines.join("\n")}`;
}

export interface DestroyResult {
  deleted: DestroyGroup[];
  kept: KeptItem[];
}

/**
 * Deletes everything of the cluster. Phases run as soon as the phases they follow are
 * done; a blocked phase stops only the phases after it, and every blocked resource is
 * reported at the end in one DestroyBlockedError, with what blocks it.
 */
export async function destroyCluster(ctx: DestroyContext, options: DestroyOptions = {}): Promise<DestroyResult> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const result: DestroyResult = { deleted: [], kept: [] };
  const state = new Map<string, "ok" | "failed">();
  const blocked: Blocked[] = [];
  let fatal: unknown;

  const runPhase = async (phase: DestroyPhase): Promise<void> => {
    const items = await phase.discover(ctx);
    if (items.length === 0) return;
    ctx.log.progress(phase.name, `deleting ${items.length} ${phase.type}${items.length === 1 ? "" : "s"}`);
    const kept: KeptItem[] = [];
    const run: PhaseRun = { ctx, options, deadline, keep: (item, reason) => kept.push({ phase: phase.name, item, reason }) };
    await phase.remove(items, run);
    const keptIds = new Set(kept.map((k) => k.item.id));
    result.deleted.push({ phase: phase.name, type: phase.type, items: items.filter((i) => !keptIds.has(i.id)) });
    result.kept.push(...kept);
    for (const k of kept) ctx.log.warn(`kept ${phase.type} ${k.item.id}: ${k.reason}`);
  };

  await new Promise<void>((resolve) => {
    const waiting = [...DESTROY_PHASES];
    let running = 0;
    const pump = () => {
      for (let i = 0; i < waiting.length && fatal === undefined && !ctx.signal.aborted; ) {
        const phase = waiting[i]!;
        if (phase.after.some((a) => state.get(a) === "failed")) {
          waiting.splice(i, 1);
          state.set(phase.name, "failed");
          continue;
        }
        if (!phase.after.every((a) => state.get(a) === "ok")) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        running++;
        runPhase(phase)
          .then(
            () => state.set(phase.name, "ok"),
            (e: unknown) => {
              state.set(phase.name, "failed");
              if (e instanceof DestroyBlockedError) blocked.push(...e.blocked);
              else fatal ??= e;
            },
          )
          .finally(() => {
            running--;
            pump();
          });
        i = 0;
      }
      if (running === 0) resolve();
    };
    pump();
  });

  if (fatal !== undefined) throw fatal;
  if (blocked.length > 0) throw new DestroyBlockedError(blocked);
  if (ctx.signal.aborted) throw new KxError("destroy interrupted; run `kx destroy` again to finish", { source: "user", exitCode: 130 });
  return result;
}

/**
 * The phases as engine steps, for a destroy workflow: the runner shows progress, and a
 * dry run prints each step's planned deletions. Run them with a state where these
 * steps are not recorded as done (a fresh or in-memory state), since a finished
 * destroy step is skipped on a re-run.
 */
export function destroySteps<C extends DestroyContext>(options: DestroyOptions = {}): Step<C>[] {
  return DESTROY_PHASES.map(
    (phase): Step<C> => ({
      id: `destroy/${phase.name}`,
      title: `delete ${phase.type}s`,
      needs: phase.after.map((a) => `destroy/${a}`),
      async plan(ctx) {
        if (!ctx.aws.live) return [{ action: "delete", target: `${phase.type}s of ${ctx.cluster}`, detail: "whatever exists (planned without AWS credentials)" }];
        return (await phase.discover(ctx)).map(
          (item): Change => ({ action: "delete", target: `${phase.type} ${item.id}`, ...(item.name && item.name !== item.id ? { detail: item.name } : {}) }),
        );
      },
      async apply(ctx): Promise<Outputs> {
        const items = await phase.discover(ctx);
        const kept: string[] = [];
        const run: PhaseRun = {
          ctx,
          options,
          deadline: Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
          keep: (item, reason) => {
            kept.push(item.id);
            ctx.log.warn(`kept ${phase.type} ${item.id}: ${reason}`);
          },
        };
        if (items.length > 0) await phase.remove(items, run);
        return { deleted: items.length - kept.length, kept };
      },
    }),
  );
}
