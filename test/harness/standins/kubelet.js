#!/usr/bin/env node
// @ts-check
/**
 * kubelet stand-in: a daemon started by systemctl from kubelet.service, as on a node
 * where the kubelet package is installed. It refuses to start without the files the
 * real kubelet needs (--config, a kubeconfig whose client certificate names this node),
 * registers its Node with the API server and reports its status with heartbeats, and
 * runs the kube-apiserver static pod from the manifests directory (lib/static-pods.js:
 * a process of its own that outlives a kubelet restart, like a container; the server
 * itself is lib/apiserver.js).
 *
 * Like the real kubelet, the node is NotReady ("cni plugin not initialized") until a CNI
 * config is in /etc/cni/net.d. What writes it on a real node is the CNI's agent pod, run
 * by its DaemonSet: here, once the API holds the DaemonSet kube-system/cilium, the
 * kubelet writes Cilium's conflist in its stead.
 *
 * It reports (status.nodeInfo.kubeletVersion) the version of the kubelet package
 * installed when it started (lib/packages.js): after an upgrade of the package, the old
 * version until `systemctl restart kubelet`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { hostname } from "node:os";
import { parse } from "yaml";
import { fail, installedVersion, parseArgs, sleep } from "./lib/common.js";
import { client, loadKubeconfig } from "./lib/kubeconfig.js";
import { crashedPod, lastLogLine, manifestHash, runningPod, startPod, stopPod } from "./lib/static-pods.js";

const { flags } = parseArgs(process.argv.slice(2), ["version"]);
// The binary the kubelet package installed when this process started: an upgraded
// package takes effect at the next (re)start, as with the real kubelet.
const VERSION = installedVersion("kubelet");
if (flags.version) {
  console.log(`Kubernetes ${VERSION}`);
  process.exit(0);
}

const log = (line) => console.log(`I${new Date().toISOString()} kubelet] ${line}`);
const configPath = flags.config;
if (!configPath) fail("kubelet stand-in: --config is required (kubeadm's drop-in passes --config=/var/lib/kubelet/config.yaml)");
if (!existsSync(configPath)) {
  fail(`E0000 run.go:72] "command failed" err="failed to load kubelet config file, path: ${configPath}, error: failed to load Kubelet config file ${configPath}, error failed to read kubelet config file \\"${configPath}\\", error: open ${configPath}: no such file or directory"`);
}
const config = parse(readFileSync(configPath, "utf8"));
if (config?.kind !== "KubeletConfiguration" || config?.apiVersion !== "kubelet.config.k8s.io/v1beta1") {
  fail(`E0000 run.go:72] "command failed" err="failed to load kubelet config file, path: ${configPath}, error: no kind \\"${config?.kind}\\" is registered for version \\"${config?.apiVersion}\\""`);
}
if (config.cgroupDriver !== "systemd") {
  fail(`E0000 run.go:72] "command failed" err="failed to run Kubelet: misconfiguration: kubelet cgroup driver: \\"${config.cgroupDriver ?? "cgroupfs"}\\" is different from the container runtime's cgroup driver: \\"systemd\\""`);
}
const kubeconfigPath = flags.kubeconfig ?? "/etc/kubernetes/kubelet.conf";
if (!existsSync(kubeconfigPath)) {
  const boot = flags["bootstrap-kubeconfig"];
  fail(`E0000 run.go:72] "command failed" err="failed to run Kubelet: unable to load bootstrap kubeconfig: stat ${boot ?? kubeconfigPath}: no such file or directory"`);
}
const kc = loadKubeconfig(kubeconfigPath);
const nodeName = flags["hostname-override"] ?? hostname();
const cn = kc.cert ? new X509Certificate(kc.cert).subject.match(/CN=(.*)/)?.[1] : undefined;
if (cn !== `system:node:${nodeName}`) {
  fail(`E0000 kubelet] the client certificate in ${kubeconfigPath} is for "${cn}", not "system:node:${nodeName}": the API server's NodeRestriction admission would refuse this kubelet`);
}
const api = client(kc);
const staticPodPath = config.staticPodPath ?? "/etc/kubernetes/manifests";
const apiserverManifest = `${staticPodPath}/kube-apiserver.yaml`;
log(`starting kubelet ${VERSION} for node ${nodeName} (node-ip ${flags["node-ip"] ?? "auto"}, cloud-provider ${flags["cloud-provider"] ?? "none"})`);

const APISERVER_POD = "kube-apiserver";
let stopping = false;
let lastPodStart = 0;

/**
 * The kube-apiserver static pod: (re)created when its manifest changed or it crashed
 * (with a back-off), removed with its manifest; one already running from this manifest
 * (the kubelet restarted) is kept, as containers outlive a kubelet restart.
 */
async function syncStaticPods() {
  const want = existsSync(apiserverManifest) ? manifestHash(apiserverManifest) : "";
  const running = runningPod(APISERVER_POD);
  if (running && running.hash === want) return;
  if (running) {
    await stopPod(APISERVER_POD);
    log(want ? "stopped kube-apiserver static pod: its manifest changed" : "removed kube-apiserver static pod: its manifest is gone");
  }
  if (!want || Date.now() - lastPodStart < 1000) return;
  if (crashedPod(APISERVER_POD)) log(`kube-apiserver static pod failed to start (will retry): ${lastLogLine(APISERVER_POD)}`);
  startPod(APISERVER_POD, apiserverManifest);
  lastPodStart = Date.now();
  log("started kube-apiserver static pod");
}

const CNI_DIR = "/etc/cni/net.d";
const CNI_NOT_READY = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized";

function cniConfigured() {
  return existsSync(CNI_DIR) && readdirSync(CNI_DIR).some((f) => f.endsWith(".conf") || f.endsWith(".conflist"));
}

/**
 * The cilium agent's part: with its DaemonSet in the API, the node gets Cilium's CNI
 * config — unless the helm stand-in marked the agent as crash-looping (values the real
 * agent dies on), when the node stays NotReady as it would.
 */
async function runCniAgent() {
  if (cniConfigured()) return;
  const ds = await api.get("/apis/apps/v1/namespaces/kube-system/daemonsets/cilium");
  if (ds.status !== 200) return;
  const crash = ds.json?.metadata?.annotations?.["standins.kx.test/crash-loop"];
  if (crash) {
    log(`cilium agent: CrashLoopBackOff: ${crash}`);
    return;
  }
  mkdirSync(CNI_DIR, { recursive: true });
  writeFileSync(`${CNI_DIR}/05-cilium.conflist`, `${JSON.stringify({ cniVersion: "0.3.1", name: "cilium", plugins: [{ type: "cilium-cni", "chaining-mode": "none" }] }, null, 2)}\n`);
  log("cilium agent: wrote /etc/cni/net.d/05-cilium.conflist");
}

async function heartbeat() {
  await runCniAgent();
  const node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: nodeName, labels: { "kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux" } },
  };
  const created = await api.post("/api/v1/nodes", node);
  if (created.status !== 201 && created.status !== 409) throw new Error(`registering node ${nodeName}: HTTP ${created.status} ${created.text}`);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const status = {
    conditions: [
      cniConfigured()
        ? { type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: now, message: "kubelet is posting ready status" }
        : { type: "Ready", status: "False", reason: "KubeletNotReady", lastHeartbeatTime: now, message: CNI_NOT_READY },
    ],
    addresses: [{ type: "InternalIP", address: flags["node-ip"] ?? "" }, { type: "Hostname", address: nodeName }],
    nodeInfo: { kubeletVersion: VERSION, containerRuntimeVersion: "containerd://2.1.0", operatingSystem: "linux", architecture: "amd64" },
  };
  const res = await api.put(`/api/v1/nodes/${nodeName}/status`, { apiVersion: "v1", kind: "Node", metadata: { name: nodeName }, status });
  if (res.status !== 200) throw new Error(`node status: HTTP ${res.status} ${res.text}`);
}

// The static pods run on: a kubelet stopping leaves its containers to the runtime.
process.on("SIGTERM", () => {
  stopping = true;
  process.exit(0);
});

let lastBeat = 0;
let registered = false;
while (!stopping) {
  await syncStaticPods();
  // Every 10 s once registered and networked; every second while waiting for the network.
  if (Date.now() - lastBeat > (registered && cniConfigured() ? 10_000 : registered ? 1_000 : 500)) {
    try {
      await heartbeat();
      if (!registered) log(`successfully registered node ${nodeName}`);
      registered = true;
      lastBeat = Date.now();
    } catch (e) {
      lastBeat = Date.now();
      if (registered) log(`error updating node status, will retry: ${/** @type {Error} */ (e).message}`);
    }
  }
  await sleep(200);
}
