/**
 * IPv4 CIDR arithmetic for the config rules and the derived subnets. Blocks are kept
 * as unsigned 32-bit numbers so containment and overlap are two comparisons.
 */
export interface Cidr {
  /** First address of the block, as an unsigned 32-bit number. */
  readonly network: number;
  readonly prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses "10.0.0.0/16". Undefined when malformed or when host bits are set ("10.0.0.1/16"). */
export function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5);
  if (!octets.every((o) => OCTET.test(o))) return undefined;
  const prefix = Number(match[5]);
  if (prefix > 32) return undefined;
  const network = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
  if (network % blockSize(prefix) !== 0) return undefined;
  return { network, prefix };
}

/** Why `text` is not a CIDR block, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
  if (parseCidr(text)) return undefined;
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text);
  if (match && parseAddress(match[1]!) !== undefined && Number(match[2]) <= 32) {
    const prefix = Number(match[2]);
    const base = Math.floor(parseAddress(match[1]!)! / blockSize(prefix)) * blockSize(prefix);
    return `"${text}" has host bits set; the block is ${formatCidr({ network: base, prefix })}`;
  }
  return `"${text}" is not an IPv4 CIDR block such as 10.0.0.0/16`;
}

export function parseAddress(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((o) => OCTET.test(o))) return undefined;
  return parts.reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.network)}/${cidr.prefix}`;
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

function last(cidr: Cidr): number {
  return cidr.network + blockSize(cidr.prefix) - 1;
}

/** True when every address of `inner` is in `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.network <= inner.network && last(inner) <= last(outer);
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= last(b) && b.network <= last(a);
}

/** The `index`-th block of prefix `prefix` inside `outer` (index 0 starts at outer's first address). */
export function subnet(outer: Cidr, prefix: number, index: number): Cidr {
  if (prefix < outer.prefix || prefix > 32) throw new RangeError(`cannot cut /${prefix} blocks out of ${formatCidr(outer)}`);
  if (index < 0 || index >= 2 ** (prefix - outer.prefix)) throw new RangeError(`${formatCidr(outer)} has no /${prefix} block number ${index}`);
  return { network: outer.network + index * blockSize(prefix), prefix };
}
