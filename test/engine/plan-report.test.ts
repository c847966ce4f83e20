import { describe, expect, it } from "vitest";
import { buildPlanReport, renderPlanReport } from "../../src/engine/plan-report.js";
import type { StepResult } from "../../src/engine/run-result.js";

const steps: StepResult[] = [
  { id: "network/vpc", title: "VPC", outcome: "skipped" },
  {
    id: "network/subnet-public:eu-west-1a",
    title: "subnet",
    outcome: "planned",
    changes: [{ action: "create", target: "subnet public eu-west-1a", detail: "10.0.0.0/20" }],
  },
  { id: "network/igw", title: "IGW", outcome: "planned", changes: [] },
  {
    id: "etcd/config:etcd-a",
    title: "etcd config",
    outcome: "planned",
    changes: [
      {
        action: "write",
        target: "/etc/etcd/etcd.env",
        host: "etcd-a",
        files: [{ host: "etcd-a", path: "/etc/etcd/etcd.env", mode: 0o600, owner: "etcd", content: "ETCD_NAME=etcd-a\nTOKEN=***\n" }],
      },
      { action: "run", target: "systemctl restart etcd", host: "etcd-a" },
    ],
  },
  {
    id: "etcd/config:etcd-b",
    title: "etcd config",
    outcome: "planned",
    changes: [
      {
        action: "write",
        target: "/etc/etcd/etcd.env",
        host: "etcd-b",
        files: [{ host: "etcd-b", path: "/etc/etcd/etcd.env", mode: 0o644, content: "ETCD_NAME=etcd-b" }],
      },
    ],
  },
  { id: "network/nat:eu-west-1a", title: "NAT", outcome: "planned", changes: [{ action: "update", target: "nat eu-west-1a" }] },
  { id: "edge/nlb", title: "NLB", outcome: "blocked" },
];

describe("the plan report", () => {
  it("groups changes by area in step order and counts them per action", () => {
    const report = buildPlanReport({ steps }, { notes: ["no AWS credentials: planned as for an empty account"] });
    expect(report.counts).toEqual({ create: 1, update: 1, delete: 0, run: 1, write: 2 });
    expect(report.totalChanges).toBe(5);
    expect(report.plannedSteps).toBe(5);
    expect(report.upToDateSteps).toBe(1);
    expect(report.files).toBeUndefined();
    expect(report.areas.map((a) => a.area)).toEqual(["network", "etcd"]);
    expect(report.areas[0]).toEqual({
      area: "network",
      unchangedSteps: ["network/igw"],
      changes: [
        { step: "network/subnet-public:eu-west-1a", action: "create", target: "subnet public eu-west-1a", detail: "10.0.0.0/20", host: undefined },
        { step: "network/nat:eu-west-1a", action: "update", target: "nat eu-west-1a", detail: undefined, host: undefined },
      ],
    });
    expect(report.areas[1]!.changes.map((c) => `${c.action} ${c.host}`)).toEqual(["write etcd-a", "run etcd-a", "write etcd-b"]);
  });

  it("renders a text report", () => {
    const text = renderPlanReport(buildPlanReport({ steps }, { notes: ["no AWS credentials: planned as for an empty account"] }));
    expect(text).toBe(
      [
        "Plan: 1 to create, 1 to update, 0 to delete, 1 to run, 2 to write (5 changes in 5 steps; 1 step already done)",
        "Note: no AWS credentials: planned as for an empty account",
        "",
        "network",
        "  + create  subnet public eu-west-1a  10.0.0.0/20",
        "  ~ update  nat eu-west-1a",
        "  = no changes: network/igw",
        "",
        "etcd",
        "  w write   /etc/etcd/etcd.env      (on etcd-a)",
        "  > run     systemctl restart etcd  (on etcd-a)",
        "  w write   /etc/etcd/etcd.env      (on etcd-b)",
        "",
      ].join("\n"),
    );
  });

  it("lists every file by host with --show-files", () => {
    const report = buildPlanReport({ steps }, { showFiles: true });
    expect(report.files!.map((h) => [h.host, h.files.map((f) => f.path)])).toEqual([
      ["etcd-a", ["/etc/etcd/etcd.env"]],
      ["etcd-b", ["/etc/etcd/etcd.env"]],
    ]);
    const text = renderPlanReport(report);
    expect(text).toContain(
      ["Files (2):", "", "== etcd-a", "--- /etc/etcd/etcd.env (mode 0600, owner etcd; etcd/config:etcd-a)", "ETCD_NAME=etcd-a", "TOKEN=***"].join("\n"),
    );
    expect(text).toContain("--- /etc/etcd/etcd.env (mode 0644; etcd/config:etcd-b)\nETCD_NAME=etcd-b\n");
  });

  it("says when there is nothing to do", () => {
    const text = renderPlanReport(buildPlanReport({ steps: [{ id: "a/b", title: "x", outcome: "skipped" }] }));
    expect(text).toContain("0 changes in 0 steps; 1 step already done");
    expect(text).toContain("Nothing to do.");
  });
});

describe("the plan report of a real dry run", () => {
  it("lists in step order what the planned steps would do", async () => {
    const { MemoryStateStore, run, testStep } = await import("./helpers.js");
    const calls: string[] = [];
    const { result } = await run(
      [
        testStep("network/vpc", calls, { plan: async () => [{ action: "create", target: "vpc lab", detail: "10.0.0.0/16" }] }),
        testStep("etcd/unit:etcd-a", calls, {
          needs: ["network/vpc"],
          plan: async (ctx) => [{ action: "run", target: "start etcd", host: "etcd-a", detail: ctx.outputs("network/vpc") ? "known vpc" : "vpc to be created" }],
        }),
      ],
      new MemoryStateStore(),
      { dryRun: true },
    );
    const report = buildPlanReport(result);
    expect(report.areas.map((a) => [a.area, a.changes.map((c) => `${c.action} ${c.target}: ${c.detail}`)])).toEqual([
      ["network", ["create vpc lab: 10.0.0.0/16"]],
      ["etcd", ["run start etcd: vpc to be created"]],
    ]);
    expect(calls).toEqual(["plan:network/vpc", "plan:etcd/unit:etcd-a"]);
  });
});
