// @ts-check
/** IPv4 CIDR arithmetic for VPC and subnet checks and address allocation. */

/** @param {string} ip @returns {number | undefined} */
export function ipToInt(ip) {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** @param {number} n */
export function intToIp(n) {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/**
 * @param {string} cidr
 * @returns {{ base: number, prefix: number, size: number } | undefined} undefined unless a valid network address
 */
export function parseCidr(cidr) {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(String(cidr));
  if (!m) return undefined;
  const base = ipToInt(m[1]);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  return { base, prefix, size };
}

/** @param {{base: number, size: number}} a @param {{base: number, size: number}} b */
export function overlaps(a, b) {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** @param {{base: number, size: number}} outer @param {{base: number, size: number}} inner */
export function contains(outer, inner) {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}
