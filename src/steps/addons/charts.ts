/** Where each add-on's chart comes from (versions are config values). */
const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";

export const CHARTS = {
  cloudController: { chart: "aws-cloud-controller-manager", repo: "https://kubernetes.github.io/cloud-provider-aws" },
  cilium: { chart: "cilium", repo: "https://helm.cilium.io/" },
  ebsCsi: { chart: "aws-ebs-csi-driver", repo: "https://kubernetes-sigs.github.io/aws-ebs-csi-driver" },
  istioBase: { chart: "base", repo: ISTIO_REPO },
  istiod: { chart: "istiod", repo: ISTIO_REPO },
  istioCni: { chart: "cni", repo: ISTIO_REPO },
  ztunnel: { chart: "ztunnel", repo: ISTIO_REPO },
  istioGateway: { chart: "gateway", repo: ISTIO_REPO },
  kubePrometheusStack: { chart: "kube-prometheus-stack", repo: "https://prometheus-community.github.io/helm-charts" },
  kiali: { chart: "kiali-server", repo: "https://kiali.org/helm-charts" },
  jaeger: { chart: "jaeger", repo: "https://jaegertracing.github.io/helm-charts" },
} as const;
