// @ts-check
/**
 * helm's release storage (pkg/storage/driver/secrets.go): one Secret per revision,
 * `sh.helm.release.v1.NAME.vN` in the release's namespace, type helm.sh/release.v1,
 * labelled owner=helm, name, status, version; data.release holds the release JSON,
 * gzipped and base64-encoded (and base64-encoded again as Secret data), like helm's.
 * The API server stand-in has no label selectors, so lists are filtered here.
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** The namespaces the real API server creates at start-up (its system-namespaces controller). */
export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** What the Kubernetes calls failed with, worded like client-go's. */
export class ApiError extends Error {}

/** @param {{ status: number, json: any, text: string }} res */
export function ok(res, what) {
  if (res.status >= 200 && res.status < 300) return res.json;
  if (res.status === 401) throw new ApiError(`${what}: Unauthorized`);
  throw new ApiError(`${what}: ${res.json?.message ?? res.text}`);
}

const secrets = (ns) => `/api/v1/namespaces/${ns}/secrets`;
const secretName = (name, version) => `sh.helm.release.v1.${name}.v${version}`;

export function encodeRelease(rel) {
  return Buffer.from(gzipSync(Buffer.from(JSON.stringify(rel))).toString("base64")).toString("base64");
}

export function decodeRelease(data) {
  const inner = Buffer.from(Buffer.from(data, "base64").toString("utf8"), "base64");
  const gzipped = inner[0] === 0x1f && inner[1] === 0x8b;
  return JSON.parse((gzipped ? gunzipSync(inner) : inner).toString("utf8"));
}

/** @param {"createdAt" | "modifiedAt"} stamp helm's Create sets createdAt, its Update modifiedAt */
function toSecret(rel, stamp) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "helm.sh/release.v1",
    metadata: {
      name: secretName(rel.name, rel.version),
      namespace: rel.namespace,
      labels: { owner: "helm", name: rel.name, status: rel.info.status, version: String(rel.version), [stamp]: String(Math.floor(Date.now() / 1000)) },
    },
    data: { release: encodeRelease(rel) },
  };
}

/** Every revision of every release in a namespace (or of one release), oldest first. */
export async function history(api, namespace, name) {
  const list = ok(await api.get(secrets(namespace)), "list: failed to list");
  return list.items
    .filter((s) => s.type === "helm.sh/release.v1" && s.metadata?.labels?.owner === "helm" && (!name || s.metadata.labels.name === name))
    .map((s) => decodeRelease(s.data.release))
    .sort((a, b) => a.version - b.version);
}

export async function latest(api, namespace, name) {
  return (await history(api, namespace, name)).at(-1);
}

export async function createRevision(api, rel) {
  ok(await api.post(secrets(rel.namespace), toSecret(rel, "createdAt")), "create: failed to create");
}

export async function updateRevision(api, rel) {
  ok(await api.put(`${secrets(rel.namespace)}/${secretName(rel.name, rel.version)}`, toSecret(rel, "modifiedAt")), "update: failed to update");
}

export async function deleteRevision(api, rel) {
  ok(await api.delete(`${secrets(rel.namespace)}/${secretName(rel.name, rel.version)}`), "delete: failed to delete");
}

export async function namespaceExists(api, namespace) {
  if (SYSTEM_NAMESPACES.includes(namespace)) return true;
  const res = await api.get(`/api/v1/namespaces/${namespace}`);
  if (res.status === 404) return false;
  ok(res, `namespaces "${namespace}"`);
  return true;
}

/** The namespaces to look in for `helm list -A`: the system ones and every Namespace object. */
export async function allNamespaces(api) {
  const list = ok(await api.get("/api/v1/namespaces"), "list: failed to list");
  return [...new Set([...SYSTEM_NAMESPACES, ...list.items.map((n) => n.metadata.name)])].sort();
}
