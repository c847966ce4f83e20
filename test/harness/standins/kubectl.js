#!/usr/bin/env node
// @ts-check
/**
 * kubectl stand-in: talks to the API server stand-in with the kubeconfig's client
 * certificate (--kubeconfig, $KUBECONFIG, ~/.kube/config), so what it prints is what the
 * cluster holds. get (nodes and the resources lib/apiserver.js knows, -o json|name|wide,
 * --raw), apply [--server-side] [--validate] -f (file, - or URL: only the gateway-api
 * release's standard-install.yaml is reachable, see lib/gateway-api-release.js; custom
 * kinds only once their CRD is installed, checked by the API server against its schema),
 * delete, version, cluster-info; cordon, uncordon and drain (spec.unschedulable; drain
 * refuses DaemonSet-managed pods without --ignore-daemonsets, as every DaemonSet in the
 * API runs one pod on every node here).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { parseAllDocuments } from "yaml";
import { fail, installedVersion, parseArgs } from "./lib/common.js";
import { client, loadKubeconfig } from "./lib/kubeconfig.js";
import { fetchManifest } from "./lib/gateway-api-release.js";
import { RESOURCES } from "./lib/resources.js";

const { flags, words } = parseArgs(process.argv.slice(2), ["client", "all-namespaces", "A", "server-side", "ignore-daemonsets", "delete-emptydir-data", "force"]);
const [verb, ...args] = words;

const ALIASES = { node: "Node", nodes: "Node", no: "Node", storageclass: "StorageClass", storageclasses: "StorageClass", sc: "StorageClass", configmap: "ConfigMap", configmaps: "ConfigMap", cm: "ConfigMap", secret: "Secret", secrets: "Secret", namespace: "Namespace", namespaces: "Namespace", ns: "Namespace", deployment: "Deployment", deployments: "Deployment", daemonset: "DaemonSet", daemonsets: "DaemonSet", service: "Service", services: "Service", svc: "Service", customresourcedefinition: "CustomResourceDefinition", customresourcedefinitions: "CustomResourceDefinition", crd: "CustomResourceDefinition", crds: "CustomResourceDefinition", statefulset: "StatefulSet", statefulsets: "StatefulSet", sts: "StatefulSet", serviceaccount: "ServiceAccount", serviceaccounts: "ServiceAccount", sa: "ServiceAccount", clusterrole: "ClusterRole", clusterroles: "ClusterRole", clusterrolebinding: "ClusterRoleBinding", clusterrolebindings: "ClusterRoleBinding", elasticsearch: "Elasticsearch", elasticsearches: "Elasticsearch", es: "Elasticsearch", kibana: "Kibana", kibanas: "Kibana", kb: "Kibana", beat: "Beat", beats: "Beat" };

/** kubectl's --validate: strict (or true, the default), warn, ignore (or false); sent as the API's fieldValidation. */
const FIELD_VALIDATION = { strict: "Strict", true: "Strict", warn: "Warn", ignore: "Ignore", false: "Ignore" };

function kubeconfigPath() {
  return flags.kubeconfig ?? process.env.KUBECONFIG?.split(":")[0] ?? `${homedir()}/.kube/config`;
}

function api() {
  const path = kubeconfigPath();
  if (!existsSync(path)) fail(`error: stat ${path}: no such file or directory\nThe connection to the server localhost:8080 was refused - did you specify the right host or port?`);
  return client(loadKubeconfig(path));
}

function collection(kind, namespace) {
  const r = RESOURCES[kind];
  if (!r) fail(`error: the server doesn't have a resource type "${kind}"`);
  const base = r.group ? `/apis/${r.group}/${r.version ?? "v1"}` : "/api/v1";
  return r.namespaced ? `${base}/namespaces/${namespace ?? "default"}/${r.plural}` : `${base}/${r.plural}`;
}

async function call(promise, what) {
  let res;
  try {
    res = await promise;
  } catch (e) {
    fail(`The connection to the server was refused: ${/** @type {Error} */ (e).message}`);
  }
  if (res.status === 401) fail("error: You must be logged in to the server (Unauthorized)");
  if (res.status === 404) fail(`Error from server (NotFound): ${res.json?.message ?? what}`);
  if (res.status >= 300) fail(`Error from server: ${res.json?.message ?? res.text}`);
  return res;
}

function age(ts) {
  const s = Math.max(0, Math.round((Date.now() - new Date(ts).getTime()) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

function nodeRow(n, wide) {
  const ready = n.status?.conditions?.find((c) => c.type === "Ready");
  const fresh = ready?.lastHeartbeatTime && Date.now() - new Date(ready.lastHeartbeatTime).getTime() < 40_000;
  const status = (ready?.status === "True" && fresh ? "Ready" : "NotReady") + (n.spec?.unschedulable ? ",SchedulingDisabled" : "");
  const roles = Object.keys(n.metadata.labels ?? {}).filter((l) => l.startsWith("node-role.kubernetes.io/")).map((l) => l.split("/")[1]).join(",") || "<none>";
  const cols = [n.metadata.name, status, roles, age(n.metadata.creationTimestamp), n.status?.nodeInfo?.kubeletVersion ?? ""];
  if (wide) cols.push(n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "<none>");
  return cols;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i] + 3)).join("").trimEnd()).join("\n");
}

async function get() {
  if (flags.raw) {
    const res = await call(api().get(flags.raw), flags.raw);
    process.stdout.write(res.text.endsWith("\n") ? res.text : `${res.text}\n`);
    return;
  }
  const kind = ALIASES[args[0] ?? ""];
  if (!kind) fail(`error: the server doesn't have a resource type "${args[0]}"`);
  const path = args[1] ? `${collection(kind, flags.n ?? flags.namespace)}/${args[1]}` : collection(kind, flags.n ?? flags.namespace);
  const res = await call(api().get(path), `${args[0]} "${args[1]}" not found`);
  const items = args[1] ? [res.json] : res.json.items;
  const output = flags.o ?? flags.output;
  if (output === "json") return void console.log(JSON.stringify(args[1] ? res.json : { apiVersion: "v1", kind: "List", items }, null, 4));
  if (output === "name") return void console.log(items.map((i) => `${kind.toLowerCase()}/${i.metadata.name}`).join("\n"));
  if (items.length === 0) return void process.stderr.write("No resources found\n");
  if (kind === "Node") {
    const header = ["NAME", "STATUS", "ROLES", "AGE", "VERSION", ...(output === "wide" ? ["INTERNAL-IP"] : [])];
    console.log(table([header, ...items.map((n) => nodeRow(n, output === "wide"))]));
  } else {
    console.log(table([["NAME", "AGE"], ...items.map((i) => [i.metadata.name, age(i.metadata.creationTimestamp)])]));
  }
}

/** kubectl's resource builder: stdin, an http(s) URL, or a file. */
function readSource(file) {
  if (file === "-") return readFileSync(0, "utf8");
  if (/^https?:\/\//.test(file)) {
    const got = fetchManifest(file);
    if ("error" in got) fail(`error: ${got.error}`);
    return got.text;
  }
  if (!existsSync(file)) fail(`error: the path "${file}" does not exist`);
  return readFileSync(file, "utf8");
}

/** Whether the API holds the object at `path`. */
async function exists(k, path, name) {
  const res = await k.get(path);
  if (res.status === 404) return false;
  await call(Promise.resolve(res), name);
  return true;
}

/** kubectl's words for an Invalid status: its causes, on one line or one per line. */
function invalid(status) {
  const d = status?.details ?? {};
  const causes = (d.causes ?? []).map((c) => c.message);
  const head = `The ${d.kind} "${d.name}" is invalid`;
  if (causes.length === 0) return `${head}: ${status?.message}`;
  return causes.length === 1 ? `${head}: ${causes[0]}` : `${head}: \n${causes.map((c) => `* ${c}`).join("\n")}`;
}

async function apply() {
  const file = flags.f ?? flags.filename;
  if (!file) fail("error: must specify one of -f and -k");
  const serverSide = flags["server-side"] === "true";
  const validation = FIELD_VALIDATION[flags.validate ?? "strict"];
  if (!validation) fail(`error: invalid - validate option "${flags.validate}"; must be one of: strict (or true), warn, ignore (or false)`);
  const text = readSource(file);
  const k = api();
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) fail(`error: error parsing ${file}: ${d.errors[0].message}`);
    const obj = d.toJS();
    if (!obj) continue;
    if (!obj.apiVersion || !obj.kind) fail(`error: error validating "${file}": error validating data: [apiVersion not set, kind not set]`);
    if (!obj.metadata?.name) fail(`error: error when retrieving current configuration: resource name may not be empty`);
    const r = RESOURCES[obj.kind];
    if (!r) fail(`error: resource mapping not found for name: "${obj.metadata.name}" namespace: "" from "${file}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first`);
    const wantApi = r.group ? `${r.group}/${r.version ?? "v1"}` : "v1";
    // A custom kind is in discovery only while its CRD is installed.
    if (obj.apiVersion !== wantApi || (r.crd && !(await exists(k, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${r.crd}`, r.crd)))) {
      const ns = r.namespaced ? (obj.metadata.namespace ?? flags.n ?? flags.namespace ?? "default") : "";
      fail(`error: resource mapping not found for name: "${obj.metadata.name}" namespace: "${ns}" from "${file}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first`);
    }
    const coll = collection(obj.kind, obj.metadata.namespace ?? flags.n ?? flags.namespace);
    const name = `${obj.kind.toLowerCase()}.${r.group || ""}`.replace(/\.$/, "");
    // Like apply: read the live object, then create it or update it (kubectl patches; a PUT here).
    const live = await exists(k, `${coll}/${obj.metadata.name}`, obj.metadata.name);
    const res = live ? await k.put(`${coll}/${obj.metadata.name}?fieldValidation=${validation}`, obj) : await k.post(`${coll}?fieldValidation=${validation}`, obj);
    for (const w of res.warnings ?? []) process.stderr.write(`Warning: ${w}\n`);
    if (res.status === 400) fail(`Error from server (BadRequest): error when ${live ? "patching" : "creating"} "${file}": ${res.json?.message}`);
    if (res.status === 422) fail(invalid(res.json));
    await call(Promise.resolve(res), obj.metadata.name);
    console.log(`${name}/${obj.metadata.name} ${serverSide ? "serverside-applied" : live ? "configured" : "created"}`);
  }
}

async function del() {
  const kind = ALIASES[args[0] ?? ""];
  if (!kind || !args[1]) fail("error: resource(s) were provided, but no name was specified");
  await call(api().delete(`${collection(kind, flags.n ?? flags.namespace)}/${args[1]}`), args[1]);
  console.log(`${kind.toLowerCase()} "${args[1]}" deleted`);
}

async function version() {
  const VERSION = installedVersion("kubectl");
  const client = { major: VERSION.split(".")[0].slice(1), minor: VERSION.split(".")[1], gitVersion: VERSION };
  if (flags.client === "true") return void console.log(`Client Version: ${VERSION}`);
  const res = await call(api().get("/version"), "version");
  if ((flags.o ?? flags.output) === "json") return void console.log(JSON.stringify({ clientVersion: client, kustomizeVersion: "v5.7.1", serverVersion: res.json }, null, 2));
  console.log(`Client Version: ${VERSION}\nKustomize Version: v5.7.1\nServer Version: ${res.json.gitVersion}`);
}

async function clusterInfo() {
  const k = api();
  await call(k.get("/readyz"), "readyz");
  console.log(`Kubernetes control plane is running at ${k.server}`);
}

/** Flags a command takes besides --kubeconfig; anything else is refused as kubectl refuses an unknown flag. */
function onlyFlags(allowed) {
  for (const name of Object.keys(flags)) if (name !== "kubeconfig" && !allowed.includes(name)) fail(`error: unknown flag: --${name}\nSee 'kubectl ${verb} --help' for usage.`);
}

/** Sets spec.unschedulable; says what kubectl says. */
async function setUnschedulable(k, name, unschedulable) {
  const res = await call(k.get(`/api/v1/nodes/${name}`), `nodes "${name}" not found`);
  const node = res.json;
  const word = unschedulable ? "cordoned" : "uncordoned";
  if (Boolean(node.spec?.unschedulable) === unschedulable) return void console.log(`node/${name} already ${word}`);
  const { status: _status, ...object } = node;
  const spec = { ...object.spec };
  if (unschedulable) spec.unschedulable = true;
  else delete spec.unschedulable;
  await call(k.put(`/api/v1/nodes/${name}`, { ...object, spec }), name);
  console.log(`node/${name} ${word}`);
}

async function cordon() {
  onlyFlags([]);
  if (!args[0]) fail("error: resource(s) were provided, but no name was specified");
  await setUnschedulable(api(), args[0], true);
}

async function uncordon() {
  onlyFlags([]);
  if (!args[0]) fail("error: resource(s) were provided, but no name was specified");
  await setUnschedulable(api(), args[0], false);
}

/** A DaemonSet's pod on a node: name-xxxxx, the suffix from the node's name. */
function daemonPod(ds, node) {
  let h = 0;
  for (const c of `${ds.metadata.name}/${node}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${ds.metadata.namespace}/${ds.metadata.name}-${h.toString(36).slice(0, 5).padStart(5, "x")}`;
}

async function drain() {
  onlyFlags(["ignore-daemonsets", "delete-emptydir-data", "timeout", "force", "grace-period"]);
  const name = args[0];
  if (!name) fail("error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples");
  if (flags.timeout !== undefined && !/^(\d+(\.\d+)?(h|m|s|ms))+$|^0$/.test(flags.timeout)) {
    fail(`error: invalid argument "${flags.timeout}" for "--timeout" flag: time: invalid duration "${flags.timeout}"`);
  }
  const k = api();
  await setUnschedulable(k, name, true);
  const daemonSets = (await call(k.get("/apis/apps/v1/daemonsets"), "daemonsets")).json.items;
  const pods = daemonSets.map((ds) => daemonPod(ds, name));
  if (pods.length && flags["ignore-daemonsets"] !== "true") {
    const why = `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${pods.join(", ")}`;
    fail(`error: unable to drain node "${name}" due to error: ${why}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${why}`);
  }
  if (pods.length) process.stderr.write(`Warning: ignoring DaemonSet-managed Pods: ${pods.join(", ")}\n`);
  console.log(`node/${name} drained`);
}

const verbs = { get, apply, delete: del, version, "cluster-info": clusterInfo, cordon, uncordon, drain };
const run = verbs[verb ?? ""];
if (!run) fail(`error: unknown command "${verb}" for "kubectl"`);
await run();
