// @ts-check
/**
 * A small XML writer. Objects become child elements named by their keys, arrays become
 * repeated items (the protocol's default item tag — `item` for EC2, `member` for the
 * query services — unless wrapped with `xlist`), undefined/null are omitted, Dates are
 * ISO 8601 and booleans `true`/`false`, as the AWS XML protocols write them.
 */

const LIST = Symbol("xlist");

/** @param {string} s */
export function escapeXml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/**
 * A list whose items are written as `<itemTag>`.
 * @param {string} itemTag @param {any[]} items @param {{flat?: boolean}} [opts] flat: items directly in the parent, no wrapper element
 */
export function xlist(itemTag, items, opts = {}) {
  return { [LIST]: true, itemTag, items, flat: opts.flat ?? false };
}

/** @param {any} value @param {string} itemTag @returns {string} */
function content(value, itemTag) {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "string") return escapeXml(value);
  if (Array.isArray(value)) return value.map((v) => element(itemTag, v, itemTag)).join("");
  if (value && value[LIST]) return value.items.map((/** @type {any} */ v) => element(value.itemTag, v, itemTag)).join("");
  if (value && typeof value === "object") {
    let out = "";
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      if (v && v[LIST] && v.flat) out += v.items.map((/** @type {any} */ i) => element(k, i, itemTag)).join("");
      else out += element(k, v, itemTag);
    }
    return out;
  }
  return "";
}

/** @param {string} name @param {any} value @param {string} itemTag */
export function element(name, value, itemTag) {
  return `<${name}>${content(value, itemTag)}</${name}>`;
}

/**
 * A document's root element with an xmlns.
 * @param {string} name @param {string | undefined} ns @param {any} value @param {string} itemTag
 */
export function document(name, ns, value, itemTag) {
  const attr = ns ? ` xmlns="${ns}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${name}${attr}>${content(value, itemTag)}</${name}>`;
}
