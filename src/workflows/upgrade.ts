/**
 * The steps of `kx upgrade`: the upgrade steps over every node kx can reach (the
 * config's hosts, or on AWS the masters and the worker group's running instances), and
 * on AWS the create's own node image and worker launch template steps, planned with the
 * new version: the image is built before any node is touched (a failed Packer build
 * leaves the cluster as it was), the launch template moves to it once the control plane
 * runs the new version, so the workers the group starts from then on join at it.
 */
import { isHostsCluster, type ClusterConfig } from "../config/schema.js";
import type { Step } from "../engine/types.js";
import type { KxContext } from "../steps/context.js";
import { imageStepId } from "../steps/images/catalog.js";
import { LAUNCH_TEMPLATE_STEP } from "../steps/machines/worker-launch-template.js";
import { isUpgradeStep, UPGRADE_PREFLIGHT_STEP, upgradeSteps, type UpgradeStepsInput } from "../steps/upgrade/index.js";
import type { Version } from "../steps/upgrade/versions.js";
import { createWorkflow } from "./create.js";
import type { Session } from "./session.js";

/** The steps, those to run (the rest of the list is the create's, there for their outputs), and those planned afresh. */
export interface UpgradeWorkflow {
  steps: Step<KxContext>[];
  only: string[];
  replan: (id: string) => boolean;
}

export type UpgradeTuning = Pick<UpgradeStepsInput, "maxUnavailable" | "drainTimeoutS" | "readyTimeoutMs">;

/** `config` already carries the target version. */
export async function upgradeWorkflow(config: ClusterConfig, session: Session, target: Version, tuning: UpgradeTuning = {}): Promise<UpgradeWorkflow> {
  const inventory = session.inventory((id) => session.state.steps[id]?.outputs);
  const masters = await inventory.hosts("control-plane");
  if (isHostsCluster(config)) {
    const steps = upgradeSteps({ ...tuning, target, masters, workers: await inventory.hosts("worker") });
    return { steps, only: steps.map((s) => s.id), replan: (id) => id !== UPGRADE_PREFLIGHT_STEP };
  }
  let workers: Awaited<ReturnType<typeof inventory.hosts>> = [];
  if (session.aws.live) {
    const { autoscaledWorkers } = await import("../steps/machines/asg-workers.js");
    workers = await autoscaledWorkers(session.aws, new AbortController().signal, config, (await inventory.bastion())?.ssh);
  }
  const nodes = upgradeSteps({ ...tuning, target, masters, workers, beforeWorkers: [LAUNCH_TEMPLATE_STEP] });
  const masterSteps = nodes.filter((s) => s.id.startsWith("upgrade/control-plane:"));
  const [firstMaster, lastMaster] = [masterSteps[0]!.id, masterSteps.at(-1)!.id];
  const image = imageStepId("node");
  // The image is built before the first node is touched; the template moves once the control plane runs the new version.
  const create = createWorkflow(config).map((s) => (s.id === LAUNCH_TEMPLATE_STEP ? { ...s, needs: [...s.needs, lastMaster] } : s));
  const ordered = nodes.map((s) => (s.id === firstMaster ? { ...s, needs: [...s.needs, image] } : s));
  return {
    steps: [...ordered, ...create],
    only: [...nodes.map((s) => s.id), image, LAUNCH_TEMPLATE_STEP],
    replan: (id) => (isUpgradeStep(id) && id !== UPGRADE_PREFLIGHT_STEP) || id === image || id === LAUNCH_TEMPLATE_STEP,
  };
}
