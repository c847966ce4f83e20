import { UsageError } from "../../engine/errors.js";

/** N of `--flag N`: a whole number ≥ 1, or undefined when the flag was not given. */
export function countOption(flag: string, value: string | undefined, what = "nodes to add"): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} wants a whole number of ${what} (1 or more), got "${value}"`);
  return n;
}
