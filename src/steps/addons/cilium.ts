/**
 * addons/cilium: the pod network, and the kube-proxy replacement (kubeadm skipped
 * kube-proxy), so the agent reaches the API through the control-plane endpoint itself.
 * Socket load balancing stays in the host namespace and the CNI config is shared, as
 * Istio's ambient mode needs. The IPAM mode cannot change on a live cluster.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { API_PORT } from "../kubernetes/kubeadm-config.js";
import { waitForNodesReady } from "../kubernetes/nodes.js";
import { controlPlaneEndpointHost } from "../kubernetes/settings.js";
import { CHARTS } from "./charts.js";
import { addonStep } from "./release-step.js";

export const CILIUM_STEP = "addons/cilium";

export function ciliumValues(config: ClusterConfig, apiHost: string): Record<string, unknown> {
  const { ipam, hubble } = config.addons.cilium;
  return {
    kubeProxyReplacement: true,
    k8sServiceHost: apiHost,
    k8sServicePort: API_PORT,
    ...(ipam === "eni"
      ? { ipam: { mode: "eni" }, eni: { enabled: true }, routingMode: "native" }
      : { ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [config.network.podCidr] } } }),
    socketLB: { hostNamespaceOnly: true },
    cni: { exclusive: false },
    operator: { replicas: 2 },
    hubble: hubble ? { enabled: true, relay: { enabled: true }, ui: { enabled: true } } : { enabled: false },
  };
}

export function ciliumStep(config: ClusterConfig, needs: string[]): Step<KxContext> {
  return addonStep({
    id: CILIUM_STEP,
    title: "Cilium (pod network, kube-proxy replacement)",
    needs,
    release: { release: "cilium", namespace: "kube-system", ...CHARTS.cilium, version: config.addons.cilium.version },
    settings: { ...config.addons.cilium, podCidr: config.network.podCidr },
    values: async (ctx) => ciliumValues(config, await controlPlaneEndpointHost(ctx)),
    // The network is in when every node is Ready: each node's agent has written its CNI config.
    settled: async (ctx, session) => void (await waitForNodesReady(session, ctx.signal, 5 * 60_000)),
  });
}
