// @ts-check
import { AwsError } from "./errors.js";

/**
 * Offset pagination behind an opaque token, as NextToken / Marker are on AWS.
 * @template T
 * @param {T[]} items
 * @param {{ max?: number, token?: string, defaultMax?: number, limits?: [number, number], errorCode?: string }} opts
 * @returns {{ page: T[], next: string | undefined }}
 */
export function paginate(items, opts) {
  const [lo, hi] = opts.limits ?? [1, 1000];
  const errorCode = opts.errorCode ?? "InvalidParameterValue";
  if (opts.max !== undefined && (opts.max < lo || opts.max > hi)) {
    throw new AwsError(errorCode, `Value ( ${opts.max} ) for parameter maxResults is invalid. Parameter must be between ${lo} and ${hi}.`);
  }
  const size = opts.max ?? opts.defaultMax ?? hi;
  let start = 0;
  if (opts.token) {
    const m = /^fake:(\d+)$/.exec(Buffer.from(opts.token, "base64url").toString());
    if (!m) throw new AwsError(errorCode === "InvalidParameterValue" ? "InvalidNextToken" : errorCode, "The token is invalid");
    start = Number(m[1]);
  }
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(`fake:${start + size}`).toString("base64url") : undefined;
  return { page, next };
}
