/** The lines at the end of a create: where the API is, how to get a kubeconfig, where the dashboards are. */
import type { ClusterConfig } from "../../config/schema.js";
import type { StateDoc } from "../../engine/state.js";

function output(state: StateDoc, step: string, key: string): string | undefined {
  const value = state.steps[step]?.outputs?.[key];
  return typeof value === "string" ? value : undefined;
}

export function clusterFacts(config: ClusterConfig, state: StateDoc, stateDir: string): [string, string][] {
  const facts: [string, string][] = [];
  const endpoint = output(state, "edge/dns", "apiFqdn") ?? output(state, "edge/api-lb", "dnsName");
  // A hosts: cluster has neither: its endpoint is what the kubernetes step waited on (scheme and port included).
  const api = endpoint ? `https://${endpoint}:6443` : output(state, "kubernetes/api-endpoint", "apiEndpoint");
  if (api) facts.push(["API endpoint", api]);
  if (state.steps["kubernetes/control-plane-init"]?.status === "done") {
    facts.push(["Kubeconfig", `kx kubeconfig --cluster ${config.name}   (merges context kx-${config.name} into ~/.kube/config)`]);
  }
  const bastion = output(state, "edge/bastion", "publicIp");
  if (bastion) facts.push(["Bastion", `${bastion}   (kx ssh --cluster ${config.name} NODE)`]);
  // A dashboard is named once the step that installs it is done (each tool its own step).
  const installed = (step: string) => state.steps[step]?.status === "done";
  const { cilium } = config.addons;
  if (cilium.enabled && cilium.hubble && installed("addons/cilium")) facts.push(["Dashboard", "Hubble UI: kubectl -n kube-system port-forward svc/hubble-ui 12000:80"]);
  const dashboards: [string, string][] = [
    // Grafana comes with Prometheus, from one kube-prometheus-stack release.
    ...(config.addons.istio.observability.grafana ? [["addons/prometheus", "Grafana: kubectl -n istio-system port-forward svc/grafana 3000:80"] as [string, string]] : []),
    ["addons/kiali", "Kiali: kubectl -n istio-system port-forward svc/kiali 20001"],
    ["addons/jaeger", "Jaeger: kubectl -n istio-system port-forward svc/jaeger 16686"],
    ["addons/efk", "Kibana: kubectl -n elastic-system port-forward svc/kibana-kb-http 5601"],
  ];
  for (const [step, line] of dashboards) if (installed(step)) facts.push(["Dashboard", line]);
  if (installed("addons/istio-ingress")) facts.push(["Ingress", "kubectl -n istio-ingress get svc istio-ingress   (the gateway's load balancer)"]);
  facts.push(["Config", `${stateDir}/config.yaml`]);
  return facts;
}
