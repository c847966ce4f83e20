// @ts-check
/** kubeconfig files as kubeadm writes them, and a client that uses one. */
import { existsSync, readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { request } from "./http.js";

const b64 = (s) => Buffer.from(s).toString("base64");

/** @param {{ clusterName: string, server: string, caPem: string, user: string, certPem?: string, keyPem?: string, token?: string }} o */
export function buildKubeconfig(o) {
  const context = `${o.user}@${o.clusterName}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: o.clusterName, cluster: { server: o.server, "certificate-authority-data": b64(o.caPem) } }],
    contexts: [{ name: context, context: { cluster: o.clusterName, user: o.user } }],
    "current-context": context,
    preferences: {},
    users: [
      {
        name: o.user,
        user: o.token ? { token: o.token } : { "client-certificate-data": b64(o.certPem ?? ""), "client-key-data": b64(o.keyPem ?? "") },
      },
    ],
  });
}

export function loadKubeconfig(path) {
  if (!existsSync(path)) throw new Error(`stat ${path}: no such file or directory`);
  const doc = parse(readFileSync(path, "utf8"));
  const ctxName = doc?.["current-context"];
  const ctx = doc?.contexts?.find((c) => c.name === ctxName)?.context;
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = doc?.users?.find((u) => u.name === ctx?.user)?.user;
  if (!cluster?.server) throw new Error(`invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable (${path})`);
  const unb64 = (s) => (s ? Buffer.from(s, "base64").toString("utf8") : undefined);
  return {
    server: String(cluster.server),
    ca: unb64(cluster["certificate-authority-data"]),
    cert: unb64(user?.["client-certificate-data"]),
    key: unb64(user?.["client-key-data"]),
    token: user?.token,
    clusterName: ctx.cluster,
  };
}

/** A tiny Kubernetes client over one kubeconfig. */
export function client(kc) {
  const call = (method, path, body) =>
    request(`${kc.server}${path}`, { method, body, ca: kc.ca, cert: kc.cert, key: kc.key, bearer: kc.token });
  return {
    server: kc.server,
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
    put: (path, body) => call("PUT", path, body),
    delete: (path) => call("DELETE", path),
  };
}
