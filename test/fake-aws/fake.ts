/**
 * Test plumbing: one fake per test file, and real SDK clients pointed at it with static
 * credentials, as kx's clients are when AWS_ENDPOINT_URL is set.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startFakeAws } from "../harness/fake-aws/index.js";

export type Fake = Awaited<ReturnType<typeof startFakeAws>>;

export const REGION = "eu-west-1";

export function clientConfig(fake: Fake) {
  return {
    endpoint: fake.url,
    region: REGION,
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "secret" },
    maxAttempts: 1,
  };
}

/** Start a fake for this file; reset it before every test. */
export function useFake(opts: Parameters<typeof startFakeAws>[0] = {}): () => Fake {
  let fake: Fake | undefined;
  beforeAll(async () => {
    fake = await startFakeAws({ latencyScale: 0, ...opts });
  });
  afterAll(async () => {
    await fake?.stop();
  });
  beforeEach(() => {
    fake?.reset();
    fake?.setHosts(opts.hosts ?? []);
    fake?.setLatencyScale(opts.latencyScale ?? 0);
    fake?.setProbeTargets(opts.probeTargets ?? false);
    fake?.setCredentials({});
  });
  return () => {
    if (!fake) throw new Error("fake not started");
    return fake;
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { name: string; Code?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Poll until `check` returns a value (scale-0 fakes move state on the next request). */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
