/**
 * The steps of `kx destroy`. On AWS: every resource the cluster owns, in dependency
 * order, found by a tag sweep and the ids in the state (so a lost state still cleans
 * up). On a `hosts:` cluster: the machines are reset, not deleted.
 */
import { isHostsCluster, type ClusterConfig } from "../config/schema.js";
import type { Step } from "../engine/types.js";
import type { KxContext } from "../steps/context.js";
import { destroySteps, type DestroyOptions } from "../steps/destroy/index.js";
import { resetSteps } from "./reset.js";

export function destroyWorkflow(config: ClusterConfig, options: DestroyOptions = {}): Step<KxContext>[] {
  return isHostsCluster(config) ? resetSteps() : destroySteps<KxContext>(options);
}

/** Destroy steps always look again: a finished one from an earlier destroy must not be skipped. */
export function isDestroyStep(id: string): boolean {
  return id.startsWith("destroy/") || id === "kubernetes/reset" || id === "etcd/reset";
}
