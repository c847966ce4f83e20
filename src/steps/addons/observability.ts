/**
 * Istio's observability tools (stack.md), each its own release in istio-system after istiod:
 * Prometheus and Grafana from one kube-prometheus-stack release (scraping istiod, the
 * proxies and ztunnel; Grafana with Istio's dashboards from grafana.com), Kiali reading that
 * Prometheus, and Jaeger v2 receiving the mesh's spans over OTLP. istiod learns of Jaeger as
 * an OpenTelemetry extension provider (istio.ts); the jaeger step's Telemetry object turns
 * tracing on mesh-wide.
 *
 * Service names are fixed so that the lines at the end of a create (cluster-facts.ts) and
 * Kiali's URLs name what the charts create: svc/grafana (port 80), svc/kiali (20001),
 * svc/jaeger (16686 UI, 16685 query gRPC, 4317 OTLP gRPC).
 */
import { stringify } from "yaml";
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { CHARTS } from "./charts.js";
import { ISTIOD_STEP } from "./istio.js";
import { addonStep } from "./release-step.js";

export const PROMETHEUS_STEP = "addons/prometheus";
export const KIALI_STEP = "addons/kiali";
export const JAEGER_STEP = "addons/jaeger";

const NS = "istio-system";
const PROMETHEUS_RELEASE = "kube-prometheus-stack";
/** The chart's Prometheus Service: "<fullname>-prometheus", the fullname being the release (it holds the chart's name). */
export const PROMETHEUS_URL = `http://${PROMETHEUS_RELEASE}-prometheus.${NS}:9090`;
export const GRAFANA_SERVICE = "grafana";
export const GRAFANA_URL = `http://${GRAFANA_SERVICE}.${NS}:80`;
/** The jaeger chart names its Service after the release (which holds the chart's name). */
export const JAEGER_SERVICE = "jaeger";
export const JAEGER_OTLP_GRPC_PORT = 4317;
/** The name istiod and the Telemetry object know the Jaeger provider by. */
export const TRACING_PROVIDER = "jaeger";

/** Istio's dashboards on grafana.com (mesh, service, workload, performance, control plane); Istio publishes them together. */
export const ISTIO_DASHBOARDS = { "istio-mesh": 7639, "istio-service": 7636, "istio-workload": 7630, "istio-performance": 11829, "istio-control-plane": 7645 } as const;
/** The grafana chart downloads revision 1 unless told: the first, years-old, upload. */
const ISTIO_DASHBOARD_REVISION = 202;

type Observability = ClusterConfig["addons"]["istio"]["observability"];
/** After derive every toggle is a boolean (each follows Istio unless set). */
const tools = (config: ClusterConfig) => config.addons.istio.observability as { [K in keyof Observability]-?: boolean };
const ambient = (config: ClusterConfig) => config.addons.istio.mode === "ambient";

/** The kube-prometheus-stack release is there when Prometheus or Grafana is on. */
export const prometheusStackOn = (config: ClusterConfig) => tools(config).prometheus || tools(config).grafana;

/** istiod's meshConfig.extensionProviders entry: spans go over OTLP/gRPC to Jaeger's collector. */
export function tracingProvider(): Record<string, unknown> {
  return { name: TRACING_PROVIDER, opentelemetry: { service: `${JAEGER_SERVICE}.${NS}.svc.cluster.local`, port: JAEGER_OTLP_GRPC_PORT } };
}

/** What Prometheus scrapes of Istio, as the chart's additional monitors (the prometheus-operator's objects). */
function istioMonitors(config: ClusterConfig) {
  const serviceMonitors = [
    // istiod's own metrics (pushes, xDS, webhook), on its Service's monitoring port.
    { name: "istiod", namespaceSelector: { matchNames: [NS] }, selector: { matchLabels: { app: "istiod" } }, endpoints: [{ port: "http-monitoring", interval: "15s" }] },
  ];
  const podMonitors = [
    // Every Envoy the mesh runs (sidecars, waypoints, gateways) carries the tlsMode label.
    {
      name: "envoy-stats",
      namespaceSelector: { any: true },
      selector: { matchExpressions: [{ key: "security.istio.io/tlsMode", operator: "Exists" }] },
      podMetricsEndpoints: [{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "15s" }],
    },
    ...(ambient(config)
      ? [{ name: "ztunnel", namespaceSelector: { matchNames: [NS] }, selector: { matchLabels: { app: "ztunnel" } }, podMetricsEndpoints: [{ port: "ztunnel-stats", path: "/stats/prometheus", interval: "15s" }] }]
      : []),
  ];
  return { additionalServiceMonitors: serviceMonitors, additionalPodMonitors: podMonitors };
}

function grafanaValues(): Record<string, unknown> {
  const dashboards = Object.fromEntries(
    Object.entries(ISTIO_DASHBOARDS).map(([name, gnetId]) => [name, { gnetId, revision: ISTIO_DASHBOARD_REVISION, datasource: "Prometheus" }]),
  );
  return {
    enabled: true,
    fullnameOverride: GRAFANA_SERVICE,
    dashboardProviders: {
      "dashboardproviders.yaml": {
        apiVersion: 1,
        providers: [{ name: "istio", orgId: 1, folder: "Istio", type: "file", disableDeletion: false, editable: true, options: { path: "/var/lib/grafana/dashboards/istio" } }],
      },
    },
    dashboards: { istio: dashboards },
  };
}

export function prometheusStackValues(config: ClusterConfig): Record<string, unknown> {
  const { prometheus, grafana } = tools(config);
  return {
    prometheus: prometheus
      ? {
          enabled: true,
          // Select every ServiceMonitor/PodMonitor, not only those carrying this release's label.
          prometheusSpec: { serviceMonitorSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false },
          ...istioMonitors(config),
        }
      : { enabled: false },
    grafana: grafana ? grafanaValues() : { enabled: false },
  };
}

export function kialiValues(config: ClusterConfig): Record<string, unknown> {
  const { prometheus, grafana, jaeger } = tools(config);
  return {
    // Kiali asks for a service-account token and acts with that account's rights.
    auth: { strategy: "token" },
    istio_namespace: NS,
    external_services: {
      ...(prometheus ? { prometheus: { url: PROMETHEUS_URL } } : {}),
      // The external URLs are what `kubectl port-forward` gives (cluster-facts.ts).
      grafana: grafana ? { enabled: true, internal_url: GRAFANA_URL, external_url: "http://localhost:3000" } : { enabled: false },
      tracing: jaeger
        ? { enabled: true, provider: "jaeger", use_grpc: true, internal_url: `http://${JAEGER_SERVICE}.${NS}:16685`, external_url: "http://localhost:16686" }
        : { enabled: false },
    },
  };
}

/** Jaeger v2 all in one, in-memory storage, receiving OTLP on 4317 (gRPC) and 4318 (HTTP). */
export function jaegerValues(): Record<string, unknown> {
  return {
    userconfig: {
      service: {
        extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
        pipelines: { traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] } },
      },
      extensions: {
        healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
        jaeger_query: { storage: { traces: "memstore" } },
        jaeger_storage: { backends: { memstore: { memory: { max_traces: 100000 } } } },
      },
      receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${JAEGER_OTLP_GRPC_PORT}` }, http: { endpoint: "0.0.0.0:4318" } } } },
      processors: { batch: {} },
      exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
    },
  };
}

/** Tracing on for the whole mesh (the root namespace's Telemetry), to the Jaeger provider; Istio's default 1% sampling. */
export function meshTelemetry(): string {
  return stringify({
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: { name: "mesh-default", namespace: NS },
    spec: { tracing: [{ providers: [{ name: TRACING_PROVIDER }], randomSamplingPercentage: 1 }] },
  });
}

/** The observability steps the toggles turn on; Istio is on (they follow istiod). */
export function observabilitySteps(config: ClusterConfig): Step<KxContext>[] {
  const { kiali, jaeger, prometheus, grafana } = tools(config);
  const versions = config.addons.istio.observabilityCharts;
  const steps: Step<KxContext>[] = [];
  if (prometheusStackOn(config)) {
    steps.push(
      addonStep({
        id: PROMETHEUS_STEP,
        title: [prometheus && "Prometheus", grafana && "Grafana"].filter(Boolean).join(" and ") + " (kube-prometheus-stack)",
        needs: [ISTIOD_STEP],
        release: { release: PROMETHEUS_RELEASE, namespace: NS, ...CHARTS.kubePrometheusStack, version: versions.kubePrometheusStack },
        settings: { prometheus, grafana, mode: config.addons.istio.mode },
        values: async () => prometheusStackValues(config),
      }),
    );
  }
  if (jaeger) {
    steps.push(
      addonStep({
        id: JAEGER_STEP,
        title: "Jaeger v2 (mesh tracing over OTLP)",
        needs: [ISTIOD_STEP],
        release: { release: "jaeger", namespace: NS, ...CHARTS.jaeger, version: versions.jaeger },
        settings: {},
        values: async () => jaegerValues(),
        manifests: () => ({ "telemetry-tracing.yaml": meshTelemetry() }),
      }),
    );
  }
  if (kiali) {
    steps.push(
      addonStep({
        id: KIALI_STEP,
        title: "Kiali (mesh console)",
        // After what it reads, so its first screen has data sources to show.
        needs: [ISTIOD_STEP, ...(prometheusStackOn(config) ? [PROMETHEUS_STEP] : []), ...(jaeger ? [JAEGER_STEP] : [])],
        release: { release: "kiali", namespace: NS, ...CHARTS.kiali, version: versions.kiali },
        settings: { prometheus, grafana, jaeger },
        values: async () => kialiValues(config),
      }),
    );
  }
  return steps;
}
