/** Giving `hosts:` machines back: Kubernetes reset on every node, then etcd stopped and its data removed. */
import type { Step } from "../engine/types.js";
import type { KxContext } from "../steps/context.js";
import { RESET_STEP, resetStep } from "../steps/kubernetes/index.js";
import { etcdResetStep } from "../steps/etcd/reset-step.js";

export function resetSteps(): Step<KxContext>[] {
  // etcd goes last: the API servers are stopped by kubeadm reset before their store goes away.
  return [resetStep(), etcdResetStep([RESET_STEP])];
}
