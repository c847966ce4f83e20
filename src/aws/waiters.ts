/**
 * One generic waiter for everything AWS does asynchronously (NAT gateways, instances,
 * load balancers, deletions). It polls with capped exponential backoff and full jitter,
 * gives up at a deadline with a message naming the resource and the last state seen,
 * and stops at once when the run is interrupted.
 */
import { InterruptedError, KxError } from "../engine/errors.js";

export interface WaitOptions {
  /** What is waited for, for messages: "NAT gateway nat-0abc (eu-west-1a) to become available". */
  what: string;
  /** Default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** First delay between polls. Default 2 s. */
  initialDelayMs?: number;
  /** Cap of the delay between polls. Default 15 s. */
  maxDelayMs?: number;
  /** Describes a state for the timeout message; default JSON of the last state. */
  describeState?: (state: unknown) => string;
  /** Injected in tests; default setTimeout-based sleep honouring the signal. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected in tests; default Date.now. */
  now?: () => number;
  /** Injected in tests; default Math.random. */
  random?: () => number;
}

/** The waiter's answer on each poll: done (with the value to return), or not yet (with the state to report). */
export type WaitCheck<T> = { done: true; value: T } | { done: false; state: string };

export class WaitTimeoutError extends KxError {
  readonly lastState: string;
  constructor(what: string, timeoutMs: number, lastState: string) {
    super(`timed out after ${formatDuration(timeoutMs)} waiting for ${what}; last state: ${lastState}`, {
      source: "internal",
      hint: "AWS may be slow or the resource stuck; run the same command again to keep waiting, or inspect the resource in the AWS console.",
    });
    this.lastState = lastState;
  }
}

/**
 * Polls `describe` until `isReady` says done. `isReady` may throw to fail fast (a NAT
 * gateway in state "failed" will never become available).
 */
export async function waitFor<S, T = S>(
  describe: () => Promise<S>,
  isReady: (state: S) => WaitCheck<T> | boolean,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const initial = options.initialDelayMs ?? defaultPollMs();
  const cap = Math.max(initial, options.maxDelayMs ?? 15_000);
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const deadline = now() + timeoutMs;
  let lastState = "not yet described";

  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${options.what}`);
    const state = await describe();
    const check = isReady(state);
    if (check === true) return state as unknown as T;
    if (check !== false && check.done) return check.value;
    lastState = check === false ? (options.describeState ?? defaultDescribe)(state) : check.state;

    const remaining = deadline - now();
    if (remaining <= 0) throw new WaitTimeoutError(options.what, timeoutMs, lastState);
    const delay = Math.min(remaining, backoffDelay(attempt, initial, cap, random));
    try {
      await sleep(delay, options.signal);
    } catch (e) {
      if (options.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${options.what}`);
      throw e;
    }
  }
}

/**
 * First poll delay. KX_AWS_POLL_MS shortens it for endpoints whose resources settle in
 * milliseconds (the local test cloud, emulators); real AWS needs seconds.
 */
function defaultPollMs(): number {
  const fromEnv = Number(process.env.KX_AWS_POLL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2_000;
}

/** "Equal jitter": half the exponential step fixed, half random, so polls never bunch up nor drop to zero. */
export function backoffDelay(attempt: number, initialMs: number, capMs: number, random: () => number = Math.random): number {
  const step = Math.min(capMs, initialMs * 2 ** Math.min(attempt, 20));
  return step / 2 + random() * (step / 2);
}

/** Resolves after `ms`, rejects at once when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function defaultDescribe(state: unknown): string {
  if (state === undefined) return "not found";
  const text = JSON.stringify(state);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
