/**
 * Names for resources whose names AWS limits (load balancers and target groups: 32
 * characters of letters, digits and '-'). A long cluster name is cut and suffixed with a
 * hash of the whole, so two long names never collide.
 */
import { createHash } from "node:crypto";

export function shortName(cluster: string, suffix: string, max = 32): string {
  const full = `${cluster}-${suffix}`;
  if (full.length <= max) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
  const room = max - suffix.length - hash.length - 2;
  return `${cluster.slice(0, room).replace(/-+$/, "")}-${hash}-${suffix}`;
}
