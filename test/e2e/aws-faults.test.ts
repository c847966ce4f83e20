/**
 * What goes wrong with AWS, through the real binary: throttling is ridden out; bad
 * credentials, an unknown region and a quota each end in one clear message with what
 * to do, and the first two before anything is created.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "./support/build.js";
import { clusterCounts, duplicates, EXAMPLE_COUNTS, liveInventory } from "./support/inventory.js";
import { settle } from "./support/settle.js";
import { describeRun, startWorld, type World } from "./support/world.js";

let world: World | undefined;
beforeAll(ensureBuilt, 180_000);
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The lines of an error report: "Error: …", the hint, the log file. */
function errorReport(stderr: string): { message: string; hint: string; rest: string[] } {
  const lines = stderr.split("\n").filter((l) => l.trim() && !/Warning|node >=22|upgrade to node|a\.co\/|--trace-warnings|^versions published|^will require/.test(l));
  const start = lines.findIndex((l) => l.startsWith("Error: "));
  expect(start, stderr).toBeGreaterThanOrEqual(0);
  return { message: lines[start]!, hint: lines[start + 1] ?? "", rest: lines.slice(start + 2) };
}

describe("AWS failures through the kx binary", () => {
  it("rides out 25% of calls throttled", async () => {
    world = await startWorld();
    world.fake.setFaults({ throttleRate: 0.25, seed: 42 });
    const run = await world.create();
    expect(run.code, describeRun(run)).toBe(0);
    const throttled = world.fake.calls().filter((c) => c.error === "RequestLimitExceeded" || c.error === "Throttling" || c.error === "ThrottlingException");
    expect(throttled.length).toBeGreaterThan(30);
    world.fake.setFaults({});
    await settle(world.fake);
    const inv = liveInventory(world.fake);
    expect(duplicates(inv)).toEqual([]);
    expect(clusterCounts(inv)).toEqual(EXAMPLE_COUNTS);
  }, 120_000);

  it("refuses credentials AWS rejects: exit 2, one message, nothing created", async () => {
    world = await startWorld();
    world.fake.setCredentials({ valid: ["AKIASOMEONEELSE00001"] });
    const run = await world.create();
    expect(run.code, describeRun(run)).toBe(2);
    const report = errorReport(run.stderr);
    expect(report.message).toMatch(/^Error: AWS rejected the credentials \(InvalidClientTokenId/);
    expect(report.hint).toMatch(/credential chain.*AWS_PROFILE.*AWS_ACCESS_KEY_ID/);
    expect(report.rest.filter((l) => !l.startsWith("Full log: "))).toEqual([]);
    expect(run.stdout).not.toMatch(/✔|Finished/);
    expect(world.fake.counts().writes).toBe(0);
  });

  it("refuses expired credentials the same way", async () => {
    world = await startWorld();
    world.fake.setCredentials({ expired: [world.env.AWS_ACCESS_KEY_ID!] });
    const run = await world.create();
    expect(run.code, describeRun(run)).toBe(2);
    expect(errorReport(run.stderr).message).toMatch(/^Error: the AWS credentials have expired/);
    expect(world.fake.counts().writes).toBe(0);
  });

  it("names an unknown region and the ones that exist, before creating anything", async () => {
    world = await startWorld();
    const run = await world.create(["--region", "eu-nowhere-1"]);
    expect(run.code, describeRun(run)).toBe(2);
    const report = errorReport(run.stderr);
    expect(report.message).toBe("Error: unknown AWS region eu-nowhere-1");
    expect(report.hint).toMatch(/^Use one of: .*eu-west-1/);
    expect(world.fake.counts().writes).toBe(0);
  });

  it("names the call and points at Service Quotas when a quota is reached; a re-run finishes", async () => {
    world = await startWorld();
    world.fake.setFaults({ failAfter: { action: "AllocateAddress", n: 0, code: "AddressLimitExceeded", message: "The maximum number of addresses has been reached." } });
    const run = await world.create();
    expect(run.code, describeRun(run)).toBe(1);
    const report = errorReport(run.stderr);
    expect(report.message).toMatch(/^Error: step network\/eip:eu-west-1\w failed: .*AllocateAddress.*AddressLimitExceeded/);
    expect(report.hint).toMatch(/Service Quotas/);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace for an AWS answer

    world.fake.setFaults({});
    const again = await world.create();
    expect(again.code, describeRun(again)).toBe(0);
    await settle(world.fake);
    const inv = liveInventory(world.fake);
    expect(duplicates(inv)).toEqual([]);
    expect(clusterCounts(inv)).toEqual(EXAMPLE_COUNTS);
  }, 120_000);
});
