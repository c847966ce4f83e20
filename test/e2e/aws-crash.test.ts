/**
 * kx killed with SIGKILL in the middle of a create, then run again: the end state is
 * the same as a clean run's and nothing exists twice. The moments are fixed write
 * counts spread over the whole create (a clean create of the example makes about 75
 * writes): the kill lands right after the fake carried out that write and before kx
 * heard the answer, so kx dies having changed AWS without knowing it.
 *
 * The kills form a chain: the run after a kill is itself killed at the next moment,
 * and the last run finishes. Every kill is thus followed by a re-run that must adopt
 * what the crash left (and the state the killed re-run wrote). A chain rather than one
 * fresh create per moment: each run of the binary costs seconds of CPU loading the SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "./support/build.js";
import { duplicates, liveInventory, signature } from "./support/inventory.js";
import { startProxy, type AwsProxy } from "./support/proxy.js";
import { settle } from "./support/settle.js";
import { describeRun, startWorld, type World } from "./support/world.js";

/** Fake write counts to kill at; the run after the last one finishes. */
const KILL_AFTER_WRITES = [2, 9, 16, 24, 31, 39, 46, 54, 61, 68];

const opened: { world: World; proxy?: AwsProxy }[] = [];

beforeAll(ensureBuilt, 180_000);
afterAll(async () => {
  for (const { world, proxy } of opened) {
    await proxy?.close();
    await world.close();
  }
});

interface Outcome {
  signature: Record<string, unknown>;
  kills: { afterWrites: number; firedAt?: number }[];
  writes: number;
  duplicates: string[];
}

async function createKilledAt(killPoints: number[]): Promise<Outcome> {
  const world = await startWorld({ latencyScale: 0 });
  const proxy = await startProxy(world.fake);
  opened.push({ world, proxy });
  const kills: Outcome["kills"] = [];
  for (const afterWrites of killPoints) {
    const run = world.start(world.createArgs, { endpoint: proxy.url });
    const kill = { afterWrites, pid: run.child.pid! };
    proxy.arm(kill);
    const result = await run.done;
    proxy.arm(undefined);
    expect(result.signal, `the run to be killed after write ${afterWrites} ended on its own: ${describeRun(result)}`).toBe("SIGKILL");
    kills.push({ afterWrites, firedAt: (kill as { firedAt?: number }).firedAt });
  }
  const final = await world.create([], { endpoint: proxy.url });
  expect(final.code, `the run after the kills at ${killPoints.join(", ")}: ${describeRun(final)}`).toBe(0);
  await settle(world.fake);
  const inv = liveInventory(world.fake);
  return { signature: signature(inv), kills, writes: world.fake.counts().writes, duplicates: duplicates(inv) };
}

async function cleanCreate(): Promise<Outcome> {
  const world = await startWorld({ latencyScale: 0 });
  opened.push({ world });
  const run = await world.create();
  expect(run.code, describeRun(run)).toBe(0);
  await settle(world.fake);
  return { signature: signature(liveInventory(world.fake)), kills: [], writes: world.fake.counts().writes, duplicates: [] };
}

describe("kx create cluster killed with SIGKILL and run again", () => {
  it(`ends as a clean run does, killed at ${KILL_AFTER_WRITES.length} moments`, async () => {
    const [clean, killed] = await Promise.all([cleanCreate(), createKilledAt(KILL_AFTER_WRITES)]);
    expect(clean.writes).toBeGreaterThan(Math.max(...KILL_AFTER_WRITES));
    // Calls in flight finish at the fake too, so a kill may land a write or two after its mark.
    for (const k of killed.kills) expect(k.firedAt!, `kill after write ${k.afterWrites}`).toBeGreaterThanOrEqual(k.afterWrites);
    expect(killed.duplicates).toEqual([]);
    expect(killed.signature).toEqual(clean.signature);
  }, 300_000);
});
