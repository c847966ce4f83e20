import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/engine/errors.js";
import type { RunnerEvent } from "../../src/engine/events.js";
import { RunFailedError } from "../../src/engine/run-errors.js";
import { stateDataKey } from "../../src/engine/state.js";
import type { Step } from "../../src/engine/types.js";
import { gate, MemoryStateStore, run, runExpectingError, testStep } from "./helpers.js";

const ids = (events: RunnerEvent[], type: RunnerEvent["type"]) =>
  events.filter((e) => e.type === type).map((e) => (e as { id: string }).id);

describe("runSteps: order and concurrency", () => {
  it("runs a step only after every step it needs has finished", async () => {
    const calls: string[] = [];
    const steps = [
      testStep("d", calls, { needs: ["b", "c"] }),
      testStep("b", calls, { needs: ["a"] }),
      testStep("c", calls, { needs: ["a"] }),
      testStep("a", calls),
    ];
    const { result } = await run(steps, new MemoryStateStore());
    const at = (c: string) => calls.indexOf(c);
    expect(at("apply:a")).toBeLessThan(at("plan:b"));
    expect(at("apply:a")).toBeLessThan(at("plan:c"));
    expect(at("apply:b")).toBeLessThan(at("plan:d"));
    expect(at("apply:c")).toBeLessThan(at("plan:d"));
    expect(result.counts.done).toBe(4);
    expect(result.steps.map((s) => s.id)).toEqual(["d", "b", "c", "a"]);
  });

  it("never runs more steps at once than the limit, and uses the limit", async () => {
    const total = 12;
    const limit = 3;
    let inFlight = 0;
    let maxInFlight = 0;
    let startedCount = 0;
    const waiting: (() => void)[] = [];
    // A step holds until the runner has as many in flight as it may (or none are left to
    // start): a runner that starts too many shows as maxInFlight > limit, one that starts
    // too few never releases them and the test times out.
    const release = () => {
      if (inFlight === limit || startedCount === total) waiting.splice(0).forEach((w) => w());
    };
    const steps = Array.from({ length: total }, (_, i) =>
      testStep(`s${i}`, [], {
        plan: async () => {
          inFlight++;
          startedCount++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          return [];
        },
        apply: async () => {
          await new Promise<void>((r) => {
            waiting.push(r);
            release();
          });
          inFlight--;
          return {};
        },
      }),
    );
    const { result } = await run(steps, new MemoryStateStore(), { concurrency: limit });
    expect(result.counts.done).toBe(total);
    expect(maxInFlight).toBe(limit);
  }, 10_000);

  it("never saves the state twice at once", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    await run(Array.from({ length: 20 }, (_, i) => testStep(`s${i}`, calls)), store, { concurrency: 8 });
    expect(store.maxConcurrentSaves).toBe(1);
    expect(Object.values(store.doc!.steps).every((r) => r.status === "done")).toBe(true);
  });

  it("rejects a cycle and an unknown need before any step runs", async () => {
    const calls: string[] = [];
    const store = new MemoryStateStore();
    const cyc = await runExpectingError([testStep("a", calls, { needs: ["b"] }), testStep("b", calls, { needs: ["a"] })], store);
    expect(String(cyc.error)).toContain("cycle");
    const unknown = await runExpectingError([testStep("a", calls, { needs: ["nope"] })], store);
    expect(String(unknown.error)).toContain("a needs nope");
    expect(calls).toEqual([]);
    expect(store.saves).toBe(0);
    expect(cyc.events).toEqual([]);
  });
});

describe("runSteps: resume", () => {
  it("skips done steps and re-runs failed ones, with their dependents", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    let fail = true;
    const steps = [
      testStep("a", calls),
      testStep("b", calls, {
        needs: ["a"],
        apply: async () => {
          if (fail) throw new Error("boom password=hunter22");
          return { b: 1 };
        },
      }),
      testStep("c", calls, { needs: ["b"] }),
      testStep("d", calls),
    ];
    const first = await runExpectingError(steps, store);
    expect(first.error).toBeInstanceOf(RunFailedError);
    const err = first.error as RunFailedError;
    expect(err.failedSteps).toEqual(["b"]);
    expect(err.exitCode).toBe(EXIT.failure);
    expect(err.message).toContain("step b failed: boom");
    expect(err.result.steps.find((s) => s.id === "c")).toMatchObject({ outcome: "blocked", blockedBy: ["b"] });
    // An independent step still finishes; the dependent of the failure never starts.
    expect(calls).toContain("apply:d");
    expect(calls).not.toContain("plan:c");
    expect(store.doc!.steps.b).toMatchObject({ status: "failed", error: "boom password=***" });
    expect(store.doc!.steps.d!.status).toBe("done");
    expect(store.doc!.steps.c).toBeUndefined();

    fail = false;
    calls.length = 0;
    const second = await run(steps, store);
    expect(calls).toEqual(["plan:b", "apply:b", "plan:c", "apply:c"]);
    expect(second.events.filter((e) => e.type === "step-skipped")).toEqual([
      { type: "step-skipped", id: "a", reason: "done" },
      { type: "step-skipped", id: "d", reason: "done" },
    ]);
    expect(Object.values(store.doc!.steps).map((r) => r.status)).toEqual(["done", "done", "done", "done"]);
  });

  it("re-runs steps left running or interrupted by an earlier run", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    const steps = [testStep("a", calls), testStep("b", calls), testStep("c", calls)];
    await run(steps, store);
    store.doc!.steps.a!.status = "running";
    store.doc!.steps.b!.status = "interrupted";
    calls.length = 0;
    await run(steps, store);
    expect(calls.sort()).toEqual(["apply:a", "apply:b", "plan:a", "plan:b"]);
  });

  it("re-runs a step whose inputs changed, and downstream only where its outputs changed", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    const config = { cidr: "10.0.0.0/16", tags: { team: "a" } };
    const steps = [
      testStep("vpc", calls, { inputs: () => config.cidr, apply: async () => ({ cidr: config.cidr }) }),
      testStep("tags", calls, { inputs: () => config.tags, apply: async () => ({ ok: true }) }),
      testStep("subnet", calls, { needs: ["vpc"] }),
      testStep("sg", calls, { needs: ["tags"] }),
    ];
    await run(steps, store);
    expect(calls).toHaveLength(8);

    calls.length = 0;
    await run(steps, store);
    expect(calls).toEqual([]); // nothing changed: every step skipped as done

    config.cidr = "10.1.0.0/16";
    config.tags = { team: "b" }; // re-runs "tags", whose outputs stay the same
    calls.length = 0;
    await run(steps, store);
    expect(calls.sort()).toEqual(["apply:subnet", "apply:tags", "apply:vpc", "plan:subnet", "plan:tags", "plan:vpc"]);
  });

  it("plans a replan step again although it is done with the same inputs; its dependents stay skipped", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    const steps = [testStep("join-info", calls), testStep("timer", calls, { needs: ["join-info"] })];
    await run(steps, store);
    calls.length = 0;
    const { events } = await run(steps, store, { replan: (id) => id === "join-info" });
    expect(calls).toEqual(["plan:join-info", "apply:join-info"]);
    expect(events).toContainEqual({ type: "step-skipped", id: "timer", reason: "done" });
  });
});

describe("runSteps: --only / --skip", () => {
  const make = (calls: string[]): Step[] => [
    testStep("network/vpc", calls),
    testStep("network/subnet:a", calls, { needs: ["network/vpc"] }),
    testStep("security/sg", calls, { needs: ["network/vpc"] }),
  ];

  it("runs only the selected steps and reports the others as not selected", async () => {
    const calls: string[] = [];
    const { result, events } = await run(make(calls), new MemoryStateStore(), { only: "network" });
    expect(calls.filter((c) => c.startsWith("apply"))).toEqual(["apply:network/vpc", "apply:network/subnet:a"]);
    expect(events).toContainEqual({ type: "step-skipped", id: "security/sg", reason: "not selected" });
    expect(result.counts["not-selected"]).toBe(1);
  });

  it("refuses before running anything when a need is neither selected nor done; accepts it once done", async () => {
    const calls: string[] = [];
    const store = new MemoryStateStore();
    const { error } = await runExpectingError(make(calls), store, { only: "security" });
    expect((error as { exitCode: number }).exitCode).toBe(EXIT.usage);
    expect(String(error)).toContain("step security/sg needs network/vpc, which is neither selected nor done");
    expect(calls).toEqual([]);

    await run(make(calls), store, { only: "network/vpc" });
    calls.length = 0;
    await run(make(calls), store, { skip: "network" });
    expect(calls).toEqual(["plan:security/sg", "apply:security/sg"]);
  });
});

describe("runSteps: dry run", () => {
  it("plans every step, applies none, saves nothing, and plans steps after planned needs", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    const seen: unknown[] = [];
    const steps = [
      testStep("a", calls),
      testStep("b", calls, {
        needs: ["a"],
        plan: async (ctx) => {
          seen.push(ctx.outputs("a"));
          return [];
        },
      }),
    ];
    const { result, events } = await run(steps, store, { dryRun: true });
    expect(calls).toEqual(["plan:a", "plan:b"]);
    expect(seen).toEqual([undefined]);
    expect(store.saves).toBe(0);
    expect(result.plan).toEqual([
      { id: "a", title: "the a step", changes: [{ action: "create", target: "a" }] },
      { id: "b", title: "the b step", changes: [] },
    ]);
    expect(ids(events, "step-planned")).toEqual(["a", "b"]);
  });

  it("skips done steps and gives their recorded outputs to the steps it plans", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    const seen: unknown[] = [];
    const steps = [
      testStep("a", calls, { apply: async () => ({ vpcId: "vpc-1" }) }),
      testStep("b", calls, {
        needs: ["a"],
        inputs: () => seen.length,
        plan: async (ctx) => {
          seen.push(ctx.outputs("a"));
          return [];
        },
      }),
    ];
    await run(steps, store);
    const before = JSON.stringify(store.doc);
    const { result } = await run(steps, store, { dryRun: true });
    expect(seen).toEqual([{ vpcId: "vpc-1" }, { vpcId: "vpc-1" }]);
    expect(result.counts).toMatchObject({ skipped: 1, planned: 1 });
    expect(JSON.stringify(store.doc)).toBe(before);
  });
});

describe("runSteps: abort", () => {
  it("starts nothing new, lets steps in flight end, saves them as interrupted or done, and throws exit 130", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    const controller = new AbortController();
    const started = gate();
    const steps = [
      // Finishes its write even though the signal fired.
      testStep("writer", calls, {
        apply: async () => {
          started.open();
          await new Promise((r) => setTimeout(r, 20));
          return { wrote: true };
        },
      }),
      // Gives up when the signal fires.
      testStep("waiter", calls, {
        apply: (ctx) =>
          new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("wait aborted")))),
      }),
      testStep("later", calls, { needs: ["writer"] }),
    ];
    const running = runExpectingError(steps, store, { signal: controller.signal });
    await started.promise;
    controller.abort();
    const { error, events } = await running;
    expect((error as { exitCode: number }).exitCode).toBe(EXIT.interrupted);
    expect(calls).not.toContain("plan:later");
    expect(store.doc!.steps.writer!.status).toBe("done");
    expect(store.doc!.steps.waiter).toMatchObject({ status: "interrupted", error: "wait aborted" });
    expect(store.doc!.steps.later).toBeUndefined();
    expect(ids(events, "step-interrupted")).toEqual(["waiter"]);
    const finished = events.find((e) => e.type === "run-finished");
    expect(finished).toMatchObject({ counts: { done: 1, interrupted: 1, "not-run": 1 } });

    calls.length = 0;
    await run(steps.filter((s) => s.id !== "waiter"), store);
    expect(calls).toEqual(["plan:later", "apply:later"]);
  });
});

describe("runSteps: state", () => {
  it("saves data written by a step, and lets later steps read it", async () => {
    const store = new MemoryStateStore();
    const hostKeys = stateDataKey<Record<string, string>>("hostKeys");
    const read: unknown[] = [];
    const steps: Step[] = [
      {
        id: "ssh/pin",
        title: "pin",
        needs: [],
        plan: async () => [],
        apply: async () => ({}),
      },
      {
        id: "ssh/use",
        title: "use",
        needs: ["ssh/pin"],
        plan: async () => [],
        apply: async () => ({}),
      },
    ];
    await run(steps, store, {
      makeContext: (step, engine) => {
        if (step.id === "ssh/pin") void engine.data.set(hostKeys, { "etcd-a": "SHA256:abc" });
        else read.push(engine.data.get(hostKeys));
        return engine;
      },
    });
    expect(read).toEqual([{ "etcd-a": "SHA256:abc" }]);
    expect(store.doc!.data.hostKeys).toEqual({ "etcd-a": "SHA256:abc" });
  });

  it("fails the step, not the run's state, when its outputs hold a private key", async () => {
    const store = new MemoryStateStore();
    const { LocalStateStore } = await import("../../src/engine/state.js");
    const { tempDir } = await import("./helpers.js");
    const dir = await tempDir();
    try {
      const local = new LocalStateStore(dir.path);
      const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----";
      const { error } = await runExpectingError([testStep("leaky", [], { apply: async () => ({ key: pem }) })], local);
      expect(String(error)).toContain("refusing to save the state: steps.leaky.outputs.key holds a secret");
      expect(String(error)).not.toContain("MIIabc");
      const saved = await local.load();
      expect(saved!.steps.leaky!.status).toBe("failed");
      expect(JSON.stringify(saved)).not.toContain("MIIabc");
    } finally {
      await dir.cleanup();
    }
    expect(store.saves).toBe(0);
  });

  it("refuses a state that belongs to another cluster", async () => {
    const store = new MemoryStateStore();
    await run([testStep("a", [])], store);
    store.doc!.cluster = "other";
    const { error } = await runExpectingError([testStep("a", [])], store);
    expect(String(error)).toContain('belongs to cluster "other"');
  });
});

describe("runSteps: several failures", () => {
  it("names every failed step once the independent ones have finished", async () => {
    const store = new MemoryStateStore();
    const calls: string[] = [];
    const boom = (what: string) => async () => {
      throw new Error(`${what} broke`);
    };
    const { error, events } = await runExpectingError(
      [testStep("x", calls, { apply: boom("x") }), testStep("y", calls, { plan: boom("y") }), testStep("z", calls)],
      store,
    );
    const failure = error as RunFailedError;
    expect(failure.failedSteps).toEqual(["x", "y"]);
    expect(failure.message).toBe("2 steps failed:\n  - x: x broke\n  - y: y broke");
    expect(failure.result.counts).toMatchObject({ failed: 2, done: 1 });
    expect(events.at(-1)).toMatchObject({ type: "run-finished", counts: { failed: 2, done: 1 } });
    const messages = events.filter((e) => e.type === "step-failed").map((e) => (e as { error: string }).error);
    expect(messages.sort()).toEqual(["x broke", "y broke"]);
    const failedEvent = events.find((e) => e.type === "step-failed")!;
    expect((failedEvent as { cause?: unknown }).cause).toBeInstanceOf(Error);
    expect(JSON.stringify(failedEvent)).not.toContain("cause");
  });
});
