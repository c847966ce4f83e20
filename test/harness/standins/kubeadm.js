#!/usr/bin/env node
// @ts-check
/**
 * kubeadm stand-in for the test hosts. It does what kubeadm does on a node (certificates,
 * kubeconfigs, static pod manifests, kubelet files, bootstrap tokens, discovery) and
 * checks what kubeadm checks: the v1beta4 config decoded strictly (lib/kubeadm-config.js),
 * preflight (files already there, port 6443, external etcd certificates and /version with
 * the client certificate), the shared certificates of a control-plane join and their CA,
 * the join token's JWS signature on cluster-info and the pinned CA hash. The API it
 * talks to is the kubelet stand-in's kube-apiserver static pod, which keeps its objects
 * in the external etcd, so every host sees the same cluster. Its own version is the
 * kubeadm package's installed on the host (lib/packages.js); upgrades: lib/kubeadm-upgrade.js.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { hostname } from "node:os";
import { parse, stringify } from "yaml";
import { fail, installedVersion, minorOf, parseArgs } from "./lib/common.js";
import { upgrade } from "./lib/kubeadm-upgrade.js";
import { removeAllPods } from "./lib/static-pods.js";
import { KubeadmConfigError, decodeKubeadmConfig } from "./lib/kubeadm-config.js";
import { Preflight, PreflightError } from "./lib/preflight.js";
import { K8S, KUBELET_DIR, MANIFESTS, checkSharedCertificates, say, startKubelet, write, writeControlPlaneCertificates, writeKubeconfigs, writeManifests } from "./lib/node-files.js";
import { WAIT_MS, createToken, ensureOk, listTokens, markControlPlane, parseDuration, upsert, configMap, uploadConfig, waitFor } from "./lib/cluster-api.js";
import { buildKubeconfig, client, loadKubeconfig } from "./lib/kubeconfig.js";
import { TOKEN_RE, randomToken, signatureMatches } from "./lib/bootstrap-token.js";
import { caCertHash, issue, newKeyPem } from "./lib/pki.js";
import { request } from "./lib/http.js";

const BOOLEANS = ["force", "f", "yes", "y", "print-join-command", "control-plane", "dry-run", "v"];
const { flags, words } = parseArgs(process.argv.slice(2), BOOLEANS);
const [command, sub, ...rest] = words;

function readConfig() {
  const path = flags.config;
  if (!path) throw new KubeadmConfigError("this stand-in needs --config (kx always passes one)");
  if (!existsSync(path)) throw new KubeadmConfigError(`unable to read config from "${path}" : open ${path}: no such file or directory`);
  const decoded = decodeKubeadmConfig(readFileSync(path, "utf8"));
  for (const w of decoded.warnings) process.stderr.write(`${w}\n`);
  return decoded;
}

/** kubeadm supports deploying its own minor and the one before it. */
function checkVersionSkew(target) {
  const VERSION = installedVersion("kubeadm");
  const want = minorOf(target);
  const have = minorOf(VERSION);
  if (want.major !== have.major || want.minor > have.minor) {
    throw new Error(`this version of kubeadm only supports deploying clusters with the control plane version >= ${have.major}.${have.minor - 1}.0. Current version: ${target}; the specified version to deploy (${target}) is higher than the kubeadm version (${VERSION})`);
  }
  if (want.minor < have.minor - 1) {
    throw new Error(`this version of kubeadm only supports deploying clusters with the control plane version >= ${have.major}.${have.minor - 1}.0. Current version: ${target}`);
  }
}

function nodeNameOf(reg) {
  return reg?.name ?? hostname();
}

function adminApi(path = flags.kubeconfig ?? `${K8S}/admin.conf`) {
  if (!existsSync(path)) throw new Error(`failed to load admin kubeconfig: open ${path}: no such file or directory`);
  return client(loadKubeconfig(path));
}

async function init() {
  const { byKind, kubelet } = readConfig();
  const initCfg = byKind.InitConfiguration ?? {};
  const cluster = { certificatesDir: `${K8S}/pki`, ...(byKind.ClusterConfiguration ?? {}) };
  if (!cluster.kubernetesVersion) throw new Error("this stand-in needs ClusterConfiguration.kubernetesVersion (kx always sets it)");
  checkVersionSkew(cluster.kubernetesVersion);
  const advertiseAddress = initCfg.localAPIEndpoint?.advertiseAddress;
  if (!advertiseAddress) throw new Error("unable to select an IP from lo network interface: set localAPIEndpoint.advertiseAddress");
  const bindPort = initCfg.localAPIEndpoint?.bindPort ?? 6443;
  const nodeName = nodeNameOf(initCfg.nodeRegistration);
  const endpoint = cluster.controlPlaneEndpoint ?? `${advertiseAddress}:${bindPort}`;
  if (!cluster.etcd?.external) throw new Error("this stand-in models external etcd only (kx never runs stacked etcd)");

  say(`[init] Using Kubernetes version: ${cluster.kubernetesVersion}`);
  say("[preflight] Running pre-flight checks");
  const pre = new Preflight((flags["ignore-preflight-errors"] ?? "").split(",").filter(Boolean));
  pre.root();
  for (const m of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) pre.fileAvailable(`${MANIFESTS}/${m}.yaml`);
  await pre.portFree(advertiseAddress, bindPort);
  await pre.externalEtcd(cluster.etcd.external);
  pre.finish();

  const problems = checkSharedCertificates(cluster.certificatesDir, cluster.etcd.external);
  if (problems.length) throw new Error(`error execution phase certs: ${problems.join("; ")}`);
  const pki = await writeControlPlaneCertificates({ cluster, nodeName, advertiseAddress, bindPort });
  await writeKubeconfigs({ pki, clusterName: cluster.clusterName ?? "kubernetes", endpoint, advertiseAddress, bindPort, nodeName, superAdmin: true });
  say("[etcd] External etcd mode: skipping etcd static pod");
  writeManifests({ cluster, advertiseAddress, bindPort });
  const kubeletConfig = stripTypeMeta(kubelet);
  startKubelet({ nodeName, criSocket: initCfg.nodeRegistration?.criSocket, kubeletExtraArgs: initCfg.nodeRegistration?.kubeletExtraArgs, kubeletConfig });

  say(`[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "${MANIFESTS}"`);
  const caPem = readFileSync(`${pki}/ca.crt`, "utf8");
  await waitFor(
    async () => (await request(`https://${advertiseAddress}:${bindPort}/readyz`, { ca: caPem, timeoutMs: 2000 })).status === 200,
    WAIT_MS,
    "[wait-control-plane] the control plane did not become ready in time.\nUnfortunately, an error has occurred: context deadline exceeded\n" +
      "This error is likely caused by: the kubelet is not running, or a control plane component crashed (see the kubelet log)",
  );
  const api = client(loadKubeconfig(`${K8S}/super-admin.conf`));
  // Like kubeadm's api-check, through the kubeconfig's server (the control-plane endpoint: a
  // load balancer may take a moment to send traffic to this new, only healthy, target).
  await waitFor(async () => (await api.get("/readyz")).status === 200, WAIT_MS, `[api-check] the API server is not healthy at ${endpoint} after the local one became ready`);
  say("[api-check] The API server is healthy");
  await uploadConfig(api, cluster, { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", cgroupDriver: "systemd", ...kubeletConfig });
  say('[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace');
  await markControlPlane(api, nodeName, initCfg.nodeRegistration?.taints);
  say(`[mark-control-plane] Marking the node ${nodeName} as control-plane`);
  const tokens = (initCfg.bootstrapTokens ?? [{}]).map((t) => ({ token: t.token ?? randomToken(), ttl: parseDuration(String(t.ttl ?? "24h")), description: t.description }));
  for (const t of tokens) await createToken(api, t.token, t.ttl, t.description);
  say(`[bootstrap-token] Using token: ${tokens[0].token}`);
  await upsert(api, "/api/v1/namespaces/kube-public/configmaps", configMap("kube-public", "cluster-info", { kubeconfig: clusterInfoKubeconfig(endpoint, caPem) }));
  say('[bootstrap-token] Creating the "cluster-info" ConfigMap in the "kube-public" namespace');
  say("\nYour Kubernetes control-plane has initialized successfully!\n");
  say(`You can now join any number of machines by running the following on each node as root:\n\n  kubeadm join ${endpoint} --token ${tokens[0].token} \\\n\t--discovery-token-ca-cert-hash ${caCertHash(caPem)}`);
}

/** cluster-info's kubeconfig: only the server and the CA, as kubeadm publishes it. */
function clusterInfoKubeconfig(endpoint, caPem) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "", cluster: { server: `https://${endpoint}`, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    contexts: null,
    "current-context": "",
    preferences: {},
    users: null,
  });
}

function stripTypeMeta(doc) {
  if (!doc) return {};
  const { apiVersion: _a, kind: _k, ...rest } = doc;
  return rest;
}

/** Token discovery: cluster-info fetched without trust, then trusted only through the token's JWS and the pinned CA hash. */
async function discover(bootstrap) {
  const token = String(bootstrap.token ?? "");
  const m = TOKEN_RE.exec(token);
  if (!m) throw new Error(`the bootstrap token "${token.slice(0, 6)}…" was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
  const [, id, secret] = m;
  const endpoint = bootstrap.apiServerEndpoint;
  const url = `https://${endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info`;
  say(`[discovery] Created cluster-info discovery client, requesting info from "${endpoint}"`);
  const insecure = await waitFor(
    async () => {
      const res = await request(url, { insecure: true, timeoutMs: 2000 });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return res.json;
    },
    WAIT_MS,
    `couldn't validate the identity of the API Server: failed to request the cluster-info ConfigMap from ${endpoint}`,
  );
  const kubeconfig = insecure.data?.kubeconfig;
  const jws = insecure.data?.[`jws-kubeconfig-${id}`];
  if (!jws) throw new Error(`couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${id}"`);
  if (!signatureMatches(jws, kubeconfig, id, secret)) throw new Error("couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info object, can't trust this API Server");
  const caPem = Buffer.from(parse(kubeconfig).clusters[0].cluster["certificate-authority-data"], "base64").toString("utf8");
  const hash = caCertHash(caPem);
  if (!bootstrap.unsafeSkipCAVerification) {
    const pinned = bootstrap.caCertHashes ?? [];
    if (pinned.length === 0) throw new Error("cluster CA found in cluster-info ConfigMap is invalid: none of the public keys were pinned (caCertHashes is empty and unsafeSkipCAVerification is false)");
    if (!pinned.includes(hash)) throw new Error(`couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${hash}" are pinned`);
  }
  // From here on, the API server must prove it holds a certificate of that CA.
  const secure = await request(url, { ca: caPem });
  if (secure.status !== 200) throw new Error(`couldn't validate the identity of the API Server: the secure request failed: HTTP ${secure.status}`);
  say(`[discovery] Cluster info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server "${endpoint}"`);
  return { caPem, hash, endpoint, token };
}

async function join() {
  const { byKind } = readConfig();
  const joinCfg = byKind.JoinConfiguration;
  if (!joinCfg) throw new KubeadmConfigError("no JoinConfiguration in the --config file");
  const bootstrap = joinCfg.discovery?.bootstrapToken;
  if (!bootstrap) throw new Error("this stand-in models token discovery only (discovery.bootstrapToken)");
  const controlPlane = Boolean(joinCfg.controlPlane) || flags["control-plane"] === "true";
  const nodeName = nodeNameOf(joinCfg.nodeRegistration);

  say("[preflight] Running pre-flight checks");
  const pre = new Preflight((flags["ignore-preflight-errors"] ?? "").split(",").filter(Boolean));
  pre.root();
  pre.fileAvailable(`${K8S}/kubelet.conf`);
  pre.fileAvailable(`${K8S}/bootstrap-kubelet.conf`);
  if (controlPlane) for (const m of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) pre.fileAvailable(`${MANIFESTS}/${m}.yaml`);
  pre.finish();

  const found = await discover(bootstrap);
  const bootApi = client({ server: `https://${found.endpoint}`, ca: found.caPem, token: found.token });
  say('[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...');
  const kubeadmCm = await ensureOk(await bootApi.get("/api/v1/namespaces/kube-system/configmaps/kubeadm-config"), "unable to fetch the kubeadm-config ConfigMap");
  const cluster = { certificatesDir: `${K8S}/pki`, ...parse(kubeadmCm.data.ClusterConfiguration) };
  const kubeletCm = await ensureOk(await bootApi.get("/api/v1/namespaces/kube-system/configmaps/kubelet-config"), "unable to fetch the kubelet-config ConfigMap");
  const kubeletConfig = stripTypeMeta(parse(kubeletCm.data.kubelet));

  let advertiseAddress;
  let bindPort = 6443;
  if (controlPlane) {
    advertiseAddress = joinCfg.controlPlane?.localAPIEndpoint?.advertiseAddress;
    bindPort = joinCfg.controlPlane?.localAPIEndpoint?.bindPort ?? 6443;
    if (!advertiseAddress) throw new Error("controlPlane.localAPIEndpoint.advertiseAddress is required");
    say("[preflight] Running pre-flight checks before initializing the new control plane instance");
    const cpPre = new Preflight((flags["ignore-preflight-errors"] ?? "").split(",").filter(Boolean));
    await cpPre.portFree(advertiseAddress, bindPort);
    await cpPre.externalEtcd(cluster.etcd.external);
    cpPre.finish();
    const problems = checkSharedCertificates(cluster.certificatesDir, cluster.etcd.external);
    if (problems.length) {
      throw new Error(
        `error execution phase preflight: \none or more conditions for hosting a new control plane instance is not satisfied.\n\n${problems.map((p) => `[${p}]`).join("\n")}\n\n` +
          "Please ensure that:\n* The cluster has a stable controlPlaneEndpoint address.\n* The certificates that must be shared among control plane instances are provided.",
      );
    }
    const localHash = caCertHash(readFileSync(`${cluster.certificatesDir}/ca.crt`, "utf8"));
    if (localHash !== found.hash) {
      throw new Error(`error execution phase control-plane-prepare/certs: ${cluster.certificatesDir}/ca.crt (${localHash}) is not the cluster's CA (${found.hash}): the shared certificates belong to another cluster`);
    }
    const pki = await writeControlPlaneCertificates({ cluster, nodeName, advertiseAddress, bindPort });
    await writeKubeconfigs({ pki, clusterName: cluster.clusterName ?? "kubernetes", endpoint: cluster.controlPlaneEndpoint ?? found.endpoint, advertiseAddress, bindPort, nodeName, superAdmin: false });
    writeManifests({ cluster, advertiseAddress, bindPort });
  }

  // TLS bootstrap: the token authenticates a CSR for this node's kubelet key.
  const existing = await bootApi.get(`/api/v1/nodes/${nodeName}`);
  if (existing.status === 200 && existing.json?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) {
    throw new Error(`error execution phase kubelet-start: a Node with name "${nodeName}" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`);
  }
  if (!controlPlane) {
    const keyPem = newKeyPem();
    const csr = await ensureOk(
      await bootApi.post("/apis/certificates.k8s.io/v1/certificatesigningrequests", {
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name: `node-csr-${nodeName}` },
        spec: { nodeName, request: Buffer.from(createPublicKey(keyPem).export({ type: "spki", format: "pem" })).toString("base64") },
      }),
      "[kubelet-start] the TLS bootstrap failed",
    );
    const certPem = Buffer.from(csr.status.certificate, "base64").toString("utf8");
    const server = `https://${found.endpoint}`;
    write(`${K8S}/kubelet.conf`, buildKubeconfig({ clusterName: "default-cluster", server, caPem: found.caPem, user: `system:node:${nodeName}`, certPem, keyPem }), 0o600);
    write(`${K8S}/pki/ca.crt`, found.caPem);
  }
  startKubelet({ nodeName, criSocket: joinCfg.nodeRegistration?.criSocket, kubeletExtraArgs: joinCfg.nodeRegistration?.kubeletExtraArgs, kubeletConfig });
  say("[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap");
  const kubeletApi = client(loadKubeconfig(`${K8S}/kubelet.conf`));
  await waitFor(
    async () => (await kubeletApi.get(`/api/v1/nodes/${nodeName}`)).status === 200,
    WAIT_MS,
    `error execution phase kubelet-start: timed out waiting for the node "${nodeName}" to register (is the kubelet running? see /var/log/kubelet.log)`,
  );
  if (controlPlane) {
    const admin = client(loadKubeconfig(`${K8S}/admin.conf`));
    await waitFor(async () => (await request(`https://${advertiseAddress}:${bindPort}/readyz`, { ca: found.caPem, timeoutMs: 2000 })).status === 200, WAIT_MS, "[wait-control-plane] the new API server did not become ready");
    await markControlPlane(admin, nodeName, joinCfg.nodeRegistration?.taints);
    say(`[mark-control-plane] Marking the node ${nodeName} as control-plane`);
    say("\nThis node has joined the cluster and a new control plane instance was created.");
  } else {
    say("\nThis node has joined the cluster.");
  }
}

async function reset() {
  if (flags.force !== "true" && flags.f !== "true") throw new Error("[reset] Are you sure you want to proceed? [y/N]: aborted (use --force in scripts)");
  try {
    execFileSync("systemctl", ["stop", "kubelet"], { stdio: "ignore" });
  } catch {
    // no kubelet unit: nothing to stop
  }
  say("[reset] Stopping the kubelet service");
  await removeAllPods();
  say("[reset] Removing the containers of the static pods");
  for (const dir of [MANIFESTS, `${K8S}/pki`, KUBELET_DIR]) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) rmSync(`${dir}/${entry}`, { recursive: true, force: true });
  }
  for (const f of ["admin.conf", "super-admin.conf", "kubelet.conf", "bootstrap-kubelet.conf", "controller-manager.conf", "scheduler.conf"]) rmSync(`${K8S}/${f}`, { force: true });
  say(`[reset] Deleting contents of directories: [${MANIFESTS} ${KUBELET_DIR} ${K8S}/pki]`);
}

async function token() {
  const api = adminApi();
  if (sub === "create") {
    const value = rest[0] ?? randomToken();
    if (!TOKEN_RE.test(value)) throw new Error(`the bootstrap token "${value.slice(0, 6)}…" was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
    await createToken(api, value, parseDuration(flags.ttl ?? "24h"), flags.description);
    if (flags["print-join-command"] === "true") {
      const ca = loadKubeconfig(flags.kubeconfig ?? `${K8S}/admin.conf`);
      say(`kubeadm join ${new URL(ca.server).host} --token ${value} --discovery-token-ca-cert-hash ${caCertHash(/** @type {string} */ (ca.ca))}`);
    } else say(value);
    return;
  }
  if (sub === "list") {
    say("TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION   EXTRA GROUPS");
    for (const t of await listTokens(api)) {
      const ttl = t.expiration ? `${Math.max(0, Math.round((new Date(t.expiration).getTime() - Date.now()) / 3_600_000))}h` : "<forever>";
      say(`${t.id}.${t.secret}   ${ttl.padEnd(10)}  ${(t.expiration ?? "<never>").padEnd(21)}  authentication,signing   ${(t.description ?? "<none>").padEnd(12)}  system:bootstrappers:kubeadm:default-node-token`);
    }
    return;
  }
  throw new Error(`unknown command "${sub}" for "kubeadm token"`);
}

async function main() {
  switch (command) {
    case "version": {
      const VERSION = installedVersion("kubeadm");
      say(flags.o === "short" || flags.output === "short" ? VERSION : `kubeadm version: &version.Info{Major:"${minorOf(VERSION).major}", Minor:"${minorOf(VERSION).minor}", GitVersion:"${VERSION}"}`);
      return;
    }
    case "config":
      if (sub !== "validate") throw new Error(`unknown command "${sub}" for "kubeadm config"`);
      {
        const { unknownFields } = readConfig();
        if (unknownFields.length) throw new KubeadmConfigError(unknownFields.join("\n"));
        say("ok");
      }
      return;
    case "init":
      return init();
    case "join":
      return join();
    case "reset":
      return reset();
    case "token":
      return token();
    case "upgrade":
      return upgrade(sub, rest, flags);
    default:
      throw new Error(`unknown command "${command}" for "kubeadm"`);
  }
}

main().catch((e) => {
  const message = e instanceof PreflightError || e instanceof KubeadmConfigError ? e.message : String(e?.message ?? e);
  fail(message.startsWith("error execution phase") || e instanceof PreflightError ? message : `${message}\nTo see the stack trace of this error execute with --v=5 or higher`);
});
