/** Polling a remote condition with a deadline, backing off, giving up on Ctrl-C. */
import { sleep } from "./remote.js";

export interface PollOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** The first pause (default 1 s), doubling up to `maxPollMs` (default 10 s). */
  pollMs?: number;
  maxPollMs?: number;
}

/** Calls `check` until it returns a value; after the deadline throws what `timedOut` makes. */
export async function pollUntil<T>(options: PollOptions, check: () => Promise<T | undefined>, timedOut: () => Error): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.pollMs ?? 1_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + delay > deadline) throw timedOut();
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, options.maxPollMs ?? 10_000);
  }
}
