/**
 * kubeadm's v1beta4 configuration as typed objects, and their YAML. Only the fields kx
 * sets are typed; names are kubeadm's json tags exactly (the decoder is case-sensitive
 * and strict). v1beta4 specifics: extraArgs / kubeletExtraArgs are lists of {name, value},
 * criSocket is a unix:// URL, proxy.disabled replaces skipping the addon phase.
 *
 * No `cloud-provider` flag on kube-apiserver (removed in 1.33) or kube-controller-manager:
 * only the kubelet gets `cloud-provider=external`, and only on AWS where the cloud
 * controller manager runs.
 */
import { stringify } from "yaml";
import { Secret } from "../../engine/secret.js";

export const KUBEADM_API = "kubeadm.k8s.io/v1beta4";
export const KUBELET_API = "kubelet.config.k8s.io/v1beta1";
export const CRI_SOCKET = "unix:///run/containerd/containerd.sock";
export const API_PORT = 6443;
export const PKI_DIR = "/etc/kubernetes/pki";

export interface Arg {
  name: string;
  value: string;
}

export interface APIEndpoint {
  advertiseAddress: string;
  bindPort: number;
}

export interface NodeRegistrationOptions {
  name: string;
  criSocket: string;
  kubeletExtraArgs?: Arg[];
  taints?: { key: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute"; value?: string }[] | null;
}

export interface InitConfiguration {
  apiVersion: typeof KUBEADM_API;
  kind: "InitConfiguration";
  localAPIEndpoint: APIEndpoint;
  nodeRegistration: NodeRegistrationOptions;
  skipPhases?: string[];
}

export interface ClusterConfiguration {
  apiVersion: typeof KUBEADM_API;
  kind: "ClusterConfiguration";
  clusterName: string;
  kubernetesVersion: string;
  controlPlaneEndpoint: string;
  certificatesDir: string;
  encryptionAlgorithm: "RSA-2048" | "ECDSA-P256";
  networking: { podSubnet: string; serviceSubnet: string; dnsDomain: string };
  apiServer: { certSANs: string[]; extraArgs?: Arg[] };
  controllerManager?: { extraArgs?: Arg[] };
  proxy?: { disabled: boolean };
  etcd: { external: { endpoints: string[]; caFile: string; certFile: string; keyFile: string } };
}

export interface JoinConfiguration {
  apiVersion: typeof KUBEADM_API;
  kind: "JoinConfiguration";
  nodeRegistration: NodeRegistrationOptions;
  discovery: {
    bootstrapToken: { apiServerEndpoint: string; token: string | Secret; caCertHashes: string[] };
  };
  controlPlane?: { localAPIEndpoint: APIEndpoint };
}

export interface KubeletConfiguration {
  apiVersion: typeof KUBELET_API;
  kind: "KubeletConfiguration";
  cgroupDriver: "systemd";
  serverTLSBootstrap?: boolean;
}

export type KubeadmDocument = InitConfiguration | ClusterConfiguration | JoinConfiguration | KubeletConfiguration;

/** Where the external etcd client files sit on a control-plane node (kubeadm's names). */
export const ETCD_CLIENT_FILES = {
  caFile: `${PKI_DIR}/etcd/ca.crt`,
  certFile: `${PKI_DIR}/apiserver-etcd-client.crt`,
  keyFile: `${PKI_DIR}/apiserver-etcd-client.key`,
} as const;

export interface ClusterSettings {
  clusterName: string;
  /** "1.36.1" or "v1.36.1". */
  kubernetesVersion: string;
  /** host:port every node and client uses to reach the API. */
  controlPlaneEndpoint: string;
  certSANs: string[];
  podSubnet: string;
  serviceSubnet: string;
  etcdEndpoints: string[];
  /** Cilium replaces kube-proxy. */
  kubeProxyDisabled: boolean;
  /** The AWS cloud controller manager runs: kubelets start with cloud-provider=external. */
  externalCloudProvider: boolean;
}

export interface NodeSettings {
  /** Node name: the EC2 private DNS name, or the host's name. */
  name: string;
  privateIp: string;
}

export function clusterConfiguration(c: ClusterSettings): ClusterConfiguration {
  return {
    apiVersion: KUBEADM_API,
    kind: "ClusterConfiguration",
    clusterName: c.clusterName,
    kubernetesVersion: withV(c.kubernetesVersion),
    controlPlaneEndpoint: c.controlPlaneEndpoint,
    certificatesDir: PKI_DIR,
    // The CAs kx places are ECDSA P-256; kubeadm's own certificates follow suit.
    encryptionAlgorithm: "ECDSA-P256",
    networking: { podSubnet: c.podSubnet, serviceSubnet: c.serviceSubnet, dnsDomain: "cluster.local" },
    apiServer: { certSANs: [...new Set(c.certSANs)] },
    ...(c.kubeProxyDisabled ? { proxy: { disabled: true } } : {}),
    etcd: { external: { endpoints: c.etcdEndpoints, ...ETCD_CLIENT_FILES } },
  };
}

function nodeRegistration(c: ClusterSettings, node: NodeSettings, controlPlane: boolean): NodeRegistrationOptions {
  const kubeletExtraArgs: Arg[] = [{ name: "node-ip", value: node.privateIp }];
  if (c.externalCloudProvider) kubeletExtraArgs.unshift({ name: "cloud-provider", value: "external" });
  return {
    name: node.name,
    criSocket: CRI_SOCKET,
    kubeletExtraArgs,
    ...(controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" as const }] } : {}),
  };
}

export function initConfiguration(c: ClusterSettings, node: NodeSettings): InitConfiguration {
  return {
    apiVersion: KUBEADM_API,
    kind: "InitConfiguration",
    localAPIEndpoint: { advertiseAddress: node.privateIp, bindPort: API_PORT },
    nodeRegistration: nodeRegistration(c, node, true),
    // The PKI comes from kx (placed before init); kubeadm must not upload it anywhere.
    skipPhases: ["upload-certs"],
  };
}

export interface Discovery {
  apiServerEndpoint: string;
  token: Secret;
  caCertHash: string;
}

export function joinConfiguration(
  c: ClusterSettings,
  node: NodeSettings,
  discovery: Discovery,
  role: "control-plane" | "worker",
): JoinConfiguration {
  return {
    apiVersion: KUBEADM_API,
    kind: "JoinConfiguration",
    nodeRegistration: nodeRegistration(c, node, role === "control-plane"),
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: discovery.apiServerEndpoint,
        token: discovery.token,
        caCertHashes: [discovery.caCertHash],
      },
    },
    ...(role === "control-plane" ? { controlPlane: { localAPIEndpoint: { advertiseAddress: node.privateIp, bindPort: API_PORT } } } : {}),
  };
}

export function kubeletConfiguration(): KubeletConfiguration {
  return { apiVersion: KUBELET_API, kind: "KubeletConfiguration", cgroupDriver: "systemd" };
}

/**
 * A multi-document YAML file. Secrets inside (the join token) are written in clear only
 * with `reveal` (the file uploaded 0600); otherwise masked, for plans and --show-files.
 */
export function toYaml(docs: KubeadmDocument[], options: { reveal: boolean }): string {
  const replacer = (_key: unknown, value: unknown) =>
    value instanceof Secret ? (options.reveal ? value.reveal() : String(value)) : value;
  return docs.map((d) => stringify(d, replacer, { lineWidth: 0 })).join("---\n");
}

function withV(version: string): string {
  return version.startsWith("v") ? version : `v${version}`;
}
