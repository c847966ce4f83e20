import { describe, expect, it } from "vitest";
import { backoffDelay, waitFor, WaitTimeoutError } from "../../src/aws/waiters.js";
import { isKxError } from "../../src/engine/errors.js";

/** A virtual clock: sleeping advances time instantly, so the tests never wait. */
function clock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

describe("waitFor", () => {
  it("polls until ready and returns the ready value", async () => {
    const c = clock();
    const states = ["pending", "pending", "available"];
    let i = 0;
    const got = await waitFor(
      async () => states[i++]!,
      (s) => (s === "available" ? { done: true, value: `nat is ${s}` } : { done: false, state: s }),
      { what: "NAT gateway nat-1", now: c.now, sleep: c.sleep, random: () => 1 },
    );
    expect(got).toBe("nat is available");
    expect(i).toBe(3);
    expect(c.sleeps).toEqual([2000, 4000]);
  });

  it("times out naming the resource and its last state", async () => {
    const c = clock();
    const err = await waitFor(async () => ({ State: "pending" }), () => false, {
      what: "NAT gateway nat-0abc (eu-west-1a) to become available",
      timeoutMs: 60_000,
      now: c.now,
      sleep: c.sleep,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toBe(
      'timed out after 60 s waiting for NAT gateway nat-0abc (eu-west-1a) to become available; last state: {"State":"pending"}',
    );
    expect(c.now()).toBe(60_000);
  });

  it("stops at once when the signal aborts, even mid-sleep", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    const err = await waitFor(async () => "pending", () => false, {
      what: "instance i-1",
      signal: controller.signal,
      initialDelayMs: 60_000,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(isKxError(err) && err.exitCode).toBe(130);
    expect((err as Error).message).toContain("instance i-1");
  });

  it("lets isReady fail fast", async () => {
    const err = await waitFor(
      async () => "failed",
      (s) => {
        if (s === "failed") throw new Error("NAT gateway nat-1 failed: Resource.AlreadyAssociated");
        return false;
      },
      { what: "nat" },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toContain("Resource.AlreadyAssociated");
  });
});

describe("backoffDelay", () => {
  it("grows exponentially, is capped, and keeps at least half the step", () => {
    expect(backoffDelay(0, 1000, 8000, () => 0)).toBe(500);
    expect(backoffDelay(3, 1000, 8000, () => 1)).toBe(8000);
    expect(backoffDelay(50, 1000, 8000, () => 0.5)).toBe(6000);
  });
});
