#!/usr/bin/env node
// @ts-check
/**
 * kubectl stand-in: talks to the API server stand-in with the kubeconfig's client
 * certificate (--kubeconfig, $KUBECONFIG, ~/.kube/config), so what it prints is what the
 * cluster holds. get (nodes and the resources lib/apiserver.js knows, -o json|name|wide,
 * --raw), apply [--server-side] -f (file, - or URL: only the gateway-api release's
 * standard-install.yaml is reachable, see lib/gateway-api-release.js), delete, version,
 * cluster-info.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { parseAllDocuments } from "yaml";
import { VERSION, fail, parseArgs } from "./lib/common.js";
import { client, loadKubeconfig } from "./lib/kubeconfig.js";
import { fetchManifest } from "./lib/gateway-api-release.js";
import { RESOURCES } from "./lib/resources.js";

const { flags, words } = parseArgs(process.argv.slice(2), ["client", "all-namespaces", "A", "server-side"]);
const [verb, ...args] = words;

const ALIASES = { node: "Node", nodes: "Node", no: "Node", storageclass: "StorageClass", storageclasses: "StorageClass", sc: "StorageClass", configmap: "ConfigMap", configmaps: "ConfigMap", cm: "ConfigMap", secret: "Secret", secrets: "Secret", namespace: "Namespace", namespaces: "Namespace", ns: "Namespace", deployment: "Deployment", deployments: "Deployment", daemonset: "DaemonSet", daemonsets: "DaemonSet", service: "Service", services: "Service", svc: "Service", customresourcedefinition: "CustomResourceDefinition", customresourcedefinitions: "CustomResourceDefinition", crd: "CustomResourceDefinition", crds: "CustomResourceDefinition" };

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
  const base = r.group ? `/apis/${r.group}/v1` : "/api/v1";
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
  const status = ready?.status === "True" && fresh ? "Ready" : "NotReady";
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

async function apply() {
  const file = flags.f ?? flags.filename;
  if (!file) fail("error: must specify one of -f and -k");
  const serverSide = flags["server-side"] === "true";
  const text = readSource(file);
  const k = api();
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) fail(`error: error parsing ${file}: ${d.errors[0].message}`);
    const obj = d.toJS();
    if (!obj) continue;
    if (!obj.apiVersion || !obj.kind) fail(`error: error validating "${file}": error validating data: [apiVersion not set, kind not set]`);
    if (!obj.metadata?.name) fail(`error: error when retrieving current configuration: resource name may not be empty`);
    const r = RESOURCES[obj.kind];
    if (!r) fail(`error: resource mapping not found for name: "${obj.metadata.name}" namespace: "" from "${file}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
    const wantApi = r.group ? `${r.group}/v1` : "v1";
    if (obj.apiVersion !== wantApi) fail(`error: resource mapping not found for name: "${obj.metadata.name}" from "${file}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
    const coll = collection(obj.kind, obj.metadata.namespace ?? flags.n ?? flags.namespace);
    const created = await k.post(coll, obj);
    const name = `${obj.kind.toLowerCase()}.${r.group || ""}`.replace(/\.$/, "");
    if (created.status === 409) {
      await call(k.put(`${coll}/${obj.metadata.name}`, obj), obj.metadata.name);
      console.log(`${name}/${obj.metadata.name} ${serverSide ? "serverside-applied" : "configured"}`);
    } else {
      await call(Promise.resolve(created), obj.metadata.name);
      console.log(`${name}/${obj.metadata.name} ${serverSide ? "serverside-applied" : "created"}`);
    }
  }
}

async function del() {
  const kind = ALIASES[args[0] ?? ""];
  if (!kind || !args[1]) fail("error: resource(s) were provided, but no name was specified");
  await call(api().delete(`${collection(kind, flags.n ?? flags.namespace)}/${args[1]}`), args[1]);
  console.log(`${kind.toLowerCase()} "${args[1]}" deleted`);
}

async function version() {
  const client = { major: VERSION.split(".")[0].slice(1), minor: VERSION.split(".")[1], gitVersion: VERSION };
  if (flags.client === "true") return void console.log(`Client Version: ${VERSION}`);
  const res = await call(api().get("/version"), "version");
  if ((flags.o ?? flags.output) === "json") return void console.log(JSON.stringify({ clientVersion: client, serverVersion: res.json }, null, 2));
  console.log(`Client Version: ${VERSION}\nKustomize Version: v5.7.1\nServer Version: ${res.json.gitVersion}`);
}

async function clusterInfo() {
  const k = api();
  await call(k.get("/readyz"), "readyz");
  console.log(`Kubernetes control plane is running at ${k.server}`);
}

const verbs = { get, apply, delete: del, version, "cluster-info": clusterInfo };
const run = verbs[verb ?? ""];
if (!run) fail(`error: unknown command "${verb}" for "kubectl"`);
await run();
