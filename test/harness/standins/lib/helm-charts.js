// @ts-check
/**
 * The charts the helm stand-in knows, by repository URL and name: what the real chart
 * would put in the cluster that other stand-ins look at (its main workloads, cilium's
 * ConfigMap), the values.schema.json the real chart ships (test/harness/schemas), and
 * the failures a real install would only show at run time, with the component's words.
 * There is no chart index here: any exact SemVer version of a known chart is accepted.
 */
import { eckCrds } from "./eck-crds.js";
import { istioCrds } from "./istio-crds.js";

/** @typedef {{ release: string, namespace: string, version: string, values: Record<string, any> }} Render */
/** @typedef {{ apiVersion: string, kind: string, metadata: { name: string, namespace?: string, labels?: Record<string, string>, annotations?: Record<string, string> }, [k: string]: any }} K8sObject */
/**
 * @typedef {{
 *   appVersion?: (version: string) => string,
 *   schema?: string,
 *   objects: (r: Render) => K8sObject[],
 *   runtimeCheck?: (values: Record<string, any>) => { workloads: string[], message: string } | undefined,
 * }} Chart
 */

export const REPOS = {
  cilium: "https://helm.cilium.io/",
  cloudProviderAws: "https://kubernetes.github.io/cloud-provider-aws",
  ebsCsi: "https://kubernetes-sigs.github.io/aws-ebs-csi-driver",
  istio: "https://blob.istio.io/istio-release/charts",
  elastic: "https://helm.elastic.co",
  prometheus: "https://prometheus-community.github.io/helm-charts",
  kiali: "https://kiali.org/helm-charts",
  jaeger: "https://jaegertracing.github.io/helm-charts",
};

/**
 * Set on a workload whose pods would crash-loop (see runtimeCheck), with the component's
 * log line: the API holds the object as helm created it, and other stand-ins (the
 * kubelet's CNI) can tell that its pods never become ready.
 */
export const CRASH_LOOP_ANNOTATION = "standins.kx.test/crash-loop";

/** Helm's own: the release name, unless it already contains the chart's name. */
const fullname = (r, chart) => (r.release.includes(chart) ? r.release : `${r.release}-${chart}`);

/** The labels and annotations helm and the chart's templates put on every object. */
function meta(r, name, labels) {
  return {
    name,
    namespace: r.namespace,
    labels: { "app.kubernetes.io/managed-by": "Helm", ...labels },
    annotations: { "meta.helm.sh/release-name": r.release, "meta.helm.sh/release-namespace": r.namespace },
  };
}

/**
 * @param {"DaemonSet" | "Deployment" | "StatefulSet"} kind
 * @param {Render} r
 * @param {{ name: string, labels: Record<string, string>, image: string, replicas?: number, hostNetwork?: boolean }} o
 * @returns {K8sObject}
 */
function workload(kind, r, o) {
  const pod = { containers: [{ name: o.name, image: o.image }], ...(o.hostNetwork ? { hostNetwork: true } : {}) };
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: meta(r, o.name, o.labels),
    spec: {
      ...(kind === "DaemonSet" ? {} : { replicas: o.replicas ?? 1 }),
      selector: { matchLabels: o.labels },
      template: { metadata: { labels: o.labels }, spec: pod },
    },
  };
}

const on = (v, dflt) => (v === undefined ? dflt : v === true || v === "true");

/** cilium: what the agent and the operator would log before crash-looping. */
function ciliumRuntimeCheck(values) {
  const kpr = on(values.kubeProxyReplacement, false);
  if (kpr && (!values.k8sServiceHost || !values.k8sServicePort)) {
    return {
      workloads: ["cilium"],
      message:
        'cilium-agent: level=fatal msg="Unable to contact k8s api-server" error="Get \\"https://10.96.0.1:443/version\\": dial tcp 10.96.0.1:443: i/o timeout" ' +
        "(kubeProxyReplacement is true but k8sServiceHost/k8sServicePort are not set: without kube-proxy the ClusterIP of the kubernetes Service is not reachable, so the agent cannot reach the API)",
    };
  }
  const mode = values.ipam?.mode ?? "cluster-pool";
  const cidrs = values.ipam?.operator?.clusterPoolIPv4PodCIDRList;
  if (mode === "cluster-pool" && (!Array.isArray(cidrs) || cidrs.length === 0)) {
    // Left out, the chart's default 10.0.0.0/8 applies: it overlaps the VPC, so the stand-in refuses that too.
    return {
      // The agents wait for pod CIDRs the operator never hands out: neither gets ready.
      workloads: ["cilium-operator", "cilium"],
      message:
        'cilium-operator: level=fatal msg="Failed to initialize cluster-pool IPAM" error="cluster-pool-ipv4-cidr must be provided when using ClusterPool IPAM" ' +
        `(ipam.mode is cluster-pool but ipam.operator.clusterPoolIPv4PodCIDRList is ${cidrs === undefined ? "not set (the chart's default 10.0.0.0/8 would overlap the VPC)" : "empty"})`,
    };
  }
  return undefined;
}

/**
 * The gateway chart's Service: its type and annotations from service.* (the chart merges
 * the top-level annotations in too), its default ports.
 * @param {Render} r
 * @returns {K8sObject}
 */
function gatewayService(r, labels) {
  const service = r.values.service ?? {};
  const m = meta(r, r.release, labels);
  const ports = service.ports ?? [
    { name: "status-port", port: 15021, protocol: "TCP", targetPort: 15021 },
    { name: "http2", port: 80, protocol: "TCP", targetPort: 80 },
    { name: "https", port: 443, protocol: "TCP", targetPort: 443 },
  ];
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...m, annotations: { ...m.annotations, ...(r.values.annotations ?? {}), ...(service.annotations ?? {}) } },
    spec: { type: service.type ?? "LoadBalancer", selector: labels, ports },
  };
}

/** A chart's ClusterIP Service. @returns {K8sObject} */
function service(r, name, selector, ports) {
  return { apiVersion: "v1", kind: "Service", metadata: meta(r, name, selector), spec: { type: "ClusterIP", selector, ports: ports.map((p) => ({ protocol: "TCP", ...p })) } };
}

/** kiali: the server exits at start-up on an auth strategy it does not know. */
function kialiRuntimeCheck(values) {
  const strategy = values.auth?.strategy ?? "token";
  if (["anonymous", "header", "openid", "openshift", "token"].includes(strategy)) return undefined;
  return { workloads: [values.deployment?.instance_name ?? "kiali"], message: `kiali: Invalid configuration: auth.strategy "${strategy}" is not one of anonymous, header, openid, openshift, token` };
}

/** @type {Record<string, Record<string, Chart>>} */
export const CATALOG = {
  [REPOS.cilium]: {
    cilium: {
      appVersion: (v) => v,
      schema: "cilium-values.schema.json",
      runtimeCheck: ciliumRuntimeCheck,
      objects: (r) => {
        const image = (n) => `quay.io/cilium/${n}:v${r.version}`;
        const v = r.values;
        const ipam = v.ipam?.mode ?? "cluster-pool";
        const config = {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: meta(r, "cilium-config", {}),
          data: {
            "kube-proxy-replacement": String(on(v.kubeProxyReplacement, false)),
            ipam,
            ...(ipam === "cluster-pool" ? { "cluster-pool-ipv4-cidr": (v.ipam?.operator?.clusterPoolIPv4PodCIDRList ?? []).join(" ") } : {}),
            "cni-exclusive": String(on(v.cni?.exclusive, true)),
            "enable-hubble": String(on(v.hubble?.enabled, true)),
          },
        };
        const objs = [
          config,
          workload("DaemonSet", r, { name: "cilium", labels: { "k8s-app": "cilium", "app.kubernetes.io/name": "cilium-agent", "app.kubernetes.io/part-of": "cilium" }, image: image("cilium"), hostNetwork: true }),
          workload("Deployment", r, { name: "cilium-operator", labels: { "io.cilium/app": "operator", name: "cilium-operator", "app.kubernetes.io/name": "cilium-operator", "app.kubernetes.io/part-of": "cilium" }, image: image("operator-generic"), replicas: v.operator?.replicas ?? 2, hostNetwork: true }),
        ];
        if (on(v.hubble?.enabled, true) && on(v.hubble?.relay?.enabled, false)) {
          objs.push(workload("Deployment", r, { name: "hubble-relay", labels: { "k8s-app": "hubble-relay", "app.kubernetes.io/name": "hubble-relay", "app.kubernetes.io/part-of": "cilium" }, image: image("hubble-relay") }));
        }
        if (on(v.hubble?.enabled, true) && on(v.hubble?.ui?.enabled, false)) {
          objs.push(workload("Deployment", r, { name: "hubble-ui", labels: { "k8s-app": "hubble-ui", "app.kubernetes.io/name": "hubble-ui", "app.kubernetes.io/part-of": "cilium" }, image: "quay.io/cilium/hubble-ui:v0.13.2" }));
        }
        return objs;
      },
    },
  },
  [REPOS.cloudProviderAws]: {
    "aws-cloud-controller-manager": {
      objects: (r) => [
        workload("DaemonSet", r, { name: "aws-cloud-controller-manager", labels: { "k8s-app": "aws-cloud-controller-manager" }, image: "registry.k8s.io/provider-aws/cloud-controller-manager", hostNetwork: true }),
      ],
    },
  },
  [REPOS.ebsCsi]: {
    "aws-ebs-csi-driver": {
      objects: (r) => [
        workload("Deployment", r, { name: "ebs-csi-controller", labels: { app: "ebs-csi-controller", "app.kubernetes.io/name": "aws-ebs-csi-driver" }, image: `public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v${r.version}`, replicas: r.values.controller?.replicas ?? 2 }),
        workload("DaemonSet", r, { name: "ebs-csi-node", labels: { app: "ebs-csi-node", "app.kubernetes.io/name": "aws-ebs-csi-driver" }, image: `public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v${r.version}` }),
      ],
    },
  },
  [REPOS.istio]: {
    // base installs only CRDs and cluster-wide objects: no workload to model; the CRDs of the kinds kx applies.
    base: { appVersion: (v) => v, objects: (r) => istioCrds((name) => meta(r, name, { "app.kubernetes.io/name": "istio-base", "app.kubernetes.io/instance": r.release })) },
    // Without the Gateway API CRDs real istiod installs and runs: it logs "Skipping CRD … as
    // it is not present" and starts watching a kind once its CRD appears; so no refusal here.
    istiod: { appVersion: (v) => v, objects: (r) => [workload("Deployment", r, { name: "istiod", labels: { app: "istiod", istio: "pilot" }, image: `docker.io/istio/pilot:${r.version}` })] },
    cni: { appVersion: (v) => v, objects: (r) => [workload("DaemonSet", r, { name: "istio-cni-node", labels: { "k8s-app": "istio-cni-node" }, image: `docker.io/istio/install-cni:${r.version}`, hostNetwork: true })] },
    ztunnel: { appVersion: (v) => v, objects: (r) => [workload("DaemonSet", r, { name: "ztunnel", labels: { app: "ztunnel" }, image: `docker.io/istio/ztunnel:${r.version}` })] },
    gateway: {
      appVersion: (v) => v,
      schema: "istio-gateway-values.schema.json",
      objects: (r) => {
        const labels = { app: r.release, istio: r.release.replace(/^istio-/, "") };
        return [workload("Deployment", r, { name: r.release, labels, image: "auto", replicas: 1 }), gatewayService(r, labels)];
      },
    },
  },
  [REPOS.elastic]: {
    // The chart's eck-operator-crds subchart (installCRDs, on by default) installs ECK's CRDs.
    "eck-operator": {
      appVersion: (v) => v,
      objects: (r) => [
        ...eckCrds((name) => meta(r, name, { "app.kubernetes.io/name": "eck-operator-crds", "app.kubernetes.io/instance": r.release })),
        workload("StatefulSet", r, { name: "elastic-operator", labels: { "control-plane": "elastic-operator" }, image: `docker.elastic.co/eck/eck-operator:${r.version}` }),
      ],
    },
  },
  [REPOS.prometheus]: {
    // Its Service (port 8080, "http") is where Metricbeat's state_* metricsets read.
    "kube-state-metrics": {
      objects: (r) => {
        const name = fullname(r, "kube-state-metrics");
        const labels = { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": r.release };
        return [
          workload("Deployment", r, { name, labels, image: "registry.k8s.io/kube-state-metrics/kube-state-metrics" }),
          service(r, name, labels, [{ name: "http", port: 8080, targetPort: 8080 }]),
        ];
      },
    },
    "kube-prometheus-stack": {
      objects: (r) => {
        const v = r.values;
        // The chart's fullname helper truncates to 26 characters; its grafana subchart honours its own fullnameOverride.
        const f = (v.fullnameOverride ?? fullname(r, "kube-prometheus-stack")).slice(0, 26).replace(/-$/, "");
        const objs = [
          workload("Deployment", r, { name: `${f}-operator`, labels: { app: `${f}-operator` }, image: "quay.io/prometheus-operator/prometheus-operator" }),
          workload("Deployment", r, { name: `${r.release}-kube-state-metrics`, labels: { "app.kubernetes.io/name": "kube-state-metrics" }, image: "registry.k8s.io/kube-state-metrics/kube-state-metrics" }),
          workload("DaemonSet", r, { name: `${r.release}-prometheus-node-exporter`, labels: { "app.kubernetes.io/name": "prometheus-node-exporter" }, image: "quay.io/prometheus/node-exporter", hostNetwork: true }),
        ];
        // The Prometheus StatefulSet is the operator's work; the chart renders its Service.
        if (on(v.prometheus?.enabled, true)) objs.push(service(r, `${f}-prometheus`, { "app.kubernetes.io/name": "prometheus" }, [{ name: "http-web", port: 9090, targetPort: 9090 }]));
        if (on(v.grafana?.enabled, true)) {
          const g = v.grafana?.fullnameOverride ?? fullname(r, "grafana");
          const labels = { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": r.release };
          objs.push(workload("Deployment", r, { name: g, labels, image: "docker.io/grafana/grafana" }), service(r, g, labels, [{ name: "http-web", port: 80, targetPort: 3000 }]));
        }
        return objs;
      },
    },
  },
  [REPOS.kiali]: {
    "kiali-server": {
      appVersion: (v) => `v${v}`,
      runtimeCheck: kialiRuntimeCheck,
      objects: (r) => {
        // deployment.instance_name (default kiali) names the Deployment and the Service.
        const name = r.values.deployment?.instance_name ?? "kiali";
        const labels = { "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": name };
        return [workload("Deployment", r, { name, labels, image: `quay.io/kiali/kiali:v${r.version}` }), service(r, name, labels, [{ name: "http", port: 20001, targetPort: 20001 }])];
      },
    },
  },
  [REPOS.jaeger]: {
    // Jaeger v2 all in one: one Service, named like the release, with the OTLP receivers and the query ports.
    jaeger: {
      objects: (r) => {
        const name = r.values.fullnameOverride ?? fullname(r, "jaeger");
        const labels = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/component": "all-in-one" };
        const ports = [
          { name: "otlp-grpc", port: 4317, targetPort: 4317 },
          { name: "otlp-http", port: 4318, targetPort: 4318 },
          { name: "http-query", port: 16686, targetPort: 16686 },
          { name: "grpc-query", port: 16685, targetPort: 16685 },
        ];
        return [workload("Deployment", r, { name, labels, image: "jaegertracing/jaeger" }), service(r, name, labels, ports)];
      },
    },
  },
};

/** Go's url equality for repositories: helm fetches URL/index.yaml, so a trailing slash does not matter. */
const sameRepo = (a, b) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/** An exact SemVer 2 version, with or without helm's tolerated leading "v". */
export const EXACT_SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** What Masterminds/semver would take as a constraint ("1.19", "^1.19.0", ">= 1.2, < 2"). */
const CONSTRAINT = /^[\sv\d.xX*^~<>=!|,-]+$/;

/**
 * The chart as helm's FindChartInAuthAndTLSAndPassRepoURL would find it, or helm's error.
 * @returns {{ chart: Chart } | { error: string }}
 */
export function findChart(repoUrl, name, version) {
  const key = Object.keys(CATALOG).find((k) => sameRepo(k, repoUrl));
  if (!key) {
    return { error: `looks like "${repoUrl}" is not a valid chart repository or cannot be reached: helm stand-in: no such repository in its catalog (test/harness/standins/lib/helm-charts.js)` };
  }
  const chart = CATALOG[key][name];
  // helm resolves --version as a SemVer constraint against the index; kx always pins an
  // exact version, and without an index anything else cannot be resolved here.
  const notFound = { error: `chart "${name}" version "${version}" not found in ${repoUrl} repository` };
  if (!chart) return notFound;
  if (EXACT_SEMVER.test(version)) return { chart };
  if (CONSTRAINT.test(version)) return { error: `helm stand-in: unsupported --version "${version}": a constraint needs the chart index; kx pins exact versions` };
  return notFound;
}
