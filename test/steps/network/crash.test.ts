/**
 * A run that dies after any write, then runs again with no state (the worst case: the
 * state save was lost too), ends with the same resources as an undisturbed run, each
 * exactly once. The "death" is a non-retryable error injected into the call that
 * follows the write.
 */
import { describe, expect, it } from "vitest";
import { networkSteps } from "../../../src/steps/network/index.js";
import { securitySteps } from "../../../src/steps/security/index.js";
import { applyAll, awsTestConfig, fakeAwsClients, planAll, testContext } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";

const fake = useFakeAws();

const config = awsTestConfig();
const steps = [...networkSteps(config), ...securitySteps(config)];

/** How many live resources of each kind the fake holds. */
function census(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, list] of Object.entries(fake().inventory() as Record<string, any[]>)) {
    const live = list.filter((r) => !["deleted", "deleting", "failed", "terminated"].includes(r.state));
    if (live.length > 0) out[type] = live.length;
  }
  return out;
}

/** A fresh context (no state) on shared clients. */
async function run(): Promise<void> {
  await applyAll(testContext({ config, aws: await clients() }), steps);
}

let shared: Awaited<ReturnType<typeof fakeAwsClients>> | undefined;
const clients = async () => (shared ??= await fakeAwsClients(fake().url));

describe("a create interrupted after any write", () => {
  it("resumes to the same resources, none twice", async () => {
    await run();
    const expected = census();
    const calls = fake().calls() as { action: string; kind: string }[];
    // The call after each write: failing it is dying right after that write.
    const seen = new Map<string, number>();
    const cutPoints: { action: string; n: number; after: string }[] = [];
    calls.forEach((call, i) => {
      const n = seen.get(call.action) ?? 0;
      seen.set(call.action, n + 1);
      const previous = calls[i - 1];
      if (previous?.kind === "write" && !cutPoints.some((c) => c.after === previous.action)) {
        cutPoints.push({ action: call.action, n, after: previous.action });
      }
    });
    expect(cutPoints.length).toBeGreaterThanOrEqual(10);
    // Ten of them, spread over the whole run (deterministic), keep the test short.
    const step = cutPoints.length / 10;
    const chosen = cutPoints.length <= 10 ? cutPoints : Array.from({ length: 10 }, (_, i) => cutPoints[Math.floor(i * step)]!);

    for (const cut of chosen) {
      fake().reset();
      fake().setFaults({ failAfter: { action: cut.action, n: cut.n, code: "KxTestCrash", message: `dies after ${cut.after}` } });
      await expect(run(), `cut after ${cut.after}`).rejects.toThrow(/KxTestCrash/);
      fake().setFaults({});
      await run();
      expect([cut.after, census()]).toEqual([cut.after, expected]);
      const ctx = testContext({ config, aws: await clients() });
      expect([cut.after, await planAll(ctx, steps)]).toEqual([cut.after, {}]);
    }
  });
});
