/**
 * The steps of `kx upgrade`: the preflight, then the control-plane nodes one after the
 * other (the first with `kubeadm upgrade apply`, so the API stays served by the others
 * behind the endpoint), then the workers, `maxUnavailable` at a time. Each node's step
 * plans from what the node runs now, so a finished node is skipped and a stopped run
 * resumes at the node it stopped on.
 */
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { nodeFacts, remainingWork, upgradeNode, type NodeRole, type NodeUpgrade } from "./node-upgrade.js";
import { UPGRADE_PREFLIGHT_STEP, upgradePreflightStep } from "./preflight-step.js";
import { withV, type Version } from "./versions.js";

export { UPGRADE_PREFLIGHT_STEP } from "./preflight-step.js";

export const upgradeStepId = (role: NodeRole, name: string) => `upgrade/${role === "worker" ? "worker" : "control-plane"}:${name}`;
export const isUpgradeStep = (id: string) => id.startsWith("upgrade/");

export interface UpgradeStepsInput {
  target: Version;
  masters: readonly NodeHost[];
  workers: readonly NodeHost[];
  /** How many workers are drained at the same time (default 1). */
  maxUnavailable?: number;
  /** Steps the workers wait for besides the control plane (AWS: the launch template of the new version). */
  beforeWorkers?: readonly string[];
  drainTimeoutS?: number;
  readyTimeoutMs?: number;
}

export function upgradeSteps(input: UpgradeStepsInput): Step<KxContext>[] {
  const [first, ...others] = input.masters;
  if (!first) throw new Error("upgradeSteps needs the control-plane hosts");
  const steps: Step<KxContext>[] = [upgradePreflightStep(input.target, first, [...input.masters, ...input.workers])];
  let previous = UPGRADE_PREFLIGHT_STEP;
  for (const [i, host] of [first, ...others].entries()) {
    steps.push(nodeStep(input, first, host, i === 0 ? "first-control-plane" : "control-plane", [previous]));
    previous = steps.at(-1)!.id;
  }
  const lanes = Math.max(1, input.maxUnavailable ?? 1);
  const laneTail: string[] = Array.from({ length: lanes }, () => previous);
  input.workers.forEach((host, i) => {
    const lane = i % lanes;
    const needs = laneTail[lane] === previous ? [previous, ...(input.beforeWorkers ?? [])] : [laneTail[lane]!];
    steps.push(nodeStep(input, first, host, "worker", needs));
    laneTail[lane] = steps.at(-1)!.id;
  });
  return steps;
}

function nodeStep(input: UpgradeStepsInput, admin: NodeHost, host: NodeHost, role: NodeRole, needs: string[]): Step<KxContext> {
  const want = withV(input.target);
  const upgrade = (ctx: KxContext): NodeUpgrade => ({
    host,
    role,
    target: input.target,
    keepCordoned: (ctx.outputs(UPGRADE_PREFLIGHT_STEP)?.cordoned as string[] | undefined)?.includes(host.nodeName) ?? false,
    drainTimeoutS: input.drainTimeoutS,
    readyTimeoutMs: input.readyTimeoutMs,
  });
  return {
    id: upgradeStepId(role, host.name),
    title: `Upgrade ${host.name} to ${want}`,
    needs,
    inputs: () => ({ to: want }),
    async plan(ctx) {
      const u = upgrade(ctx);
      const facts = await nodeFacts(await ctx.ssh.session(admin.ssh), await ctx.ssh.session(host.ssh), u);
      // A dry run has no preflight outputs: a node cordoned now stays so.
      if (!ctx.outputs(UPGRADE_PREFLIGHT_STEP) && facts.node?.cordoned) u.keepCordoned = true;
      const left = remainingWork(facts, u);
      const how = role === "first-control-plane" ? "kubeadm upgrade apply" : "kubeadm upgrade node";
      return left.length === 0 ? [] : ([{ action: "run", target: `node ${host.name}`, host: host.name, detail: `${how}, drain, ${left.join(", ")}` }] satisfies Change[]);
    },
    async apply(ctx, changes) {
      if (changes.length > 0) await upgradeNode(ctx, await ctx.ssh.session(admin.ssh), upgrade(ctx));
      return { node: host.nodeName, version: want };
    },
  };
}
