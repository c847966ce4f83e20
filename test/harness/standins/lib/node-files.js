// @ts-check
/**
 * What kubeadm writes on a control-plane or worker node: the per-node certificates signed
 * by the CAs kx placed, the kubeconfig files, the static pod manifests and the kubelet's
 * files. Existing certificates and kubeconfigs are kept when they belong to the cluster's
 * CA, as kubeadm does; one that does not is an error.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { stringify } from "yaml";
import { PkiError, checkChain, issue, loadCaPair, loadCertificate, loadKey, spki } from "./pki.js";
import { buildKubeconfig, loadKubeconfig } from "./kubeconfig.js";
import { flagsToArgs } from "./manifest.js";

export const K8S = "/etc/kubernetes";
export const MANIFESTS = `${K8S}/manifests`;
export const KUBELET_DIR = "/var/lib/kubelet";

export function write(path, content, mode = 0o644) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
}

export const say = (line) => console.log(line);

/** The certificates every control-plane node must share: kubeadm's "conditions for hosting a new control plane instance". */
export function checkSharedCertificates(pki, external) {
  const problems = [];
  const tryIt = (fn) => {
    try {
      fn();
    } catch (e) {
      problems.push(/** @type {Error} */ (e).message);
    }
  };
  tryIt(() => loadCaPair(`${pki}/ca.crt`, `${pki}/ca.key`, "CA"));
  tryIt(() => loadCaPair(`${pki}/front-proxy-ca.crt`, `${pki}/front-proxy-ca.key`, "front-proxy CA"));
  tryIt(() => {
    const key = loadKey(`${pki}/sa.key`, "service account key").key;
    const pub = readFileSync(`${pki}/sa.pub`, "utf8");
    if (!spki(key).equals(spki(pub))) throw new PkiError(`failure loading key for service account: ${pki}/sa.pub does not match ${pki}/sa.key`);
  });
  if (external) {
    tryIt(() => checkChain(external.certFile, external.caFile, "apiserver-etcd-client"));
    tryIt(() => {
      const { key } = loadKey(external.keyFile, "apiserver-etcd-client key");
      const { cert } = loadCertificate(external.certFile, "apiserver-etcd-client");
      if (!spki(key).equals(spki(cert.publicKey))) throw new PkiError(`${external.keyFile} does not match ${external.certFile}`);
    });
  }
  return problems;
}

function firstServiceIp(cidr) {
  const [ip] = cidr.split("/");
  const n = ip.split(".").map(Number).reduce((a, b) => a * 256 + b, 0) + 1;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

const hostOf = (endpoint) => endpoint.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
const isIp = (s) => /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(":");

/** A leaf that exists is kept if it chains to its CA (kubeadm: "Using existing ... certificate and key"). */
async function ensureLeaf(pki, base, caBase, spec) {
  const crt = `${pki}/${base}.crt`;
  if (existsSync(crt) && existsSync(`${pki}/${base}.key`)) {
    checkChain(crt, `${pki}/${caBase}.crt`, base);
    say(`[certs] Using existing ${base} certificate and key on disk`);
    return;
  }
  const ca = loadCaPair(`${pki}/${caBase}.crt`, `${pki}/${caBase}.key`, caBase);
  const { certPem, keyPem } = await issue(ca, spec);
  write(`${pki}/${base}.key`, /** @type {string} */ (keyPem), 0o600);
  write(crt, certPem);
  say(`[certs] Generating "${base}" certificate and key`);
}

/**
 * @param {{ cluster: any, nodeName: string, advertiseAddress: string, bindPort: number }} o
 */
export async function writeControlPlaneCertificates(o) {
  const pki = o.cluster.certificatesDir ?? `${K8S}/pki`;
  for (const ca of ["ca", "front-proxy-ca"]) {
    loadCaPair(`${pki}/${ca}.crt`, `${pki}/${ca}.key`, ca);
    say(`[certs] Using existing ${ca} certificate authority`);
  }
  const endpointHost = hostOf(o.cluster.controlPlaneEndpoint ?? o.advertiseAddress);
  const sans = [o.nodeName, "kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${o.cluster.networking?.dnsDomain ?? "cluster.local"}`, endpointHost, ...(o.cluster.apiServer?.certSANs ?? [])];
  const ips = [firstServiceIp(o.cluster.networking?.serviceSubnet ?? "10.96.0.0/12"), o.advertiseAddress];
  await ensureLeaf(pki, "apiserver", "ca", {
    cn: "kube-apiserver",
    usages: ["serverAuth"],
    dns: [...new Set(sans.filter((s) => !isIp(s)))],
    ips: [...new Set([...ips, ...sans.filter(isIp)])],
  });
  await ensureLeaf(pki, "apiserver-kubelet-client", "ca", { cn: "kube-apiserver-kubelet-client", o: ["kubeadm:cluster-admins"], usages: ["clientAuth"] });
  await ensureLeaf(pki, "front-proxy-client", "front-proxy-ca", { cn: "front-proxy-client", usages: ["clientAuth"] });
  return pki;
}

/** admin.conf and friends, signed by the cluster CA; an existing one with another CA is an error. */
export async function writeKubeconfigs(o) {
  const pki = o.pki;
  const ca = loadCaPair(`${pki}/ca.crt`, `${pki}/ca.key`, "ca");
  const server = `https://${o.endpoint}`;
  const local = `https://${o.advertiseAddress}:${o.bindPort}`;
  const files = [
    ...(o.superAdmin ? [["super-admin.conf", "kubernetes-super-admin", ["system:masters"], server]] : []),
    ["admin.conf", "kubernetes-admin", ["kubeadm:cluster-admins"], server],
    ["kubelet.conf", `system:node:${o.nodeName}`, ["system:nodes"], server],
    ["controller-manager.conf", "system:kube-controller-manager", [], local],
    ["scheduler.conf", "system:kube-scheduler", [], local],
  ];
  for (const [file, cn, orgs, url] of files) {
    const path = `${K8S}/${file}`;
    if (existsSync(path)) {
      const existing = loadKubeconfig(path);
      if (existing.ca?.trim() !== ca.certPem.trim()) throw new Error(`a kubeconfig file "${path}" exists already but has got the wrong CA cert`);
      say(`[kubeconfig] Using existing kubeconfig file: "${path}"`);
      continue;
    }
    const { certPem, keyPem } = await issue(ca, { cn, o: orgs, usages: ["clientAuth"] });
    write(path, buildKubeconfig({ clusterName: o.clusterName, server: url, caPem: ca.certPem, user: cn, certPem, keyPem }), 0o600);
    say(`[kubeconfig] Writing "${file}" kubeconfig file`);
  }
}

/** The three static pods; the kubelet stand-in runs the API server one. */
export function writeManifests(o) {
  const c = o.cluster;
  const pki = c.certificatesDir ?? `${K8S}/pki`;
  const ext = c.etcd?.external;
  const extra = (component) => Object.fromEntries((c[component]?.extraArgs ?? []).map((a) => [a.name, a.value]));
  const apiserverFlags = {
    "advertise-address": o.advertiseAddress,
    "allow-privileged": "true",
    "authorization-mode": "Node,RBAC",
    "client-ca-file": `${pki}/ca.crt`,
    "enable-admission-plugins": "NodeRestriction",
    "enable-bootstrap-token-auth": "true",
    "etcd-servers": (ext?.endpoints ?? []).join(","),
    "etcd-cafile": ext?.caFile ?? "",
    "etcd-certfile": ext?.certFile ?? "",
    "etcd-keyfile": ext?.keyFile ?? "",
    "kubelet-client-certificate": `${pki}/apiserver-kubelet-client.crt`,
    "kubelet-client-key": `${pki}/apiserver-kubelet-client.key`,
    "proxy-client-cert-file": `${pki}/front-proxy-client.crt`,
    "proxy-client-key-file": `${pki}/front-proxy-client.key`,
    "requestheader-client-ca-file": `${pki}/front-proxy-ca.crt`,
    "secure-port": String(o.bindPort),
    "service-account-issuer": `https://kubernetes.default.svc.${c.networking?.dnsDomain ?? "cluster.local"}`,
    "service-account-key-file": `${pki}/sa.pub`,
    "service-account-signing-key-file": `${pki}/sa.key`,
    "service-cluster-ip-range": c.networking?.serviceSubnet ?? "10.96.0.0/12",
    "tls-cert-file": `${pki}/apiserver.crt`,
    "tls-private-key-file": `${pki}/apiserver.key`,
    ...extra("apiServer"),
  };
  const kcmFlags = {
    "authentication-kubeconfig": `${K8S}/controller-manager.conf`,
    "cluster-signing-cert-file": `${pki}/ca.crt`,
    "cluster-signing-key-file": `${pki}/ca.key`,
    "kubeconfig": `${K8S}/controller-manager.conf`,
    "root-ca-file": `${pki}/ca.crt`,
    "service-account-private-key-file": `${pki}/sa.key`,
    "use-service-account-credentials": "true",
    ...extra("controllerManager"),
  };
  const schedFlags = { kubeconfig: `${K8S}/scheduler.conf`, ...extra("scheduler") };
  const pod = (name, flags) =>
    stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "kube-system", labels: { component: name, tier: "control-plane" } },
      spec: {
        hostNetwork: true,
        priorityClassName: "system-node-critical",
        containers: [{ name, image: `registry.k8s.io/${name}:${c.kubernetesVersion}`, command: [name, ...flagsToArgs(flags)] }],
      },
    });
  write(`${MANIFESTS}/kube-apiserver.yaml`, pod("kube-apiserver", apiserverFlags), 0o600);
  write(`${MANIFESTS}/kube-controller-manager.yaml`, pod("kube-controller-manager", kcmFlags), 0o600);
  write(`${MANIFESTS}/kube-scheduler.yaml`, pod("kube-scheduler", schedFlags), 0o600);
  say(`[control-plane] Using manifest folder "${MANIFESTS}"`);
}

/** /var/lib/kubelet/config.yaml from the cluster's KubeletConfiguration (kubelet-config), with kubeadm's defaults. */
export function writeKubeletConfig(kubeletConfig) {
  const { apiVersion: _a, kind: _k, ...rest } = kubeletConfig ?? {};
  const kubelet = { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", cgroupDriver: "systemd", staticPodPath: MANIFESTS, ...rest };
  write(`${KUBELET_DIR}/config.yaml`, stringify(kubelet));
}

/** /var/lib/kubelet/config.yaml and kubeadm-flags.env, then (re)start the kubelet unit. */
export function startKubelet(o) {
  writeKubeletConfig(o.kubeletConfig);
  const args = [`--container-runtime-endpoint=${o.criSocket ?? "unix:///run/containerd/containerd.sock"}`];
  if (o.nodeName !== hostname()) args.push(`--hostname-override=${o.nodeName}`);
  for (const a of o.kubeletExtraArgs ?? []) args.push(`--${a.name}=${a.value}`);
  write(`${KUBELET_DIR}/kubeadm-flags.env`, `KUBELET_KUBEADM_ARGS="${args.join(" ")}"\n`);
  say(`[kubelet-start] Writing kubelet configuration to file "${KUBELET_DIR}/config.yaml"`);
  try {
    execFileSync("systemctl", ["restart", "kubelet"], { stdio: ["ignore", "pipe", "pipe"] });
    say("[kubelet-start] Starting the kubelet");
  } catch (e) {
    process.stderr.write(`\t[WARNING Service-Kubelet]: kubelet service could not be restarted: ${String(/** @type {any} */ (e).stderr ?? e).trim()}\n`);
  }
}
