/**
 * addons/ebs-csi (AWS): the EBS CSI driver, with the node role's AmazonEBSCSIDriverPolicy
 * (IRSA is EKS-only), and an encrypted gp3 StorageClass as the cluster's default.
 */
import { stringify } from "yaml";
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { CHARTS } from "./charts.js";
import { addonStep } from "./release-step.js";

export const EBS_CSI_STEP = "addons/ebs-csi";

export function storageClass(name: string): Record<string, unknown> {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "ebs.csi.aws.com",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
    reclaimPolicy: "Delete",
    parameters: { type: "gp3", "csi.storage.k8s.io/fstype": "ext4", encrypted: "true" },
  };
}

export function ebsCsiStep(config: ClusterConfig, needs: string[]): Step<KxContext> {
  const className = config.addons.ebsCsi.storageClass;
  return addonStep({
    id: EBS_CSI_STEP,
    title: `EBS CSI driver and the default ${className} StorageClass`,
    needs,
    release: { release: "aws-ebs-csi-driver", namespace: "kube-system", ...CHARTS.ebsCsi, version: config.addons.ebsCsi.version },
    settings: config.addons.ebsCsi,
    values: async (ctx) => ({ controller: { region: ctx.aws.region, k8sTagClusterId: ctx.cluster } }),
    manifests: () => ({ [`storageclass-${className}.yaml`]: stringify(storageClass(className)) }),
  });
}
