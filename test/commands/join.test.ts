/**
 * `kx join`'s options and the steps it selects, without a cloud: --workers and
 * --control-plane parsed and checked, the grown config, the new masters' step ids, and
 * the selection the engine accepts (targets plus the needs that have not run).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { awsJoinPlan, countOption, JOIN_STEPS, run as kxJoin, withMoreControlPlane, withUnfinishedNeeds } from "../../src/commands/join.js";
import { selectSteps } from "../../src/engine/graph.js";
import { EXIT, UsageError } from "../../src/engine/errors.js";
import { Io } from "../../src/ui/io.js";
import { createWorkflow } from "../../src/workflows/create.js";
import { parseConfig } from "../steps/pki/fake-context.js";

const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const aws = (controlPlane = 3) =>
  parseConfig({ region: "eu-west-1", zones: ZONES, controlPlane: { count: controlPlane }, workers: { min: 1, desired: 3, max: 4 } });

/** The UsageError `fn` throws. */
function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(EXIT.usage);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("countOption", () => {
  it("takes a whole number of nodes, 1 or more", () => {
    expect(countOption("--control-plane", "2")).toBe(2);
    expect(countOption("--control-plane", undefined)).toBeUndefined();
  });

  it.each(["0", "-1", "1.5", "two", "", "1e1", "0x2"])("refuses %j, naming the flag", (value) => {
    expect(usageError(() => countOption("--control-plane", value)).message).toBe(
      `--control-plane wants a whole number of nodes to add (1 or more), got "${value}"`,
    );
  });
});

describe("awsJoinPlan", () => {
  it("--control-plane 1 adds master-d in the first zone, joins it and registers it with the API load balancer", () => {
    const plan = awsJoinPlan(aws(), { controlPlane: "1" });
    expect(plan.config.controlPlane.count).toBe(4);
    expect(plan.config.workers).toEqual(aws().workers);
    expect(plan.targets).toEqual([
      "machines/control-plane:eu-west-1a-2",
      JOIN_STEPS.controlPlaneJoin,
      JOIN_STEPS.apiEndpoint,
      JOIN_STEPS.tokenRefreshTimer,
      JOIN_STEPS.joinInfo,
    ]);
    expect(plan.notes).toEqual(["control plane: 3 → 4 nodes (new: master-d in eu-west-1a)"]);
  });

  it("spreads several new masters over the zones after the existing ones", () => {
    const plan = awsJoinPlan(aws(1), { controlPlane: "3" });
    expect(plan.targets.filter((t) => t.startsWith("machines/"))).toEqual([
      "machines/control-plane:eu-west-1b",
      "machines/control-plane:eu-west-1c",
      "machines/control-plane:eu-west-1a-2",
    ]);
    expect(plan.notes[0]).toBe("control plane: 1 → 4 nodes (new: master-b in eu-west-1b, master-c in eu-west-1c, master-d in eu-west-1a)");
  });

  it("combines --workers and --control-plane", () => {
    const plan = awsJoinPlan(aws(), { workers: "2", controlPlane: "2" });
    expect(plan.config.controlPlane.count).toBe(5);
    expect(plan.config.workers).toMatchObject({ desired: 5, max: 5 });
    expect(plan.targets).toEqual([
      "machines/control-plane:eu-west-1a-2",
      "machines/control-plane:eu-west-1b-2",
      JOIN_STEPS.controlPlaneJoin,
      JOIN_STEPS.apiEndpoint,
      JOIN_STEPS.tokenRefreshTimer,
      JOIN_STEPS.workerGroup,
      JOIN_STEPS.workersJoined,
      JOIN_STEPS.joinInfo,
    ]);
    expect(plan.notes).toEqual(["control plane: 3 → 5 nodes (new: master-d in eu-west-1a, master-e in eu-west-1b)", "worker group: desired 3 → 5, max 5"]);
  });

  it("grows the worker group from its live size when AWS gave it", () => {
    const plan = awsJoinPlan(aws(), { workers: "1" }, 5);
    expect(plan.config.workers).toMatchObject({ desired: 6, max: 6 });
    expect(plan.notes).toEqual(["worker group: desired 5 → 6, max 6"]);
  });

  it("refuses more than 9 control-plane nodes in all, and a join that adds nothing", () => {
    expect(usageError(() => awsJoinPlan(aws(), { controlPlane: "7" })).message).toBe(
      "--control-plane 7 would make 10 control-plane nodes; kx runs at most 9 (the cluster has 3)",
    );
    expect(awsJoinPlan(aws(), { controlPlane: "6" }).config.controlPlane.count).toBe(9);
    expect(usageError(() => awsJoinPlan(aws(), {})).message).toBe("what to add? give --workers N and/or --control-plane N (N ≥ 1)");
    expect(usageError(() => awsJoinPlan(aws(), { controlPlane: "0" })).message).toContain("--control-plane");
    expect(usageError(() => awsJoinPlan(aws(), { workers: "x" })).message).toContain("--workers");
  });
});

describe("the steps a control-plane join runs", () => {
  const grown = withMoreControlPlane(aws(), 1);
  const steps = createWorkflow(grown);
  const byId = new Map(steps.map((s) => [s.id, s]));
  const { targets } = awsJoinPlan(aws(), { controlPlane: "1" });

  it("orders the join after the new instance, and the LB registration after the join", () => {
    expect(byId.get(JOIN_STEPS.controlPlaneJoin)!.needs).toContain("machines/control-plane:eu-west-1a-2");
    expect(byId.get(JOIN_STEPS.apiEndpoint)!.needs).toContain(JOIN_STEPS.controlPlaneJoin);
    expect(byId.get(JOIN_STEPS.tokenRefreshTimer)!.needs).toContain(JOIN_STEPS.controlPlaneJoin);
  });

  it("after a finished create: just the targets, and the engine accepts them", () => {
    const done = (id: string) => byId.has(id) && !targets.includes(id);
    const only = withUnfinishedNeeds(steps, targets, done);
    expect(new Set(only)).toEqual(new Set(targets));
    expect([...selectSteps(steps, { only }, done)].sort()).toEqual([...targets].sort());
  });

  it("after a create that stopped before Kubernetes: the unfinished needs too, in the create's order", () => {
    const done = (id: string) => /^(images|network|security|edge|machines|optional)\//.test(id) && id !== "machines/control-plane:eu-west-1a-2";
    const only = withUnfinishedNeeds(steps, targets, done);
    expect(only).toContain("kubernetes/control-plane-init");
    expect(only).toContain("etcd/cluster");
    expect(only.filter((id) => id.startsWith("machines/"))).toEqual(["machines/control-plane:eu-west-1a-2"]);
    expect(only.indexOf("kubernetes/control-plane-init")).toBeLessThan(only.indexOf(JOIN_STEPS.controlPlaneJoin));
    expect(() => selectSteps(steps, { only }, done)).not.toThrow();
  });

  it("names a target the workflow does not have", () => {
    expect(() => withUnfinishedNeeds(steps, ["machines/control-plane:eu-west-1z"], () => true)).toThrow(
      "kx join needs step machines/control-plane:eu-west-1z, which the create workflow does not have",
    );
  });
});

describe("kx join on a hosts: cluster", () => {
  const dir = mkdtempSync(join(tmpdir(), "kx-join-options-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "cluster.yaml");
  writeFileSync(
    file,
    stringify({
      apiVersion: "kx.dev/v1alpha1",
      kind: "Cluster",
      name: "hostlab",
      hosts: [
        { name: "node-1", address: "10.1.0.1", roles: ["etcd", "control-plane"] },
        { name: "node-2", address: "10.1.0.2", roles: ["worker"] },
      ],
    }),
  );
  const globals = { stateDir: join(dir, "state"), output: "text" as const, verbose: false, color: false };
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const io = new Io({ stdout: Object.assign(sink(), { isTTY: false }), stderr: sink(), env: { CI: "true" } });

  it.each([
    ["controlPlane", "--control-plane", "control-plane"],
    ["workers", "--workers", "worker"],
  ] as const)("refuses %s: hosts are added to the config instead", async (option, flag, role) => {
    const error = await kxJoin({ file, [option]: "1" }, globals, io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`${flag} is for AWS clusters`);
    expect((error as UsageError).hint).toBe(`For a hosts: cluster, add the machines to the config's hosts with role ${role} and run \`kx join -f FILE\`.`);
  });
});
