// @ts-check
import { authorize } from "./authorize.js";
import { AwsError } from "./errors.js";
import { decodeForm } from "./form.js";
import { requestId as newRequestId } from "./ids.js";
import { FAULT_CODES, failure, success } from "./protocols.js";
import { signatureMatches } from "./sigv4.js";

/**
 * One request through the fake: find the service (from the SigV4 credential scope, else
 * X-Amz-Target or the Route53 path), apply due state transitions, check credentials,
 * inject faults, wait the modelled call latency, run the handler, log the call.
 */

/** @typedef {import("./world.js").World} World */
/** @typedef {import("./protocols.js").Protocol} Protocol */
/**
 * @typedef {{
 *   name: string, signingName: string, protocol: Protocol, xmlns?: string, targetPrefix?: string,
 *   actions: Record<string, (params: any, ctx: HandlerContext) => any>,
 *   route?: (method: string, path: string, query: URLSearchParams) => { action: string, params: Record<string, string> } | undefined,
 *   onTick?: (world: World) => void,
 * }} ServiceModule
 */
/** @typedef {{ world: World, action: string, requestId: string, body: string, query: URLSearchParams, pathParams: Record<string, string>, accessKey?: string }} HandlerContext */

const SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/** @param {string} action */
export const isRead = (action) => /^(Describe|Get|List)/.test(action);

/**
 * @param {ServiceModule[]} services
 * @param {import("node:http").IncomingMessage} req
 * @param {URL} url
 */
function findService(services, req, url) {
  const auth = String(req.headers.authorization ?? "");
  const m = SCOPE.exec(auth);
  if (m) {
    const s = services.find((x) => x.signingName === m[3]);
    if (s) return { service: s, accessKey: m[1] };
  }
  const target = String(req.headers["x-amz-target"] ?? "");
  if (target) {
    const s = services.find((x) => x.targetPrefix && target.startsWith(`${x.targetPrefix}.`));
    if (s) return { service: s, accessKey: m?.[1] };
  }
  if (url.pathname.startsWith("/2013-04-01/")) {
    const s = services.find((x) => x.protocol === "rest-xml");
    if (s) return { service: s, accessKey: m?.[1] };
  }
  return undefined;
}

/**
 * @param {ServiceModule} service
 * @param {import("node:http").IncomingMessage} req
 * @param {URL} url
 * @param {string} body
 * @returns {{ action: string, params: any, pathParams: Record<string, string> }}
 */
function decodeRequest(service, req, url, body) {
  if (service.protocol === "json") {
    const target = String(req.headers["x-amz-target"] ?? "");
    let params = {};
    try {
      params = body ? JSON.parse(body) : {};
    } catch {
      throw new AwsError("SerializationException", "The request body is not valid JSON");
    }
    return { action: target.slice(target.indexOf(".") + 1), params, pathParams: {} };
  }
  if (service.protocol === "rest-xml") {
    const r = service.route?.(String(req.method), url.pathname, url.searchParams);
    if (!r) throw new AwsError("UnknownOperationException", `No operation at ${req.method} ${url.pathname}`, { status: 404 });
    return { action: r.action, params: {}, pathParams: r.params };
  }
  const params = decodeForm(url.search.length > 1 ? `${url.search.slice(1)}&${body}` : body);
  return { action: String(params.Action ?? ""), params, pathParams: {} };
}

/**
 * @param {World} world
 * @param {ServiceModule[]} services
 * @param {import("node:http").IncomingMessage} req
 * @param {URL} url
 * @param {string} body
 * @returns {Promise<import("./protocols.js").WireResponse>}
 */
export async function handleAws(world, services, req, url, body) {
  const requestId = newRequestId();
  const found = findService(services, req, url);
  if (!found) {
    return { status: 400, headers: { "content-type": "text/plain" }, body: "fake-aws: cannot tell which service this request is for" };
  }
  const { service, accessKey } = found;
  let action = "";
  /** @type {{ status: number, code?: string } | undefined} */
  let outcome;
  try {
    const decoded = decodeRequest(service, req, url, body);
    action = decoded.action;
    const handler = service.actions[action];
    if (!handler) {
      throw service.protocol === "json"
        ? new AwsError("UnknownOperationException", `Unknown operation ${action}`)
        : new AwsError("InvalidAction", `The action ${action} is not valid for this web service.`);
    }
    world.store.tick();
    for (const s of services) s.onTick?.(world);
    checkCredentials(world, service, accessKey, req, body);
    const session = accessKey ? world.roleSessions.get(accessKey) : undefined;
    if (session) authorize(world, session, service.name, action, decoded.params);
    const fault = world.faults.next(action);
    if (fault) {
      if (fault.kind === "fail") throw new AwsError(fault.code, fault.message, { status: fault.status });
      const [code, status] = FAULT_CODES[service.protocol][fault.kind === "throttle" ? "throttle" : "server"];
      throw new AwsError(String(code), fault.kind === "throttle" ? "Rate exceeded" : "An internal error has occurred", { status: Number(status) });
    }
    const wait = world.delay(isRead(action) ? "perCallRead" : "perCallWrite");
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const ctx = { world, action, requestId, body, query: url.searchParams, pathParams: decoded.pathParams, accessKey };
    const result = await handler(decoded.params, ctx);
    const res = success(service, action, result, requestId);
    outcome = { status: res.status };
    return res;
  } catch (e) {
    const err =
      e instanceof AwsError ? e : new AwsError(FAULT_CODES[service.protocol].server[0].toString(), `fake-aws internal error: ${(/** @type {Error} */ (e)).message}`, { status: 500 });
    if (!(e instanceof AwsError)) console.error("fake-aws:", e);
    outcome = { status: err.status, code: err.code };
    return failure(service, err, requestId);
  } finally {
    world.logCall({
      time: new Date().toISOString(),
      service: service.name,
      action,
      kind: isRead(action) ? "read" : "write",
      status: outcome?.status ?? 500,
      ...(outcome?.code ? { error: outcome.code } : {}),
    });
  }
}

/**
 * @param {World} world @param {ServiceModule} service @param {string | undefined} accessKey
 * @param {import("node:http").IncomingMessage} req @param {string} body
 */
function checkCredentials(world, service, accessKey, req, body) {
  const c = world.credentials;
  const codes = FAULT_CODES[service.protocol];
  if (accessKey && c.expired?.includes(accessKey)) {
    throw new AwsError(String(codes.expired[0]), "The security token included in the request is expired", { status: Number(codes.expired[1]) });
  }
  if (c.valid && (!accessKey || !c.valid.includes(accessKey))) {
    throw new AwsError(String(codes.badKey[0]), "The security token included in the request is invalid.", { status: Number(codes.badKey[1]) });
  }
  const secret = accessKey ? c.secrets?.[accessKey] : undefined;
  if (secret !== undefined && !signatureMatches(req, body, secret)) {
    throw new AwsError(
      String(codes.badSignature[0]),
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      { status: Number(codes.badSignature[1]) },
    );
  }
}
