/**
 * kubernetes/api-endpoint: on AWS the masters are registered with the API load balancer
 * (edge's registerApiTargets); then kx waits until the API answers /readyz through the
 * control-plane endpoint, as every node and client will reach it.
 */
import { isHostsCluster } from "../../config/schema.js";
import { KxError } from "../../engine/errors.js";
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { planApiTargets, registerApiTargets } from "../edge/api-load-balancer.js";
import { apiReady, sleep } from "./remote.js";
import { API_PORT } from "./kubeadm-config.js";
import { clusterSettings, controlPlaneHosts, mastersNotLaunched } from "./settings.js";

export const API_ENDPOINT_STEP = "kubernetes/api-endpoint";

export interface ApiEndpointOptions {
  timeoutMs?: number;
}

export function apiEndpointStep(needs: string[], options: ApiEndpointOptions = {}): Step<KxContext> {
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  return {
    id: API_ENDPOINT_STEP,
    title: "Register the masters with the API endpoint and wait until it is healthy",
    needs,
    async plan(ctx) {
      let masters;
      try {
        masters = await controlPlaneHosts(ctx);
      } catch {
        return [{ action: "run", target: "API endpoint", detail: "register the masters, wait for /readyz" }];
      }
      const changes: Change[] = isHostsCluster(ctx.config) ? [] : await planApiTargets(ctx, masters.map((m) => m.privateIp));
      for (const p of await mastersNotLaunched(ctx)) {
        changes.push({ action: "create", target: `API target ${p.name}:${API_PORT}`, detail: `its private IP, once its instance in ${p.zone} runs` });
      }
      try {
        const ready = await apiReady(await ctx.ssh.session(masters[0]!.ssh));
        if (!ready.ok) changes.push({ action: "run", target: "API endpoint", detail: "wait for /readyz" });
      } catch {
        changes.push({ action: "run", target: "API endpoint", detail: "wait for /readyz" });
      }
      return changes;
    },
    async apply(ctx) {
      const masters = await controlPlaneHosts(ctx);
      const settings = await clusterSettings(ctx);
      if (!isHostsCluster(ctx.config)) await registerApiTargets(ctx, masters.map((m) => m.privateIp));
      // admin.conf points at the control-plane endpoint, so this goes through the load balancer.
      const session = await ctx.ssh.session(masters[0]!.ssh);
      const deadline = Date.now() + timeoutMs;
      let delay = 1_000;
      for (;;) {
        const ready = await apiReady(session);
        if (ready.ok) break;
        if (Date.now() + delay > deadline) {
          throw new KxError(
            `the Kubernetes API did not become healthy at https://${settings.controlPlaneEndpoint} within ${Math.round(timeoutMs / 1000)}s ` +
              `(last answer, from ${masters[0]!.name}: ${ready.detail || "none"})`,
            {
              hint: isHostsCluster(ctx.config)
                ? `Check the kubelet and kube-apiserver on ${masters[0]!.name} (systemctl status kubelet, /var/log/kubelet.log).`
                : "Check that the masters are healthy targets of the API load balancer's target group and that port 6443 is open to it.",
            },
          );
        }
        await sleep(delay, ctx.signal);
        delay = Math.min(delay * 2, 10_000);
      }
      return { apiEndpoint: `https://${settings.controlPlaneEndpoint}` };
    },
  };
}
