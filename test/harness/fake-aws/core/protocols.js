// @ts-check
import { document, escapeXml } from "./xml.js";

/**
 * The four wire shapes the fake answers in. Each formats a handler's result or an
 * AwsError the way the real service does, so the SDK raises the same exceptions:
 *   ec2      <XResponse xmlns=…><requestId/>…</XResponse>; errors <Response><Errors><Error>…
 *   query    <XResponse><XResult>…</XResult><ResponseMetadata/>; errors <ErrorResponse><Error><Type>…
 *   json     JSON 1.1 body; errors {"__type": code, "message": …}
 *   rest-xml (Route53) the handler names its root element; errors as query
 */

/** @typedef {"ec2" | "query" | "json" | "rest-xml"} Protocol */
/** @typedef {{ status: number, headers: Record<string, string>, body: string }} WireResponse */

/** Error codes for the faults the fake injects, per protocol. */
export const FAULT_CODES = {
  ec2: { throttle: ["RequestLimitExceeded", 503], server: ["InternalError", 500], badKey: ["AuthFailure", 401], expired: ["RequestExpired", 400], badSignature: ["SignatureDoesNotMatch", 403] },
  query: { throttle: ["Throttling", 400], server: ["InternalFailure", 500], badKey: ["InvalidClientTokenId", 403], expired: ["ExpiredToken", 400], badSignature: ["SignatureDoesNotMatch", 403] },
  "rest-xml": { throttle: ["Throttling", 400], server: ["InternalFailure", 500], badKey: ["InvalidClientTokenId", 403], expired: ["ExpiredToken", 400], badSignature: ["SignatureDoesNotMatch", 403] },
  json: { throttle: ["ThrottlingException", 400], server: ["InternalServerError", 500], badKey: ["UnrecognizedClientException", 400], expired: ["ExpiredTokenException", 400], badSignature: ["InvalidSignatureException", 400] },
};

/** @param {any} value */
function jsonBody(value) {
  return JSON.stringify(value ?? {}, function (key, v) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

/**
 * @param {{ protocol: Protocol, xmlns?: string }} service
 * @param {string} action
 * @param {any} result
 * @param {string} requestId
 * @returns {WireResponse}
 */
export function success(service, action, result, requestId) {
  switch (service.protocol) {
    case "ec2":
      return xml(200, document(`${action}Response`, service.xmlns, { requestId, ...(result ?? {}) }, "item"), requestId);
    case "query": {
      const body = result === undefined ? {} : { [`${action}Result`]: result };
      return xml(200, document(`${action}Response`, service.xmlns, { ...body, ResponseMetadata: { RequestId: requestId } }, "member"), requestId);
    }
    case "json":
      return { status: 200, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId }, body: jsonBody(result) };
    case "rest-xml": {
      const r = result ?? {};
      const body = r.root ? document(r.root, service.xmlns, r.value, "member") : "";
      return { status: r.status ?? 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId, ...(r.headers ?? {}) }, body };
    }
  }
}

/**
 * @param {{ protocol: Protocol, xmlns?: string }} service
 * @param {{ code: string, message: string, status: number, sender?: boolean }} err
 * @param {string} requestId
 * @returns {WireResponse}
 */
export function failure(service, err, requestId) {
  const message = escapeXml(err.message);
  switch (service.protocol) {
    case "ec2":
      return xml(
        err.status,
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
        requestId,
      );
    case "query":
    case "rest-xml": {
      const type = err.sender === false || err.status >= 500 ? "Receiver" : "Sender";
      const ns = service.xmlns ? ` xmlns="${service.xmlns}"` : "";
      return xml(
        err.status,
        `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${ns}><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        requestId,
      );
    }
    case "json":
      return {
        status: err.status,
        headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId },
        body: JSON.stringify({ __type: err.code, message: err.message }),
      };
  }
}

/** @param {number} status @param {string} body @param {string} requestId */
function xml(status, body, requestId) {
  return { status, headers: { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId }, body };
}
