// @ts-check
/**
 * The kube-apiserver static pod, run by the kubelet stand-in from
 * /etc/kubernetes/manifests/kube-apiserver.yaml: an HTTPS server on the advertise address
 * with the serving certificate kubeadm issued, client certificates checked against
 * --client-ca-file, bootstrap tokens as bearer tokens, and objects kept in the external
 * etcd (--etcd-servers with the --etcd-* client certificate). It answers what kx and the
 * other stand-ins ask: health, version, cluster-info with JWS signatures, CSRs of joining
 * kubelets (signed at once with the cluster CA, the controller manager's job), and plain
 * REST for nodes, secrets, ConfigMaps and simple manifests.
 */
import { createServer } from "node:https";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { EtcdStore } from "./etcd-store.js";
import { readManifest } from "./manifest.js";
import { decodeTokenSecret, detachedSignature, isExpired } from "./bootstrap-token.js";
import { issue } from "./pki.js";
import { parsePath } from "./resources.js";
import { checkCustomResource } from "./eck-schema.js";

const keyOf = (p) => `/registry/${p.group || "core"}/${p.resource}/${p.namespace ?? "_"}/${p.name ?? ""}`;

/**
 * @param {string} manifestPath
 * @param {(line: string) => void} log
 */
export async function startApiServer(manifestPath, log) {
  const { flags, version } = readManifest(manifestPath);
  // Removed in 1.33: the real kube-apiserver exits with this at start-up.
  if ("cloud-provider" in flags) throw new Error("Error: unknown flag: --cloud-provider");
  const address = flags["advertise-address"];
  const port = Number(flags["secure-port"] ?? 6443);
  const etcd = new EtcdStore({
    endpoints: flags["etcd-servers"].split(","),
    caFile: flags["etcd-cafile"],
    certFile: flags["etcd-certfile"],
    keyFile: flags["etcd-keyfile"],
  });
  const clientCa = readFileSync(flags["client-ca-file"], "utf8");
  const signer = { certPem: clientCa, keyPem: readFileSync(join(dirname(flags["client-ca-file"]), "ca.key"), "utf8") };
  const [major, minor] = version.replace(/^v/, "").split(".");
  const versionInfo = { major, minor, gitVersion: version, platform: "linux/amd64" };

  const tokenAuth = async (header) => {
    const m = /^Bearer ([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(header ?? "");
    if (!m) return undefined;
    const s = await etcd.get(keyOf({ group: "", resource: "secrets", namespace: "kube-system", name: `bootstrap-token-${m[1]}` }));
    if (!s) return undefined;
    const t = decodeTokenSecret(s);
    return t.secret === m[2] && t.auth && !isExpired(t) ? { user: `system:bootstrap:${m[1]}`, bootstrap: true } : undefined;
  };

  const handle = async (req, body) => {
    const url = new URL(req.url ?? "/", "https://x");
    const path = url.pathname;
    if (["/healthz", "/livez", "/readyz"].includes(path)) {
      try {
        await etcd.version();
        return [200, "ok"];
      } catch (e) {
        return [500, `[-]etcd failed: ${/** @type {Error} */ (e).message}\n${path.slice(1)} check failed`];
      }
    }
    if (path === "/version") return [200, versionInfo];
    const p = parsePath(path);
    const publicInfo = p && p.resource === "configmaps" && p.namespace === "kube-public" && p.name === "cluster-info" && req.method === "GET";
    const peer = /** @type {import("node:tls").TLSSocket} */ (req.socket);
    const byCert = peer.authorized ? { user: peer.getPeerCertificate().subject?.CN, bootstrap: false } : undefined;
    const who = byCert ?? (await tokenAuth(req.headers.authorization));
    if (!who && !publicInfo) return [401, { kind: "Status", status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 }];
    if (!p) return [404, { kind: "Status", message: `the server could not find the requested resource (${path})`, code: 404 }];
    if (who?.bootstrap && !(p.resource === "certificatesigningrequests" || (p.resource === "configmaps" && p.namespace === "kube-system"))) {
      return [403, { kind: "Status", message: `${p.resource} is forbidden: User "${who.user}" cannot ${req.method} resource "${p.resource}"`, code: 403 }];
    }
    if (publicInfo) return [200, await clusterInfo()];
    if (p.resource === "certificatesigningrequests" && req.method === "POST") return [201, await signCsr(body)];
    if (p.group && p.group !== "apiextensions.k8s.io" && (req.method === "POST" || req.method === "PUT")) {
      // A kind some CRD defines: decoded and validated against the CRD's schema first.
      const crd = await etcd.get(keyOf({ group: "apiextensions.k8s.io", resource: "customresourcedefinitions", name: `${p.resource}.${p.group}` }));
      if (crd) {
        const checked = checkCustomResource(crd, body, url.searchParams.get("fieldValidation") ?? "");
        if (checked.status !== 200) return [checked.status, checked.body];
        const [status, payload] = await rest(req.method, p, checked.body);
        return [status, payload, checked.warnings];
      }
    }
    return rest(req.method ?? "GET", p, body);
  };

  const clusterInfo = async () => {
    const cm = await etcd.get(keyOf({ group: "", resource: "configmaps", namespace: "kube-public", name: "cluster-info" }));
    if (!cm) return { kind: "Status", code: 404 };
    const tokens = await etcd.list(keyOf({ group: "", resource: "secrets", namespace: "kube-system", name: "" }));
    const data = { ...cm.data };
    for (const s of tokens) {
      if (s.type !== "bootstrap.kubernetes.io/token") continue;
      const t = decodeTokenSecret(s);
      if (t.signing && !isExpired(t)) data[`jws-kubeconfig-${t.id}`] = detachedSignature(cm.data.kubeconfig, t.id, t.secret);
    }
    return { ...cm, data };
  };

  /** The TLS bootstrap: a kubelet's key gets a client certificate system:node:<name>. */
  const signCsr = async (body) => {
    const nodeName = body?.spec?.nodeName;
    const publicKeyPem = Buffer.from(String(body?.spec?.request ?? ""), "base64").toString("utf8");
    if (!nodeName || !publicKeyPem.includes("PUBLIC KEY")) throw Object.assign(new Error("invalid CSR"), { status: 422 });
    const { certPem } = await issue(signer, { cn: `system:node:${nodeName}`, o: ["system:nodes"], usages: ["clientAuth"], publicKeyPem });
    return { kind: "CertificateSigningRequest", metadata: { name: body.metadata?.name }, status: { certificate: Buffer.from(certPem).toString("base64") } };
  };

  // A Node's status lives under its own key: kubelet heartbeats never race kubeadm's labels.
  const statusKey = (name) => keyOf({ group: "", resource: "nodes-status", name });
  const withStatus = async (p, obj) => (p.resource === "nodes" && obj ? { ...obj, status: (await etcd.get(statusKey(obj.metadata.name))) ?? {} } : obj);

  const rest = async (method, p, body) => {
    const key = keyOf(p);
    if (method === "GET" && !p.name) {
      // Without a namespace: every namespace's (a cluster-scoped kind's are all under "_").
      const prefix = p.namespace ? key : `/registry/${p.group || "core"}/${p.resource}/`;
      const items = await Promise.all((await etcd.list(prefix)).map((o) => withStatus(p, o)));
      return [200, { kind: "List", apiVersion: "v1", items }];
    }
    if (method === "GET") {
      const obj = await withStatus(p, await etcd.get(key));
      return obj ? [200, obj] : [404, { kind: "Status", message: `${p.resource} "${p.name}" not found`, reason: "NotFound", code: 404 }];
    }
    if (p.resource === "nodes" && p.sub === "status" && method === "PUT") {
      if (!(await etcd.get(key))) return [404, { kind: "Status", message: `nodes "${p.name}" not found`, reason: "NotFound", code: 404 }];
      await etcd.put(statusKey(p.name), body?.status ?? {});
      return [200, body];
    }
    if (method === "DELETE") {
      await etcd.delete(key);
      if (p.resource === "nodes") await etcd.delete(statusKey(p.name));
      return [200, { kind: "Status", status: "Success" }];
    }
    const name = p.name ?? body?.metadata?.name;
    if (!name) return [422, { kind: "Status", message: "metadata.name is required", code: 422 }];
    const target = keyOf({ ...p, name });
    const obj = { ...body, metadata: { ...body.metadata, name, ...(p.namespace ? { namespace: p.namespace } : {}) } };
    if (method === "POST") {
      obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      if (p.resource === "nodes") delete obj.status;
      if (!(await etcd.create(target, obj))) {
        return [409, { kind: "Status", message: `${p.resource} "${name}" already exists`, reason: "AlreadyExists", code: 409 }];
      }
      return [201, obj];
    }
    if (method === "PUT") {
      const old = await etcd.get(target);
      obj.metadata.creationTimestamp = old?.metadata?.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z");
      if (p.resource === "nodes") delete obj.status;
      await etcd.put(target, obj);
      return [200, obj];
    }
    return [405, { kind: "Status", message: `method ${method} not allowed`, code: 405 }];
  };

  // Like the real API server, refuse to serve until etcd answers.
  await etcd.version();

  const server = createServer(
    {
      cert: readFileSync(flags["tls-cert-file"]),
      key: readFileSync(flags["tls-private-key-file"]),
      ca: clientCa,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      let text = "";
      req.setEncoding("utf8");
      req.on("data", (d) => (text += d));
      req.on("end", async () => {
        let status;
        let payload;
        let warnings;
        try {
          [status, payload, warnings] = await handle(req, text ? JSON.parse(text) : undefined);
        } catch (e) {
          status = /** @type {any} */ (e).status ?? 500;
          payload = { kind: "Status", message: String(/** @type {Error} */ (e).message), code: status };
        }
        // The API server's warnings, one header each (RFC 7234 form, code 299), as kubectl prints them.
        const warning = (warnings ?? []).map((w) => `299 - ${JSON.stringify(w)}`);
        res.writeHead(status, { "content-type": typeof payload === "string" ? "text/plain" : "application/json", ...(warning.length ? { warning } : {}) });
        res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
      });
    },
  );
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve(undefined));
  });
  log(`kube-apiserver ${version} serving on https://${address}:${port}`);
  return {
    version,
    close: () =>
      new Promise((r) => {
        server.close(() => r(undefined));
        server.closeAllConnections();
      }),
  };
}
