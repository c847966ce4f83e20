// @ts-check
/**
 * `kubeadm upgrade plan|apply|node` of the kubeadm stand-in, checking what kubeadm checks:
 *
 * - plan [VERSION] and apply VERSION: the cluster's health (the API server ready, every
 *   control-plane node's kubelet posting status, this node's static pod manifests), then
 *   kubeadm's version policy: the target not lower than the cluster version, at most one
 *   minor above it, not above kubeadm's own version (the installed package's, see
 *   packages.js); a published release (the images pulled); apply only with --yes.
 *   apply rewrites this node's control-plane manifests to the target (the kubelet restarts
 *   the API server, which then reports it; external etcd is left alone), waits for the new
 *   API server, then stores the target in kubeadm-config's ClusterConfiguration and writes
 *   this node's kubelet config.
 * - node: kubeadm not older than the cluster version of kubeadm-config; on a control-plane
 *   node its manifests are rewritten to that version; on every node the kubelet config.
 *
 * Flags other than --kubeconfig, --yes/-y (apply) and --v are refused.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { installedVersion, minorOf } from "./common.js";
import { WAIT_MS, configMap, ensureOk, waitFor } from "./cluster-api.js";
import { client, loadKubeconfig } from "./kubeconfig.js";
import { K8S, MANIFESTS, say, write, writeKubeletConfig } from "./node-files.js";
import { readManifest } from "./manifest.js";
import { request } from "./http.js";
import { Preflight } from "./preflight.js";
import { CATALOG } from "./packages.js";

const COMPONENTS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];
const FLAGS = { plan: ["kubeconfig", "v"], apply: ["kubeconfig", "v", "yes", "y"], node: ["kubeconfig", "v"] };
/** A kubelet that posted no status for this long is NotReady (the node lifecycle controller's grace period). */
const HEARTBEAT_GRACE_MS = 40_000;

const withV = (v) => (String(v).startsWith("v") ? String(v) : `v${v}`);

/** Orders "v1.37.1" versions. */
function compare(a, b) {
  const [x, y] = [minorOf(a), minorOf(b)];
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

function api(path) {
  if (!existsSync(path)) throw new Error(`failed to load admin kubeconfig: open ${path}: no such file or directory`);
  return client(loadKubeconfig(path));
}

async function clusterConfiguration(k) {
  say('[upgrade/config] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...');
  const cm = await ensureOk(await k.get("/api/v1/namespaces/kube-system/configmaps/kubeadm-config"), "unable to fetch the kubeadm-config ConfigMap");
  return parse(cm.data.ClusterConfiguration);
}

/** kubeadm's health checks before plan and apply. */
async function checkHealth(k) {
  say("[upgrade] Running cluster health checks");
  const pre = new Preflight();
  const ready = await k.get("/readyz").catch((e) => ({ status: 0, text: e.message }));
  if (ready.status !== 200) pre.error("APIServerHealth", `the API server is not healthy: ${ready.text}`);
  else {
    const nodes = (await ensureOk(await k.get("/api/v1/nodes"), "listing nodes")).items;
    const masters = nodes.filter((n) => "node-role.kubernetes.io/control-plane" in (n.metadata.labels ?? {}));
    const notReady = masters
      .filter((n) => {
        const beat = n.status?.conditions?.find((c) => c.type === "Ready")?.lastHeartbeatTime;
        return !beat || Date.now() - new Date(beat).getTime() > HEARTBEAT_GRACE_MS;
      })
      .map((n) => n.metadata.name);
    if (masters.length === 0) pre.error("ControlPlaneNodesReady", "couldn't find any control-plane nodes in the cluster");
    if (notReady.length) pre.error("ControlPlaneNodesReady", `there are NotReady control-planes in the cluster: [${notReady.join(" ")}]`);
  }
  for (const c of COMPONENTS) {
    if (!existsSync(`${MANIFESTS}/${c}.yaml`)) pre.error("StaticPodManifest", `the manifest for component ${c} is missing: open ${MANIFESTS}/${c}.yaml: no such file or directory`);
  }
  pre.finish("[upgrade/health] FATAL: ");
}

/** kubeadm's version skew policy (cmd/kubeadm/app/phases/upgrade/policy.go), every error fatal here (no --force). */
function policyErrors(cluster, target, kubeadm) {
  const errors = [];
  const [c, t, k] = [minorOf(cluster), minorOf(target), minorOf(kubeadm)];
  if (compare(target, cluster) < 0) errors.push(`Specified version to upgrade to "${target}" is lower than the cluster version "${cluster}". Downgrades are not supported yet`);
  if (t.major !== c.major || t.minor > c.minor + 1) errors.push(`Specified version to upgrade to "${target}" is too high; kubeadm can upgrade only 1 minor version at a time`);
  if (compare(target, kubeadm) > 0) errors.push(`Specified version to upgrade to "${target}" is higher than the kubeadm version (${kubeadm}). Upgrade kubeadm first using the tool you used to install kubeadm`);
  if (k.major === t.major && k.minor > t.minor) errors.push(`Kubeadm version "${kubeadm}" can only be used to upgrade to Kubernetes version ${k.major}.${k.minor}`);
  return errors;
}

function fatal(errors) {
  return new Error(`[upgrade/version] FATAL: the --version argument is invalid due to these fatal errors:\n\n${errors.map((e) => `\t- ${e}`).join("\n")}\n\nPlease fix the misalignments highlighted above and try upgrading again`);
}

function parseTarget(word) {
  if (!word) throw new Error("missing one or more required arguments. Required arguments: [version]");
  if (!/^v?\d+\.\d+\.\d+$/.test(word)) throw new Error(`[upgrade/version] FATAL: the version argument is invalid: could not parse "${word}" as version`);
  return withV(word);
}

/** The ImagePull preflight: registry.k8s.io has images of published releases only. */
function checkPublished(target) {
  const { major, minor } = minorOf(target);
  if (!(CATALOG[`${major}.${minor}`] ?? []).includes(target.slice(1))) {
    throw new Error(
      `[preflight] Some fatal errors occurred:\n\t[ERROR ImagePull]: failed to pull image registry.k8s.io/kube-apiserver:${target}: ` +
        `rpc error: code = NotFound desc = failed to resolve reference "registry.k8s.io/kube-apiserver:${target}": registry.k8s.io/kube-apiserver:${target}: not found`,
    );
  }
}

/** Rewrites this node's control-plane manifests to `version`; waits until its API server reports it. */
async function upgradeStaticPods(version) {
  say(`[upgrade/staticpods] Writing new Static Pod manifests to "${MANIFESTS}"`);
  for (const c of COMPONENTS) {
    const path = `${MANIFESTS}/${c}.yaml`;
    const { image } = readManifest(path);
    const next = image.replace(/:[^:/]+$/, `:${version}`);
    if (next !== image) write(path, readFileSync(path, "utf8").replace(image, next), 0o600);
    say(`[upgrade/staticpods] Moved new manifest to "${path}"`);
  }
  say("[upgrade/etcd] Skipping the etcd upgrade: the cluster uses external etcd");
  const { flags } = readManifest(`${MANIFESTS}/kube-apiserver.yaml`);
  const url = `https://${flags["advertise-address"]}:${flags["secure-port"] ?? 6443}/version`;
  const ca = readFileSync(flags["client-ca-file"], "utf8");
  await waitFor(
    async () => (await request(url, { ca, timeoutMs: 2000 })).json?.gitVersion === version,
    WAIT_MS,
    `[upgrade/staticpods] the kube-apiserver static Pod did not come back at ${version} (is the kubelet running? see /var/log/kubelet.log)`,
  );
  say(`[upgrade/staticpods] Component "kube-apiserver" upgraded successfully!`);
}

async function writeNodeKubeletConfig(k) {
  const cm = await ensureOk(await k.get("/api/v1/namespaces/kube-system/configmaps/kubelet-config"), "unable to fetch the kubelet-config ConfigMap");
  writeKubeletConfig(parse(cm.data.kubelet));
  say('[upgrade] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"');
}

async function plan(k, words) {
  const cluster = await clusterConfiguration(k);
  await checkHealth(k);
  const current = withV(cluster.kubernetesVersion);
  const kubeadm = installedVersion("kubeadm");
  const target = words[0] ? parseTarget(words[0]) : kubeadm;
  say(`[upgrade/versions] Current cluster version: ${current}\n[upgrade/versions] kubeadm version: ${kubeadm}\n[upgrade/versions] Target version: ${target}`);
  if (compare(target, current) === 0 && !words[0]) return void say("\nAwesome, you're up-to-date! Enjoy!");
  const errors = policyErrors(current, target, kubeadm).filter((e) => !e.includes("higher than the kubeadm version") && !e.startsWith("Kubeadm version"));
  if (errors.length) throw fatal(errors);
  checkPublished(target);
  const nodes = (await ensureOk(await k.get("/api/v1/nodes"), "listing nodes")).items;
  const rows = nodes.map((n) => `kubelet     ${n.metadata.name.padEnd(12)} ${String(n.status?.nodeInfo?.kubeletVersion ?? "").padEnd(9)} ${target}`);
  say(`\nComponents that must be upgraded manually after you have upgraded the control plane with 'kubeadm upgrade apply':\nCOMPONENT   NODE         CURRENT   TARGET\n${rows.join("\n")}`);
  say(`\nUpgrade to the latest version in the v${minorOf(target).major}.${minorOf(target).minor} series:\n\nCOMPONENT                 CURRENT   TARGET\n${COMPONENTS.map((c) => `${c.padEnd(25)} ${current.padEnd(9)} ${target}`).join("\n")}\netcd                      external  (not upgraded by kubeadm)`);
  if (compare(target, kubeadm) > 0) say(`\nNote: Before you can perform this upgrade, you have to update kubeadm to ${target}.`);
  say(`\nYou can now apply the upgrade by executing the following command:\n\n\tkubeadm upgrade apply ${target}\n`);
}

async function apply(k, words, flags) {
  const target = parseTarget(words[0]);
  const cluster = await clusterConfiguration(k);
  await checkHealth(k);
  const current = withV(cluster.kubernetesVersion);
  const kubeadm = installedVersion("kubeadm");
  say(`[upgrade/version] You have chosen to change the cluster version to "${target}"\n[upgrade/versions] Cluster version: ${current}\n[upgrade/versions] kubeadm version: ${kubeadm}`);
  const errors = policyErrors(current, target, kubeadm);
  if (errors.length) throw fatal(errors);
  checkPublished(target);
  if (flags.yes !== "true" && flags.y !== "true") throw new Error("[upgrade/confirm] Are you sure you want to proceed? [y/N]: aborted (use --yes in scripts)");
  say(`[upgrade/apply] Upgrading your Static Pod-hosted control plane to version "${target}" (timeout: ${WAIT_MS / 60_000}m0s)...`);
  await upgradeStaticPods(target);
  cluster.kubernetesVersion = target;
  await ensureOk(await k.put("/api/v1/namespaces/kube-system/configmaps/kubeadm-config", configMap("kube-system", "kubeadm-config", { ClusterConfiguration: stringify(cluster) })), "updating kubeadm-config");
  say('[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace');
  await writeNodeKubeletConfig(k);
  say(`\n[upgrade/successful] SUCCESS! Your cluster was upgraded to "${target}". Enjoy!\n\n[upgrade/kubelet] Now that your control plane is upgraded, please proceed with upgrading your kubelets if you haven't already done so.`);
}

async function node(flags) {
  const controlPlane = existsSync(`${MANIFESTS}/kube-apiserver.yaml`);
  // A worker has no admin.conf: kubeadm reads the cluster's configuration with the kubelet's credentials.
  const k = api(flags.kubeconfig ?? (controlPlane ? `${K8S}/admin.conf` : `${K8S}/kubelet.conf`));
  const cluster = await clusterConfiguration(k);
  const current = withV(cluster.kubernetesVersion);
  const kubeadm = installedVersion("kubeadm");
  if (compare(kubeadm, current) < 0) {
    throw new Error(`[upgrade] FATAL: the kubeadm version "${kubeadm}" is lower than the cluster version "${current}" in the "kubeadm-config" ConfigMap: upgrade kubeadm first using the tool you used to install kubeadm`);
  }
  if (controlPlane) {
    say(`[upgrade] Upgrading the control plane instance on this node to "${current}"`);
    await upgradeStaticPods(current);
  } else say("[upgrade] Skipping phase. Not a control plane node.");
  await writeNodeKubeletConfig(k);
  say("[upgrade] The configuration for this node was successfully updated!\n[upgrade] Now you should go ahead and upgrade the kubelet package using your package manager.");
}

/**
 * @param {string | undefined} sub plan, apply or node
 * @param {string[]} words the arguments after it
 * @param {Record<string, string>} flags
 */
export async function upgrade(sub, words, flags) {
  const allowed = FLAGS[sub ?? ""];
  if (!allowed) throw new Error(`unknown command "${sub}" for "kubeadm upgrade"`);
  for (const name of Object.keys(flags)) {
    if (name === "force" || name === "f") throw new Error("the kubeadm stand-in does not model --force: its version checks are all fatal");
    if (!allowed.includes(name)) throw new Error(`unknown flag: --${name}`);
  }
  if (sub === "node") return node(flags);
  const k = api(flags.kubeconfig ?? `${K8S}/admin.conf`);
  return sub === "plan" ? plan(k, words) : apply(k, words, flags);
}
