// @ts-check
/** The kubeadm stand-in's calls to the cluster: ConfigMaps, tokens, node marking, waits. */
import { stringify } from "yaml";
import { sleep } from "./common.js";
import { tokenSecret, decodeTokenSecret, isExpired } from "./bootstrap-token.js";

export const WAIT_MS = Number(process.env.KX_STANDIN_WAIT_SECONDS ?? 120) * 1000;

/** Polls until fn returns a value; throws `message` with the last error after `ms`. */
export async function waitFor(fn, ms, message) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${message}${last ? `: ${/** @type {Error} */ (last).message}` : ""}`);
    await sleep(250);
  }
}

export async function ensureOk(res, what) {
  if (res.status >= 200 && res.status < 300) return res.json;
  throw new Error(`${what}: HTTP ${res.status}: ${res.json?.message ?? res.text}`);
}

export async function upsert(api, collection, obj) {
  const created = await api.post(collection, obj);
  if (created.status === 409) return ensureOk(await api.put(`${collection}/${obj.metadata.name}`, obj), `updating ${obj.metadata.name}`);
  return ensureOk(created, `creating ${obj.metadata.name}`);
}

export function configMap(namespace, name, data) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

export async function uploadConfig(api, cluster, kubelet) {
  await upsert(api, "/api/v1/namespaces/kube-system/configmaps", configMap("kube-system", "kubeadm-config", { ClusterConfiguration: stringify(cluster) }));
  await upsert(api, "/api/v1/namespaces/kube-system/configmaps", configMap("kube-system", "kubelet-config", { kubelet: stringify(kubelet) }));
}

/** Go durations as kubeadm's --ttl takes them: "48h", "24h0m0s", "90m", "0". */
export function parseDuration(text) {
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
  let total = 0;
  let consumed = "";
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2]];
    consumed += m[0];
  }
  if (!consumed || consumed !== text) throw new Error(`invalid argument "${text}" for "--ttl" flag: time: invalid duration "${text}"`);
  return total;
}

export async function createToken(api, token, ttlMs, description) {
  await ensureOk(await api.post("/api/v1/namespaces/kube-system/secrets", tokenSecret(token, ttlMs, description)), "failed to create or update bootstrap token");
}

export async function listTokens(api) {
  const list = await ensureOk(await api.get("/api/v1/namespaces/kube-system/secrets"), "failed to list bootstrap tokens");
  return list.items.filter((s) => s.type === "bootstrap.kubernetes.io/token").map(decodeTokenSecret).filter((t) => !isExpired(t));
}

/** mark-control-plane: the label and taint kubeadm puts on a control-plane node, once the kubelet registered it. */
export async function markControlPlane(api, nodeName, taints) {
  const node = await waitFor(
    async () => {
      const res = await api.get(`/api/v1/nodes/${nodeName}`);
      return res.status === 200 ? res.json : undefined;
    },
    WAIT_MS,
    `[mark-control-plane] timed out waiting for the node "${nodeName}" to register (is the kubelet running?)`,
  );
  node.metadata.labels = { ...node.metadata.labels, "node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": "" };
  node.spec = { ...node.spec, taints: taints ?? [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] };
  delete node.status;
  await ensureOk(await api.put(`/api/v1/nodes/${nodeName}`, node), "marking the control-plane node");
}
