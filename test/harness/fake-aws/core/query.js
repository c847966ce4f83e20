// @ts-check
import { AwsError } from "./errors.js";
import { paginate } from "./paginate.js";

/** Helpers for the query-protocol services (IAM, ELBv2, AutoScaling, RDS). */

/**
 * Marker pagination: `{ page, IsTruncated, Marker }` (IAM) — or pass names for the
 * services that call them differently (ELBv2 PageSize/NextMarker, RDS MaxRecords).
 * @template T
 * @param {T[]} items @param {any} p
 * @param {{ max?: string, marker?: string, defaultMax?: number, limits?: [number, number] }} [names]
 */
export function markerPage(items, p, names = {}) {
  const maxName = names.max ?? "MaxItems";
  const markerName = names.marker ?? "Marker";
  const { page, next } = paginate(items, {
    max: p[maxName] === undefined ? undefined : Number(p[maxName]),
    token: p[markerName],
    defaultMax: names.defaultMax ?? 100,
    limits: names.limits ?? [1, 1000],
    errorCode: "InvalidParameterValue",
  });
  return { page, next };
}

/** @param {any} v @param {string} name */
export function requiredParam(v, name) {
  if (v === undefined || v === "") {
    throw new AwsError("ValidationError", `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return String(v);
}
