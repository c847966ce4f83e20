// @ts-check
/**
 * The API server stand-in keeps its objects where the real one does: in the cluster's
 * external etcd, under /registry/..., through etcd's v3 JSON gateway with the
 * apiserver-etcd-client certificate. So every control-plane node sees the same nodes,
 * tokens and ConfigMaps, and a cluster whose etcd is down does not answer.
 */
import { readFileSync } from "node:fs";
import { request } from "./http.js";

const b64 = (s) => Buffer.from(s).toString("base64");
const unb64 = (s) => Buffer.from(s, "base64").toString("utf8");

/** The key just after every key with this prefix (etcd's range_end for a prefix). */
function prefixEnd(prefix) {
  const bytes = Buffer.from(prefix);
  bytes[bytes.length - 1] += 1;
  return bytes.toString("base64");
}

export class EtcdStore {
  /** @param {{ endpoints: string[], caFile: string, certFile: string, keyFile: string }} o */
  constructor(o) {
    this.endpoints = o.endpoints;
    this.tls = { ca: readFileSync(o.caFile, "utf8"), cert: readFileSync(o.certFile, "utf8"), key: readFileSync(o.keyFile, "utf8") };
  }

  async call(path, body) {
    let last;
    for (const endpoint of this.endpoints) {
      try {
        const res = await request(`${endpoint}${path}`, { method: "POST", body, ...this.tls });
        if (res.status !== 200) throw new Error(`etcd ${endpoint}${path}: HTTP ${res.status} ${res.text}`);
        return res.json;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  /** GET /version with the client certificate: what kubeadm's ExternalEtcdVersion preflight does. */
  async version() {
    let last;
    for (const endpoint of this.endpoints) {
      try {
        const res = await request(`${endpoint}/version`, this.tls);
        if (res.status === 200) return res.json;
        last = new Error(`${endpoint}/version: HTTP ${res.status}`);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  async get(key) {
    const res = await this.call("/v3/kv/range", { key: b64(key) });
    const kv = res.kvs?.[0];
    return kv ? JSON.parse(unb64(kv.value)) : undefined;
  }

  async list(prefix) {
    const res = await this.call("/v3/kv/range", { key: b64(prefix), range_end: prefixEnd(prefix) });
    return (res.kvs ?? []).map((kv) => JSON.parse(unb64(kv.value)));
  }

  async put(key, value) {
    await this.call("/v3/kv/put", { key: b64(key), value: b64(JSON.stringify(value)) });
  }

  /** Creates only if absent (a transaction on create_revision == 0); false when it existed. */
  async create(key, value) {
    const res = await this.call("/v3/kv/txn", {
      compare: [{ key: b64(key), target: "CREATE", create_revision: "0", result: "EQUAL" }],
      success: [{ request_put: { key: b64(key), value: b64(JSON.stringify(value)) } }],
    });
    return res.succeeded === true;
  }

  async delete(key) {
    await this.call("/v3/kv/deleterange", { key: b64(key) });
  }
}
