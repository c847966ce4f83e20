/** The lines at the end of a create: only what exists is named. */
import { describe, expect, it } from "vitest";
import { clusterFacts } from "../../src/commands/support/cluster-facts.js";
import { deriveConfig } from "../../src/config/derive.js";
import { newStateDoc } from "../../src/engine/state.js";
import { parseConfig } from "../steps/pki/fake-context.js";

const config = deriveConfig(parseConfig({ region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], dns: { zone: "lab.example.com" } }) as never);

function stateWith(done: Record<string, Record<string, unknown>>) {
  const state = newStateDoc("lab", "test");
  for (const [id, outputs] of Object.entries(done)) state.steps[id] = { status: "done", outputs };
  return state;
}

describe("clusterFacts", () => {
  it("names the API through its DNS name, the kubeconfig command, the bastion and the dashboards that are installed", () => {
    const facts = clusterFacts(
      config,
      stateWith({
        "edge/dns": { apiFqdn: "api.lab.example.com" },
        "edge/bastion": { publicIp: "203.0.113.7" },
        "kubernetes/control-plane-init": {},
        "addons/cilium": {},
        "addons/istio-base": {},
        "addons/istio-ingress": {},
      }),
      "/state/lab",
    );
    expect(facts).toEqual([
      ["API endpoint", "https://api.lab.example.com:6443"],
      ["Kubeconfig", "kx kubeconfig --cluster lab   (merges context kx-lab into ~/.kube/config)"],
      ["Bastion", "203.0.113.7   (kx ssh --cluster lab NODE)"],
      ["Dashboard", "Hubble UI: kubectl -n kube-system port-forward svc/hubble-ui 12000:80"],
      ["Ingress", "kubectl -n istio-ingress get svc istio-ingress   (the gateway's load balancer)"],
      ["Config", "/state/lab/config.yaml"],
    ]);
  });

  it("names no dashboard of a tool that was not installed, even with Istio in", () => {
    const facts = clusterFacts(config, stateWith({ "addons/istio-base": {}, "addons/istiod": {} }), "/s");
    expect(facts.filter(([k]) => k === "Dashboard")).toEqual([]);
  });

  it("names Grafana once the kube-prometheus-stack release (addons/prometheus) is in and Grafana is on; Kiali and Jaeger by their own steps", () => {
    const done = stateWith({ "addons/istiod": {}, "addons/prometheus": {}, "addons/kiali": {}, "addons/jaeger": {} });
    expect(clusterFacts(config, done, "/s").filter(([k]) => k === "Dashboard")).toEqual([
      ["Dashboard", "Grafana: kubectl -n istio-system port-forward svc/grafana 3000:80"],
      ["Dashboard", "Kiali: kubectl -n istio-system port-forward svc/kiali 20001"],
      ["Dashboard", "Jaeger: kubectl -n istio-system port-forward svc/jaeger 16686"],
    ]);
    const noGrafana = { ...config, addons: { ...config.addons, istio: { ...config.addons.istio, observability: { ...config.addons.istio.observability, grafana: false } } } };
    expect(clusterFacts(noGrafana, done, "/s").filter(([, line]) => line.startsWith("Grafana"))).toEqual([]);
  });
});
