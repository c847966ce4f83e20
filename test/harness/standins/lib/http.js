// @ts-check
/** HTTPS requests with client certificates, as the Kubernetes clients make them. */
import { request as httpsRequest } from "node:https";

/**
 * @param {string} url
 * @param {{ method?: string, body?: unknown, ca?: string, cert?: string, key?: string, bearer?: string, insecure?: boolean, timeoutMs?: number }} o
 * @returns {Promise<{ status: number, text: string, json: any, warnings: string[] }>}
 */
export function request(url, o = {}) {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = httpsRequest(
      url,
      {
        method: o.method ?? "GET",
        // A connection per request: Node's default keep-alive agent may reuse a socket the
        // server is closing at that moment (its 5 s idle timeout), and the request then
        // fails with "socket hang up" on a loaded machine. kubectl's runs are one-shot anyway.
        agent: false,
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        rejectUnauthorized: !o.insecure,
        headers: {
          accept: "application/json",
          ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
          ...(o.bearer ? { authorization: `Bearer ${o.bearer}` } : {}),
        },
        timeout: o.timeoutMs ?? 5_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const warnings = (res.headersDistinct.warning ?? []).map((w) => w.replace(/^299 - "(.*)"$/, (_, t) => JSON.parse(`"${t}"`)));
          resolve({ status: res.statusCode ?? 0, text, json, warnings });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`Get "${url}": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)`)));
    req.on("error", (e) => reject(describe(url, e)));
    if (body) req.write(body);
    req.end();
  });
}

/** Go's wording for the common failures, so messages read like kubeadm's. */
function describe(url, e) {
  const err = /** @type {NodeJS.ErrnoException} */ (e);
  const host = new URL(url).host;
  if (err.code === "ECONNREFUSED") return new Error(`Get "${url}": dial tcp ${host}: connect: connection refused`);
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return new Error(`Get "${url}": dial tcp: lookup ${new URL(url).hostname}: no such host`);
  if (/self.signed|unable to verify|UNABLE_TO_GET_ISSUER|certificate/i.test(`${err.code} ${err.message}`)) {
    return new Error(`Get "${url}": tls: failed to verify certificate: x509: certificate signed by unknown authority (${err.code ?? err.message})`);
  }
  return new Error(`Get "${url}": ${err.message}`);
}
