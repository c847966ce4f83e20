// @ts-check
/**
 * Query-protocol request decoding. `Filter.1.Value.2=x` becomes
 * `{ Filter: { 1: { Value: { 2: "x" } } } }`; `list()` then turns the numbered maps into
 * arrays in index order, and `members()` reads the `X.member.N` lists of IAM, ELB, ASG
 * and RDS.
 */

/** @param {string} body @returns {Record<string, any>} */
export function decodeForm(body) {
  /** @type {Record<string, any>} */
  const root = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      if (typeof node[p] !== "object" || node[p] === null) node[p] = node[p] === undefined ? {} : { "": node[p] };
      node = node[p];
    }
    const last = parts[parts.length - 1];
    if (typeof node[last] === "object" && node[last] !== null) node[last][""] = value;
    else node[last] = value;
  }
  return root;
}

/** @param {any} x @returns {any[]} numbered entries of a decoded list, in index order */
export function list(x) {
  if (x === undefined || x === null || x === "") return [];
  if (Array.isArray(x)) return x;
  if (typeof x !== "object") return [x];
  return Object.keys(x)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => x[k]);
}

/** @param {any} x @returns {any[]} the entries of an `X.member.N` list */
export function members(x) {
  return x && typeof x === "object" ? list(x.member) : [];
}

/** @param {any} x @returns {boolean | undefined} */
export function bool(x) {
  if (x === undefined) return undefined;
  if (typeof x === "object" && x !== null) return bool(x.Value ?? x[""]);
  return String(x).toLowerCase() === "true";
}

/** @param {any} x @returns {number | undefined} */
export function int(x) {
  if (x === undefined || x === "") return undefined;
  const n = Number(x);
  return Number.isFinite(n) ? n : undefined;
}

/** Query-protocol tags (`Tags.member.N.Key/Value`) to `[{Key, Value}]`. @param {any} x */
export function memberTags(x) {
  return members(x).map((t) => ({ Key: String(t.Key), Value: t.Value === undefined ? "" : String(t.Value) }));
}
