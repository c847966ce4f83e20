/**
 * Ctrl-C and a second kx on the same cluster, through the real binary against the fake
 * AWS: SIGINT lets in-flight steps finish, saves the state and exits 130; the next run
 * resumes; a second kx while the first runs is refused and told who holds the lock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt } from "./support/build.js";
import { describeRun, startWorld, type World } from "./support/world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Resolves once the running kx has printed a line matching `pattern`. */
function waitForOutput(child: import("node:child_process").ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout!.on("data", (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) resolve();
    });
    child.on("close", () => reject(new Error(`kx ended before printing ${pattern}:\n${seen}`)));
  });
}

describe("interrupting kx", () => {
  it("SIGINT: in-flight steps finish, the state is saved, exit 130; the next run resumes and finishes", async () => {
    await ensureBuilt();
    // NAT gateways take a while at this scale: the interrupt lands while they are pending.
    world = await startWorld({ latencyScale: 0.05 });
    const running = world.start([...world.createArgs, "--output", "json"]);
    await waitForOutput(running.child, /"type":"step-started","id":"network\/nat-gateway/);
    running.child.kill("SIGINT");
    const interrupted = await running.done;
    expect(interrupted.code, describeRun(interrupted)).toBe(130);
    const state = JSON.parse(readFileSync(join(world.stateDir, "state.json"), "utf8")) as { steps: Record<string, { status: string }> };
    const statuses = Object.values(state.steps).map((s) => s.status);
    expect(statuses).toContain("done");
    expect(statuses).not.toContain("running");
    // Private route tables need the NAT gateways that were in flight: they never started.
    expect(state.steps["network/route-table-private:eu-west-1a"]?.status ?? "never started").not.toBe("done");

    const resumed = await world.create();
    expect(resumed.code, describeRun(resumed)).toBe(0);
    expect(resumed.stdout).toMatch(/done earlier/);
  }, 180_000);

  it("a second kx on the same cluster is refused, naming the pid, host and command that hold the lock", async () => {
    await ensureBuilt();
    world = await startWorld({ latencyScale: 0.05 });
    const first = world.start([...world.createArgs, "--output", "json"]);
    await waitForOutput(first.child, /"type":"step-started"/);
    const second = await world.create();
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`another kx holds the lock on this cluster: pid ${first.child.pid} on \\S+, since .*running "kx create cluster"`));
    first.child.kill("SIGINT");
    expect((await first.done).code).toBe(130);
  }, 180_000);
});
