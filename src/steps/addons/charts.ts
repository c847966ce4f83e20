/** Where each add-on's chart comes from (versions are config values). */
export const CHARTS = {
  cloudController: { chart: "aws-cloud-controller-manager", repo: "https://kubernetes.github.io/cloud-provider-aws" },
  cilium: { chart: "cilium", repo: "https://helm.cilium.io/" },
  ebsCsi: { chart: "aws-ebs-csi-driver", repo: "https://kubernetes-sigs.github.io/aws-ebs-csi-driver" },
} as const;
