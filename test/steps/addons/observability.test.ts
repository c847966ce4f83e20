/** Istio's observability steps: which steps the toggles turn on and in what order, their charts and values, the mesh's tracing. */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { deriveConfig } from "../../../src/config/derive.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import { istiodValues } from "../../../src/steps/addons/istio.js";
import {
  ISTIO_DASHBOARDS,
  jaegerValues,
  kialiValues,
  meshTelemetry,
  observabilitySteps,
  prometheusStackValues,
  PROMETHEUS_URL,
} from "../../../src/steps/addons/observability.js";
import type { SecretStore } from "../../../src/secrets/store.js";
import { fakeContext, parseConfig } from "../pki/fake-context.js";

const HOSTS = { hosts: [{ name: "m", address: "10.0.0.1", roles: ["control-plane", "etcd"] }] };
const config = (istio: object = {}): ClusterConfig => deriveConfig(parseConfig({ ...HOSTS, addons: { istio } }) as never);
const ids = (c: ClusterConfig) => observabilitySteps(c).map((s) => [s.id, s.needs]);

describe("observability steps", () => {
  it("all on by default with Istio: Prometheus+Grafana and Jaeger after istiod, Kiali after what it reads", () => {
    expect(ids(config())).toEqual([
      ["addons/prometheus", ["addons/istiod"]],
      ["addons/jaeger", ["addons/istiod"]],
      ["addons/kiali", ["addons/istiod", "addons/prometheus", "addons/jaeger"]],
    ]);
  });

  it("each toggle switches its own step; Grafana alone still needs the kube-prometheus-stack release; none on, no step", () => {
    expect(ids(config({ observability: { prometheus: false, grafana: false, jaeger: false } }))).toEqual([["addons/kiali", ["addons/istiod"]]]);
    expect(ids(config({ observability: { prometheus: false, kiali: false, jaeger: false } }))).toEqual([["addons/prometheus", ["addons/istiod"]]]);
    expect(ids(config({ observability: { prometheus: false, grafana: false, kiali: false, jaeger: false } }))).toEqual([]);
  });

  it("charts from their repositories at the configured versions, in istio-system; a changed version is a changed input", () => {
    const c = config({ observabilityCharts: { kiali: "2.30.0" } });
    const releases = observabilitySteps(c).map((s) => (s.inputs() as { release: object }).release);
    expect(releases).toEqual([
      { release: "kube-prometheus-stack", namespace: "istio-system", chart: "kube-prometheus-stack", repo: "https://prometheus-community.github.io/helm-charts", version: "79.7.1" },
      { release: "jaeger", namespace: "istio-system", chart: "jaeger", repo: "https://jaegertracing.github.io/helm-charts", version: "4.14.1" },
      { release: "kiali", namespace: "istio-system", chart: "kiali-server", repo: "https://kiali.org/helm-charts", version: "2.30.0" },
    ]);
    expect(() => config({ observabilityCharts: { jaeger: "latest" } })).toThrow();
  });

  it("Prometheus scrapes istiod, every Envoy and (ambient) ztunnel; Grafana is svc/grafana with Istio's five dashboards from grafana.com", () => {
    const values = prometheusStackValues(config()) as { prometheus: Record<string, unknown>; grafana: Record<string, any> };
    expect(values.prometheus).toMatchObject({ enabled: true, prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false } });
    expect((values.prometheus.additionalServiceMonitors as { name: string; endpoints: object[] }[]).map((m) => [m.name, m.endpoints])).toEqual([["istiod", [{ port: "http-monitoring", interval: "15s" }]]]);
    expect((values.prometheus.additionalPodMonitors as { name: string }[]).map((m) => m.name)).toEqual(["envoy-stats", "ztunnel"]);
    expect(values.grafana.fullnameOverride).toBe("grafana");
    const dashboards = values.grafana.dashboards.istio as Record<string, { gnetId: number; datasource: string; revision: number }>;
    expect(Object.values(dashboards).map((d) => d.gnetId).sort((a, b) => a - b)).toEqual([7630, 7636, 7639, 7645, 11829]);
    expect(Object.keys(dashboards)).toEqual(Object.keys(ISTIO_DASHBOARDS));
    expect(Object.values(dashboards).every((d) => d.datasource === "Prometheus" && d.revision > 1)).toBe(true);
    // The provider reads the folder the chart downloads the "istio" dashboards into.
    expect(values.grafana.dashboardProviders["dashboardproviders.yaml"].providers).toEqual([expect.objectContaining({ name: "istio", type: "file", options: { path: "/var/lib/grafana/dashboards/istio" } })]);

    const sidecar = prometheusStackValues(config({ mode: "sidecar", observability: { grafana: false } })) as { prometheus: { additionalPodMonitors: { name: string }[] }; grafana: object };
    expect(sidecar.prometheus.additionalPodMonitors.map((m) => m.name)).toEqual(["envoy-stats"]);
    expect(sidecar.grafana).toEqual({ enabled: false });
    expect(prometheusStackValues(config({ observability: { prometheus: false } }))).toMatchObject({ prometheus: { enabled: false }, grafana: { enabled: true } });
  });

  it("Kiali: token login, reading that Prometheus, linking Grafana and Jaeger when they are on", () => {
    expect(kialiValues(config())).toEqual({
      auth: { strategy: "token" },
      istio_namespace: "istio-system",
      external_services: {
        prometheus: { url: PROMETHEUS_URL },
        grafana: { enabled: true, internal_url: "http://grafana.istio-system:80", external_url: "http://localhost:3000" },
        tracing: { enabled: true, provider: "jaeger", use_grpc: true, internal_url: "http://jaeger.istio-system:16685", external_url: "http://localhost:16686" },
      },
    });
    expect(PROMETHEUS_URL).toBe("http://kube-prometheus-stack-prometheus.istio-system:9090");
    const alone = kialiValues(config({ observability: { grafana: false, jaeger: false } })) as { external_services: object };
    expect(alone.external_services).toEqual({ prometheus: { url: PROMETHEUS_URL }, grafana: { enabled: false }, tracing: { enabled: false } });
  });

  it("Jaeger v2 receives OTLP where istiod's provider sends spans; the Telemetry object names that provider mesh-wide", () => {
    const provider = (istiodValues(config()) as { meshConfig: { extensionProviders: { name: string; opentelemetry: { service: string; port: number } }[] } }).meshConfig.extensionProviders[0]!;
    const userconfig = (jaegerValues() as { userconfig: Record<string, any> }).userconfig;
    expect(userconfig.receivers.otlp.protocols.grpc.endpoint).toBe(`0.0.0.0:${provider.opentelemetry.port}`);
    expect(userconfig.service.pipelines.traces).toEqual({ receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] });
    expect(userconfig.exporters.jaeger_storage_exporter.trace_storage).toBe("memstore");
    expect(Object.keys(userconfig.extensions.jaeger_storage.backends)).toEqual([userconfig.extensions.jaeger_query.storage.traces]);
    // The jaeger chart's Service is named like its release.
    expect(provider).toEqual({ name: "jaeger", opentelemetry: { service: "jaeger.istio-system.svc.cluster.local", port: 4317 } });

    const telemetry = parse(meshTelemetry());
    expect(telemetry).toEqual({
      apiVersion: "telemetry.istio.io/v1",
      kind: "Telemetry",
      metadata: { name: "mesh-default", namespace: "istio-system" },
      spec: { tracing: [{ providers: [{ name: provider.name }], randomSamplingPercentage: 1 }] },
    });
    // Without Jaeger istiod has no provider to name.
    expect(istiodValues(config({ observability: { jaeger: false } }))).toEqual({ profile: "ambient", meshConfig: { accessLogFile: "/dev/stdout" } });
  });

  it("plans an install of each release offline (no machines yet), touching nothing", async () => {
    const ctx = fakeContext({ config: HOSTS, secrets: {} as SecretStore });
    const plans = await Promise.all(observabilitySteps(config()).map((s) => s.plan(ctx)));
    expect(plans).toEqual([
      [{ action: "create", target: "release istio-system/kube-prometheus-stack", detail: "helm install kube-prometheus-stack 79.7.1" }],
      [{ action: "create", target: "release istio-system/jaeger", detail: "helm install jaeger 4.14.1" }],
      [{ action: "create", target: "release istio-system/kiali", detail: "helm install kiali-server 2.31.0" }],
    ]);
  });
});
