// @ts-check
/**
 * An IMDSv2 server for one instance, as the instance sees 169.254.169.254: a session
 * token from PUT /latest/api/token (the TTL header is required), then meta-data with the
 * token — refused without one when the instance's HttpTokens is "required", as kx sets it.
 * The role's credentials come from the fake (issueRoleCredentials), which holds requests
 * signed with them to the role's policies.
 */
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";

/**
 * @typedef {{ id: string, privateIp: string, privateDnsName: string, availabilityZone: string, region: string,
 *   httpTokens: string, role?: string }} ImdsInstance
 * @typedef {(role: string, sessionName: string) => { accessKeyId: string, secretAccessKey: string, sessionToken: string }} CredentialIssuer
 */

/**
 * @param {ImdsInstance} instance @param {CredentialIssuer} issue
 * @returns {Promise<{ url: string, stopped: boolean, requests: () => string[], stop(): Promise<void> }>}
 */
export async function startImds(instance, issue) {
  const tokens = new Map();
  const log = /** @type {string[]} */ ([]);
  const issued = instance.role ? issue(instance.role, instance.id) : undefined;
  const credentials = issued && { AccessKeyId: issued.accessKeyId, SecretAccessKey: issued.secretAccessKey, Token: issued.sessionToken };
  const metaData = () => {
    /** @type {Record<string, string>} */
    const m = {
      "instance-id": instance.id,
      "local-hostname": instance.privateDnsName,
      hostname: instance.privateDnsName,
      "local-ipv4": instance.privateIp,
      "placement/availability-zone": instance.availabilityZone,
      "placement/region": instance.region,
    };
    if (instance.role && credentials) {
      m["iam/security-credentials/"] = instance.role;
      m[`iam/security-credentials/${instance.role}`] = JSON.stringify({
        Code: "Success",
        LastUpdated: new Date().toISOString(),
        Type: "AWS-HMAC",
        ...credentials,
        Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
      });
    }
    return m;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://imds");
    log.push(`${req.method} ${url.pathname}`);
    const send = (/** @type {number} */ status, /** @type {string} */ body) => res.writeHead(status, { "content-type": "text/plain" }).end(body);
    if (req.method === "PUT" && url.pathname === "/latest/api/token") {
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(400, "Bad Request");
      const token = randomBytes(32).toString("base64url");
      tokens.set(token, Date.now() + ttl * 1000);
      return send(200, token);
    }
    if (req.method !== "GET") return send(405, "Method Not Allowed");
    const token = String(req.headers["x-aws-ec2-metadata-token"] ?? "");
    const tokenValid = (tokens.get(token) ?? 0) > Date.now();
    if (token ? !tokenValid : instance.httpTokens === "required") return send(401, "Unauthorized");
    const prefix = "/latest/meta-data/";
    if (url.pathname === "/latest/dynamic/instance-identity/document") {
      return send(200, JSON.stringify({ instanceId: instance.id, region: instance.region, availabilityZone: instance.availabilityZone, privateIp: instance.privateIp }));
    }
    const value = url.pathname.startsWith(prefix) ? metaData()[url.pathname.slice(prefix.length)] : undefined;
    return value === undefined ? send(404, "Not Found") : send(200, value);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const imds = {
    url: `http://127.0.0.1:${port}`,
    stopped: false,
    requests: () => [...log],
    stop: () =>
      new Promise((resolve) => {
        imds.stopped = true;
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
  return imds;
}
