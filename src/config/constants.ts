/** Constants of the cluster config, shared by the schema and its rules. */
export const API_VERSION = "kx.dev/v1alpha1";
export const KIND = "Cluster";

/** Kubernetes minors kx supports; the default is N-1 of the newest. */
export const SUPPORTED_K8S_MINORS = ["1.35", "1.36", "1.37"] as const;
export const DEFAULT_K8S_VERSION = "1.36.1";

export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
export const VERSION_PATTERN = /^v?\d+\.\d+\.\d+$/;

export const HOST_ROLES = ["etcd", "control-plane", "worker", "bastion"] as const;
