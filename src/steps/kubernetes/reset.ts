/**
 * kubernetes/reset: `kx destroy` on a `hosts:` cluster gives the machines back instead of
 * deleting them: `kubeadm reset --force` on every worker, then every master (the first
 * one last), and kx's own files removed. A node with nothing of Kubernetes left is
 * skipped, so an interrupted destroy resumes.
 */
import type { Change, Step } from "../../engine/types.js";
import type { SshSession } from "../../ssh/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { KUBELET_CONF, KX_DIR, fileExists, run } from "./remote.js";

export const RESET_STEP = "kubernetes/reset";
const MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";

async function nodesInResetOrder(ctx: KxContext): Promise<NodeHost[]> {
  const masters = await ctx.inventory.hosts("control-plane");
  const workers = await ctx.inventory.hosts("worker");
  return [...workers, ...masters.slice(1).reverse(), ...masters.slice(0, 1)];
}

async function hasKubernetes(session: SshSession): Promise<boolean> {
  return (await fileExists(session, KUBELET_CONF)) || (await fileExists(session, MANIFEST)) || (await fileExists(session, KX_DIR));
}

export function resetStep(needs: string[] = []): Step<KxContext> {
  return {
    id: RESET_STEP,
    title: "Reset the Kubernetes nodes (kubeadm reset)",
    needs,
    async plan(ctx) {
      const changes: Change[] = [];
      for (const host of await nodesInResetOrder(ctx)) {
        if (await hasKubernetes(await ctx.ssh.session(host.ssh))) {
          changes.push({ action: "delete", target: `host ${host.name}`, host: host.name, detail: "kubeadm reset --force" });
        }
      }
      return changes;
    },
    async apply(ctx) {
      const reset: string[] = [];
      for (const host of await nodesInResetOrder(ctx)) {
        const session = await ctx.ssh.session(host.ssh);
        if (!(await hasKubernetes(session))) continue;
        ctx.log.progress(host.name, "kubeadm reset");
        await run(session, "kubeadm reset --force", "kubeadm reset");
        await run(session, `rm -rf ${KX_DIR}`, "remove kx's kubeadm configs");
        reset.push(host.name);
      }
      return { reset };
    },
  };
}
