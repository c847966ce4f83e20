/** Where each add-on's chart comes from (versions are config values). */
// Every Istio version's charts; the old storage.googleapis.com bucket loses them in December 2026.
const ISTIO_REPO = "https://blob.istio.io/istio-release/charts";
const PROMETHEUS_COMMUNITY_REPO = "https://prometheus-community.github.io/helm-charts";

export const CHARTS = {
  cloudController: { chart: "aws-cloud-controller-manager", repo: "https://kubernetes.github.io/cloud-provider-aws" },
  cilium: { chart: "cilium", repo: "https://helm.cilium.io/" },
  ebsCsi: { chart: "aws-ebs-csi-driver", repo: "https://kubernetes-sigs.github.io/aws-ebs-csi-driver" },
  istioBase: { chart: "base", repo: ISTIO_REPO },
  istiod: { chart: "istiod", repo: ISTIO_REPO },
  istioCni: { chart: "cni", repo: ISTIO_REPO },
  ztunnel: { chart: "ztunnel", repo: ISTIO_REPO },
  istioGateway: { chart: "gateway", repo: ISTIO_REPO },
  kubePrometheusStack: { chart: "kube-prometheus-stack", repo: PROMETHEUS_COMMUNITY_REPO },
  kiali: { chart: "kiali-server", repo: "https://kiali.org/helm-charts" },
  jaeger: { chart: "jaeger", repo: "https://jaegertracing.github.io/helm-charts" },
  eckOperator: { chart: "eck-operator", repo: "https://helm.elastic.co" },
  kubeStateMetrics: { chart: "kube-state-metrics", repo: PROMETHEUS_COMMUNITY_REPO },
} as const;
