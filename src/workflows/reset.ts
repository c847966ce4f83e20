/** Giving `hosts:` machines back: Kubernetes reset on every node, then etcd stopped and its data removed. */
import type { Step } from "../engine/types.js";
import type { KxContext } from "../steps/context.js";
import { resetStep } from "../steps/kubernetes/index.js";

export function resetSteps(): Step<KxContext>[] {
  return [resetStep()];
}
