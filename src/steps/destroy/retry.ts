/**
 * Deleting in dependency order still meets things AWS releases late (a load balancer's
 * network interfaces, a NAT gateway's address). A blocked deletion is retried with
 * backoff until the deadline; then the error names exactly what still blocks it.
 */
import { InterruptedError, KxError } from "../../engine/errors.js";
import { errorCode, isDependencyViolation, isNotFound, toAwsError } from "../../aws/errors.js";
import { abortableSleep, backoffDelay } from "../../aws/waiters.js";
import type { PhaseRun } from "./types.js";

/** One deletion that did not happen, with the ids of what blocks it. */
export interface Blocked {
  resource: string;
  code: string;
  blockers: string[];
}

export class DestroyBlockedError extends KxError {
  readonly blocked: Blocked[];
  constructor(blocked: Blocked[]) {
    const lines = blocked.map(
      (b) => `  - ${b.resource} (${b.code})${b.blockers.length > 0 ? `: still used by ${b.blockers.join(", ")}` : ""}`,
    );
    super(`${blocked.length} resource${blocked.length === 1 ? "" : "s"} could not be deleted:\n${lines.join("\n")}`, {
      source: "user",
      hint: "Delete or detach what is listed (or wait for AWS to release it), then run `kx destroy` again: it continues where it stopped.",
    });
    this.blocked = blocked;
  }
}

/** Codes that mean "something still uses it, try later" besides the generic dependency ones. */
const ALSO_BLOCKED = new Set(["InvalidIPAddress.InUse", "IncorrectState", "InvalidNetworkInterface.InUse", "InvalidDBSubnetGroupStateFault", "VolumeInUse"]);

export function isBlocked(e: unknown): boolean {
  return isDependencyViolation(e) || ALSO_BLOCKED.has(errorCode(e) ?? "");
}

const pollMs = () => {
  const fromEnv = Number(process.env.KX_AWS_POLL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2_000;
};

/**
 * Runs `attempt` until it succeeds, the resource is gone (NotFound), or the deadline
 * passes while it is still blocked; then throws DestroyBlockedError with `blockers()`.
 */
export async function deleteWhenFree(
  run: PhaseRun,
  operation: string,
  resource: string,
  attempt: () => Promise<unknown>,
  blockers: () => Promise<string[]> = async () => [],
): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await attempt();
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isBlocked(e)) throw toAwsError(e, operation, resource);
      if (Date.now() >= run.deadline) {
        throw new DestroyBlockedError([{ resource, code: errorCode(e) ?? "DependencyViolation", blockers: await blockers().catch(() => []) }]);
      }
      run.ctx.log.debug(`${resource} is still in use (${errorCode(e)}), retrying`);
      await abortableSleep(backoffDelay(i, pollMs(), 15_000), run.ctx.signal).catch(() => {
        throw new InterruptedError(`interrupted while waiting to delete ${resource}; run \`kx destroy\` again to finish`);
      });
    }
  }
}

/** Runs one deletion per item at once; collects every blocked one into one error. */
export async function forEachItem<T>(items: readonly T[], remove: (item: T) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(items.map(remove));
  const blocked: Blocked[] = [];
  for (const r of results) {
    if (r.status === "fulfilled") continue;
    if (r.reason instanceof DestroyBlockedError) blocked.push(...r.reason.blocked);
    else throw r.reason;
  }
  if (blocked.length > 0) throw new DestroyBlockedError(blocked);
}
