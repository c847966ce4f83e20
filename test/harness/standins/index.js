// @ts-check
/**
 * The kubeadm, kubelet, kubectl and helm stand-ins, and how a test host gets them.
 *
 *   import { installStandins } from "../harness/standins/index.js";
 *   const { hosts, stop } = await startTestHosts({ count: 4 });
 *   for (const h of hosts) installStandins(h);
 *
 * installStandins links the four into the host's private /usr/local/bin (node resolves
 * the link, so their imports load from this directory) and writes the kubelet unit the
 * kubelet package and kubeadm's drop-in would install. There is no separate node
 * registry to wire: the API server stand-in (run by the kubelet stand-in from kubeadm's
 * static pod manifest) keeps nodes, tokens and ConfigMaps in the cluster's real external
 * etcd, like the real one, so every host sees the same cluster.
 *
 * The node image's packages: installStandins seeds the host's private package database
 * (lib/packages.js) with kubeadm, kubelet and kubectl at `version` (default
 * KX_STANDIN_VERSION, else v1.36.1), held, and pkgs.k8s.io's keyring and sources list of
 * that minor, as packer/scripts/node/kubernetes.sh leaves them. The three tools report
 * the installed version (the kubelet the one it started with); apt-get, apt-cache and
 * apt-mark (apt.js) change it, as `kx upgrade` does.
 *
 * helm (helm.js) installs charts from a catalog of the charts kx uses, stores releases as
 * helm's Secrets and creates each chart's main workloads in the same API.
 *
 * Environment understood by the stand-ins: KX_STANDIN_VERSION (the seed version; set
 * in one stand-in's environment, a binary of that version run in place of the package's),
 * KX_STANDIN_WAIT_SECONDS (kubeadm's waits, default 120), KX_KUBEADM_SCHEMA,
 * HELM_STANDIN_VERSION (helm's, default v3.19.0).
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_VERSION, seedNodeImage } from "./lib/packages.js";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Absolute paths of the stand-in executables, by tool name. */
export function standinPaths() {
  const apt = join(HERE, "apt.js");
  return { kubeadm: join(HERE, "kubeadm.js"), kubelet: join(HERE, "kubelet.js"), kubectl: join(HERE, "kubectl.js"), helm: join(HERE, "helm.js"), "apt-get": apt, "apt-cache": apt, "apt-mark": apt };
}

/** The unit the kubelet deb installs, with kubeadm's 10-kubeadm.conf folded in. */
export function kubeletUnit(environment = {}) {
  const extra = Object.entries(environment).map(([k, v]) => `Environment="${k}=${v}"`);
  return [
    "[Unit]",
    "Description=kubelet: The Kubernetes Node Agent (test stand-in)",
    "",
    "[Service]",
    'Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"',
    'Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"',
    ...extra,
    "EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env",
    "ExecStart=/usr/local/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/**
 * @param {{ pathOnHost(path: string): string }} host a test host of test/harness/hosts
 * @param {{ version?: string, waitSeconds?: number }} [options]
 */
export function installStandins(host, options = {}) {
  const bin = host.pathOnHost("/usr/local/bin");
  mkdirSync(bin, { recursive: true });
  for (const [tool, path] of Object.entries(standinPaths())) {
    // A stand-in the shell cannot execute is skipped by PATH lookup: the host would run the machine's own tool (apt-get!).
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw new Error(`the ${tool} stand-in ${path} is not executable (chmod +x): the test host would run the machine's real ${tool}`);
    }
    const link = join(bin, tool);
    if (existsSync(link)) rmSync(link);
    symlinkSync(path, link);
  }
  seedNodeImage(host.pathOnHost, options.version ?? process.env.KX_STANDIN_VERSION ?? DEFAULT_VERSION);
  const units = host.pathOnHost("/etc/systemd/system");
  mkdirSync(units, { recursive: true });
  writeFileSync(join(units, "kubelet.service"), kubeletUnit());
}
