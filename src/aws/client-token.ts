import { createHash } from "node:crypto";

/**
 * A deterministic idempotency token: the same cluster, step and generation always give
 * the same token, so a create retried after a crash returns the resource the first call
 * made. 64 hex characters fits RunInstances' limit. Bump `generation` only to create a
 * replacement on purpose.
 */
export function clientToken(cluster: string, stepId: string, generation = 0): string {
  return createHash("sha256").update(`${cluster}:${stepId}:${generation}`).digest("hex");
}
