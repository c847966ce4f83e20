/**
 * The Istio mesh, in Istio's install order (stack.md): the Gateway API CRDs, base (Istio's
 * CRDs, with this revision as the default one), istiod, the CNI node agent, ztunnel
 * (ambient only), then the ingress gateway in its own namespace. The observability tools
 * are separate add-ons.
 *
 * On Cilium the Istio CNI plugin is chained into Cilium's conflist (the cni chart's
 * default); that only works because Cilium runs with cni.exclusive=false and keeps
 * socket load balancing in the host namespace (cilium.ts). In sidecar mode the CNI agent
 * replaces the privileged istio-init container, which istiod must be told.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { CHARTS } from "./charts.js";
import { GATEWAY_API_STEP, gatewayApiStep } from "./gateway-api.js";
import { tracingProvider } from "./observability.js";
import { addonStep } from "./release-step.js";

export const ISTIO_BASE_STEP = "addons/istio-base";
export const ISTIOD_STEP = "addons/istiod";
export const ISTIO_CNI_STEP = "addons/istio-cni";
export const ZTUNNEL_STEP = "addons/ztunnel";
export const ISTIO_INGRESS_STEP = "addons/istio-ingress";

const SYSTEM = "istio-system";
export const INGRESS_NAMESPACE = "istio-ingress";
/** Read by the AWS cloud controller: a Network Load Balancer rather than a Classic one. */
export const NLB_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-type";

const ambient = (config: ClusterConfig) => config.addons.istio.mode === "ambient";

export function istioBaseValues(): Record<string, unknown> {
  return { defaultRevision: "default" };
}

export function istiodValues(config: ClusterConfig): Record<string, unknown> {
  // Envoy's access log on stdout, where the log collectors read containers' output.
  // With Jaeger on, istiod knows it as the OpenTelemetry tracing provider the mesh's Telemetry names.
  const meshConfig = { accessLogFile: "/dev/stdout", ...(config.addons.istio.observability.jaeger ? { extensionProviders: [tracingProvider()] } : {}) };
  return ambient(config) ? { profile: "ambient", meshConfig } : { pilot: { cni: { enabled: true } }, meshConfig };
}

export function istioCniValues(config: ClusterConfig): Record<string, unknown> {
  return ambient(config) ? { profile: "ambient" } : {};
}

/**
 * The ingress gateway's Service: a Network Load Balancer made by the AWS cloud controller;
 * without one (a hosts: cluster) nothing would give a LoadBalancer Service an address and
 * helm's --wait would wait for it forever, so it is a NodePort Service there.
 */
export function istioGatewayValues(config: ClusterConfig): Record<string, unknown> {
  return config.addons.cloudController.enabled
    ? { service: { type: "LoadBalancer", annotations: { [NLB_ANNOTATION]: "nlb" } } }
    : { service: { type: "NodePort" } };
}

/**
 * The Istio steps; `needs` are what must run first (Cilium, and on AWS the cloud controller,
 * which the gateway's load balancer needs).
 */
export function istioSteps(config: ClusterConfig, needs: string[]): Step<KxContext>[] {
  const istio = config.addons.istio;
  const chartRelease = (release: string, chart: { chart: string; repo: string }, namespace = SYSTEM) => ({ release, namespace, ...chart, version: istio.version });
  const settings = { version: istio.version, mode: istio.mode };
  const steps = [
    gatewayApiStep(config, needs),
    addonStep({
      id: ISTIO_BASE_STEP,
      title: "Istio base (CRDs, default revision)",
      needs: [GATEWAY_API_STEP],
      release: chartRelease("istio-base", CHARTS.istioBase),
      settings,
      values: async () => istioBaseValues(),
    }),
    addonStep({
      id: ISTIOD_STEP,
      title: `istiod (${istio.mode} mode)`,
      needs: [ISTIO_BASE_STEP],
      release: chartRelease("istiod", CHARTS.istiod),
      settings,
      values: async () => istiodValues(config),
    }),
    addonStep({
      id: ISTIO_CNI_STEP,
      title: "Istio CNI node agent (chained after Cilium)",
      needs: [ISTIOD_STEP],
      release: chartRelease("istio-cni", CHARTS.istioCni),
      settings,
      values: async () => istioCniValues(config),
    }),
  ];
  if (ambient(config)) {
    steps.push(
      addonStep({
        id: ZTUNNEL_STEP,
        title: "ztunnel (ambient mode's node proxy)",
        needs: [ISTIO_CNI_STEP],
        release: chartRelease("ztunnel", CHARTS.ztunnel),
        settings,
        values: async () => ({}),
      }),
    );
  }
  steps.push(
    addonStep({
      id: ISTIO_INGRESS_STEP,
      title: `Istio ingress gateway (${INGRESS_NAMESPACE})`,
      needs: [ambient(config) ? ZTUNNEL_STEP : ISTIO_CNI_STEP],
      release: chartRelease("istio-ingress", CHARTS.istioGateway, INGRESS_NAMESPACE),
      settings: { ...settings, cloudLoadBalancer: config.addons.cloudController.enabled },
      values: async () => istioGatewayValues(config),
    }),
  );
  return steps;
}
