#!/usr/bin/env node
// @ts-check
/**
 * helm (v3) stand-in for the test hosts: the commands kx runs, against the API server
 * stand-in with the kubeconfig's client certificate (--kubeconfig, $KUBECONFIG,
 * ~/.kube/config). Charts come from a catalog (lib/helm-charts.js) instead of a
 * repository; releases are stored as helm stores them (lib/helm-releases.js) and the
 * chart's main workloads are created in the API (lib/helm-objects.js).
 *
 *   helm version [--template '{{ .Version }}']
 *   helm upgrade --install RELEASE CHART --repo URL --version V -n NS [--create-namespace]
 *        -f FILE... [--wait] [--timeout 10m0s]
 *   helm status RELEASE -n NS -o json
 *   helm list (-A | -n NS) -o json
 *   helm get values RELEASE -n NS -o json
 *   helm uninstall RELEASE -n NS
 *
 * (--kubeconfig anywhere.) Anything else fails with "helm stand-in: unsupported …".
 * `--wait` is accepted: the workloads exist in the API at once; pod readiness is not
 * modelled, except that values the chart's components would crash on (cilium without
 * kube-proxy and no k8sServiceHost, no pod CIDRs) fail the release as --wait would, and
 * mark those workloads with the annotation standins.kx.test/crash-loop for the kubelet
 * stand-in. HELM_STANDIN_VERSION overrides the version it reports (default v3.19.0).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { client, loadKubeconfig } from "./lib/kubeconfig.js";
import { CRASH_LOOP_ANNOTATION, findChart } from "./lib/helm-charts.js";
import { readValues, schemaErrors } from "./lib/helm-values.js";
import { allNamespaces, createRevision, deleteRevision, history, latest, namespaceExists, ok, updateRevision } from "./lib/helm-releases.js";
import { applyObjects, deleteObjects, fromManifest, toManifest } from "./lib/helm-objects.js";

const VERSION = process.env.HELM_STANDIN_VERSION ?? "v3.19.0";
const GIT_COMMIT = "3d8990f0836691f0229297773f3524598f46bda6";

class HelmError extends Error {}
const unsupported = (what) => new HelmError(`helm stand-in: unsupported ${what}`);

// ---- command line -------------------------------------------------------------------

/** Flags by long name: value flags, repeatable ones, booleans; shorthands map to them. */
const VALUE_FLAGS = ["repo", "version", "namespace", "values", "timeout", "kubeconfig", "output", "template"];
const BOOL_FLAGS = ["install", "create-namespace", "wait", "all-namespaces"];
const SHORT = { n: "namespace", f: "values", o: "output", i: "install", A: "all-namespaces" };
const GLOBAL = ["kubeconfig", "namespace"];
const COMMAND_FLAGS = {
  version: ["template"],
  upgrade: ["install", "repo", "version", "create-namespace", "values", "wait", "timeout"],
  status: ["output"],
  list: ["output", "all-namespaces"],
  "get values": ["output"],
  uninstall: [],
};

function parse(argv) {
  /** @type {Record<string, string | boolean>} */
  const flags = {};
  /** @type {string[]} */
  const values = [];
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^(--?)([^=]+)(?:=(.*))?$/.exec(arg);
    if (!m || arg === "-") {
      words.push(arg);
      continue;
    }
    const name = m[1] === "-" ? SHORT[m[2]] : m[2];
    if (!name || (m[1] === "-" && m[2].length !== 1)) throw new HelmError(`unknown shorthand flag: '${m[2][0]}' in ${arg}`);
    if (BOOL_FLAGS.includes(name)) {
      flags[name] = m[3] === undefined ? true : m[3] === "true";
      continue;
    }
    if (!VALUE_FLAGS.includes(name)) throw unsupported(`flag --${name}`);
    const value = m[3] ?? argv[++i];
    if (value === undefined) throw new HelmError(`flag needs an argument: --${name}`);
    if (name === "values") values.push(...value.split(","));
    else flags[name] = value;
  }
  return { flags, values, words };
}

// ---- cluster access -----------------------------------------------------------------

function kubeconfigPath(flags) {
  return String(flags.kubeconfig ?? process.env.KUBECONFIG?.split(":")[0] ?? `${homedir()}/.kube/config`);
}

/** helm's IsReachable: the client config, then GET /version; "Kubernetes cluster unreachable" otherwise. */
async function cluster(flags) {
  const path = kubeconfigPath(flags);
  // client-go insists on an explicit --kubeconfig; missing $KUBECONFIG files and a missing
  // ~/.kube/config just leave an empty config, which means http://localhost:8080.
  const explicit = flags.kubeconfig !== undefined;
  if (!existsSync(path)) {
    throw new HelmError(
      explicit
        ? `Kubernetes cluster unreachable: stat ${path}: no such file or directory`
        : 'Kubernetes cluster unreachable: Get "http://localhost:8080/version": dial tcp 127.0.0.1:8080: connect: connection refused',
    );
  }
  let api;
  try {
    api = client(loadKubeconfig(path));
    const res = await api.get("/version");
    if (res.status === 401) throw new Error("the server has asked for the client to provide credentials");
    if (res.status !== 200) throw new Error(`the server responded with HTTP ${res.status}`);
  } catch (e) {
    throw new HelmError(`Kubernetes cluster unreachable: ${/** @type {Error} */ (e).message}`);
  }
  return api;
}

// ---- helpers ------------------------------------------------------------------------

const now = () => new Date().toISOString();
/** Go's time.Time String(), which `helm list` prints. */
const goTime = (iso) => `${iso.replace("T", " ").replace("Z", "")} +0000 UTC`;

function want(words, count, usage) {
  if (words.length !== count) {
    const command = usage.split(" ").filter((w) => /^[a-z]/.test(w)).join(" ");
    throw new HelmError(`"helm ${command}" requires ${count} argument${count === 1 ? "" : "s"}\n\nUsage:  helm ${usage} [flags]`);
  }
}

function namespaceOf(flags) {
  return String(flags.namespace ?? "default");
}

function outputJson(flags) {
  if (flags.output !== "json") throw unsupported(`output ${flags.output === undefined ? "(table)" : `"${flags.output}"`}: kx reads -o json`);
}

const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// Go's time.ParseDuration, for --timeout.
function checkDuration(text) {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text) && text !== "0") {
    throw new HelmError(`invalid argument "${text}" for "--timeout" flag: time: invalid duration "${text}"`);
  }
}

/**
 * After a successful upgrade the release it replaced is superseded: the deployed one, or
 * the failed last one when none was deployed (action.Upgrade's currentRelease).
 */
async function supersede(api, revisions) {
  const deployed = revisions.filter((r) => r.info.status === "deployed");
  const last = revisions.at(-1);
  const replaced = deployed.length ? deployed : last && last.info.status === "failed" ? [last] : [];
  for (const r of replaced) await updateRevision(api, { ...r, info: { ...r.info, status: "superseded" } });
}

/** upgrade's --history-max default: the 10 newest revisions are kept, and always the deployed one. */
async function prune(api, revisions) {
  const old = revisions.slice(0, Math.max(0, revisions.length - 10)).filter((r) => r.info.status !== "deployed");
  for (const r of old) await deleteRevision(api, r);
}

function printRelease(rel) {
  console.log(`NAME: ${rel.name}\nLAST DEPLOYED: ${new Date(rel.info.last_deployed).toUTCString()}\nNAMESPACE: ${rel.namespace}\nSTATUS: ${rel.info.status}\nREVISION: ${rel.version}\nTEST SUITE: None`);
}

// ---- commands -----------------------------------------------------------------------

async function version(flags) {
  const info = { Version: VERSION, GitCommit: GIT_COMMIT, GitTreeState: "clean", GoVersion: "go1.24.7" };
  if (flags.template !== undefined) {
    const out = String(flags.template).replace(/\{\{\s*\.(\w+)\s*\}\}/g, (whole, key) => {
      if (!(key in info)) throw new HelmError(`template: version:1:3: executing "version" at <.${key}>: can't evaluate field ${key} in type version.BuildInfo`);
      return info[key];
    });
    if (/\{\{/.test(out)) throw unsupported(`--template ${flags.template}: only {{ .Field }} is modelled`);
    process.stdout.write(out);
    return;
  }
  console.log(`version.BuildInfo{Version:"${info.Version}", GitCommit:"${info.GitCommit}", GitTreeState:"${info.GitTreeState}", GoVersion:"${info.GoVersion}"}`);
}

async function upgrade(flags, valueFiles, words) {
  want(words, 2, "upgrade [RELEASE] [CHART]");
  const [name, chartName] = words;
  if (!flags.install) throw unsupported("upgrade without --install (kx always runs upgrade --install)");
  if (!flags.repo) throw unsupported(`chart reference "${chartName}" without --repo (kx always passes the repository URL)`);
  if (!flags.version) throw unsupported("upgrade without --version (kx always pins the chart version)");
  if (flags.timeout !== undefined) checkDuration(String(flags.timeout));
  const namespace = namespaceOf(flags);
  const api = await cluster(flags);
  const revisions = await history(api, namespace, name);
  const previous = revisions.at(-1);
  if (!previous) console.log(`Release "${name}" does not exist. Installing it now.`);

  const found = findChart(String(flags.repo), chartName, String(flags.version));
  if ("error" in found) throw new HelmError(found.error);
  const { chart } = found;
  const values = readValues(valueFiles);
  if (name.length > 53 || !RELEASE_NAME.test(name)) {
    throw new HelmError(`release name "${name}": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53`);
  }
  // What fails inside action.Upgrade's Run is wrapped; the install path returns it bare.
  const failed = (message) => new HelmError(previous ? `UPGRADE FAILED: ${message}` : message);
  if (chart.schema) {
    const problems = schemaErrors(chartName, chart.schema, values);
    if (problems) throw failed(problems.trimEnd());
  }

  if (!previous && !(await namespaceExists(api, namespace))) {
    if (!flags["create-namespace"]) throw new HelmError(`create: failed to create: namespaces "${namespace}" not found`);
    const res = await api.post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { name: namespace } } });
    if (res.status !== 409) ok(res, `namespaces "${namespace}"`);
  }

  const chartVersion = String(flags.version).replace(/^v/, "");
  const render = { release: name, namespace, version: chartVersion, values };
  const runtimeFailure = chart.runtimeCheck?.(values);
  const objects = chart.objects(render).map((o) =>
    runtimeFailure?.workloads.includes(o.metadata.name) ? { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [CRASH_LOOP_ANNOTATION]: runtimeFailure.message } } } : o,
  );
  const at = now();
  const metadata = { apiVersion: "v2", name: chartName, version: chartVersion, ...(chart.appVersion ? { appVersion: chart.appVersion(chartVersion) } : {}) };
  const rel = {
    name,
    namespace,
    version: (previous?.version ?? 0) + 1,
    info: {
      first_deployed: previous?.info.first_deployed ?? at,
      last_deployed: at,
      deleted: "",
      description: runtimeFailure ? `${previous ? "Upgrade" : "Release"} "${name}" failed: context deadline exceeded` : previous ? "Upgrade complete" : "Install complete",
      status: runtimeFailure ? "failed" : "deployed",
    },
    chart: { metadata },
    config: values,
    manifest: toManifest(chartName, objects),
  };
  try {
    await applyObjects(api, rel, objects, fromManifest(previous?.manifest));
  } catch (e) {
    throw failed(/** @type {Error} */ (e).message);
  }
  await createRevision(api, rel);
  if (!runtimeFailure) await supersede(api, revisions);
  await prune(api, [...revisions, rel]);
  if (runtimeFailure) {
    // With --wait helm times out on pods that never get ready (without it, they crash-loop
    // after a "successful" install): the stand-in fails either way, and says why.
    throw failed(`context deadline exceeded: the ${chartName} pods would never become ready: ${runtimeFailure.message}`);
  }
  if (previous) console.log(`Release "${name}" has been upgraded. Happy Helming!`);
  printRelease(rel);
}

async function status(flags, words) {
  want(words, 1, "status RELEASE_NAME");
  outputJson(flags);
  const api = await cluster(flags);
  const rel = await latest(api, namespaceOf(flags), words[0]);
  if (!rel) throw new HelmError("release: not found");
  console.log(JSON.stringify(rel));
}

async function list(flags, words) {
  if (words.length) throw unsupported(`list filter "${words.join(" ")}"`);
  outputJson(flags);
  const api = await cluster(flags);
  const namespaces = flags["all-namespaces"] ? await allNamespaces(api) : [namespaceOf(flags)];
  const rows = [];
  for (const ns of namespaces) {
    const byName = new Map();
    for (const rel of await history(api, ns)) byName.set(rel.name, rel);
    for (const rel of byName.values()) {
      // Like helm's default filter: deployed and failed releases, not superseded or uninstalled ones.
      if (!["deployed", "failed"].includes(rel.info.status)) continue;
      const meta = rel.chart.metadata;
      rows.push({ name: rel.name, namespace: rel.namespace, revision: String(rel.version), updated: goTime(rel.info.last_deployed), status: rel.info.status, chart: `${meta.name}-${meta.version}`, app_version: meta.appVersion ?? "" });
    }
  }
  rows.sort((a, b) => a.name.localeCompare(b.name));
  console.log(JSON.stringify(rows));
}

async function getValues(flags, words) {
  want(words, 1, "get values RELEASE_NAME");
  outputJson(flags);
  const api = await cluster(flags);
  const rel = await latest(api, namespaceOf(flags), words[0]);
  if (!rel) throw new HelmError("release: not found");
  console.log(JSON.stringify(rel.config ?? null));
}

async function uninstall(flags, words) {
  if (words.length !== 1) throw unsupported(words.length ? "uninstall of several releases at once" : `"helm uninstall" without a release name`);
  const api = await cluster(flags);
  const name = words[0];
  if (name.length > 53 || !RELEASE_NAME.test(name)) throw new HelmError(`uninstall: Release name is invalid: ${name}`);
  const revisions = await history(api, namespaceOf(flags), name);
  if (revisions.length === 0) throw new HelmError(`uninstall: Release not loaded: ${name}: release: not found`);
  await deleteObjects(api, fromManifest(revisions.at(-1).manifest));
  for (const rel of revisions) await deleteRevision(api, rel);
  console.log(`release "${name}" uninstalled`);
}

async function main() {
  const { flags, values, words } = parse(process.argv.slice(2));
  let [command, ...rest] = words;
  if (command === "get") {
    const what = rest.shift();
    if (what !== "values") throw unsupported(`command "get ${what ?? ""}"`);
    command = "get values";
  }
  const allowed = COMMAND_FLAGS[command ?? ""];
  if (!allowed) throw unsupported(`command "${command ?? ""}" (kx runs: version, upgrade --install, status, list, get values, uninstall)`);
  for (const f of Object.keys(flags)) {
    if (!allowed.includes(f) && !GLOBAL.includes(f)) throw unsupported(`flag --${f} for "helm ${command}"`);
  }
  if (values.length && command !== "upgrade") throw unsupported(`flag --values for "helm ${command}"`);
  if (command === "version") return version(flags);
  if (command === "upgrade") return upgrade(flags, values, rest);
  if (command === "status") return status(flags, rest);
  if (command === "list") return list(flags, rest);
  if (command === "get values") return getValues(flags, rest);
  return uninstall(flags, rest);
}

try {
  await main();
} catch (e) {
  process.stderr.write(`Error: ${/** @type {Error} */ (e).message}\n`);
  process.exit(1);
}
