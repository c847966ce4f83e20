import { describe, expect, it } from "vitest";
import { placements } from "../../../src/steps/machines/placement.js";
import { machineSteps } from "../../../src/steps/machines/index.js";
import { awsTestConfig } from "../context.js";

describe("placement of etcd and control-plane instances", () => {
  it("puts one per zone, named by the zone letter, with the contract's step ids", () => {
    const config = awsTestConfig();
    expect(placements(config, "etcd").map((p) => [p.name, p.zone, p.stepId])).toEqual([
      ["etcd-a", "eu-west-1a", "machines/etcd:eu-west-1a"],
      ["etcd-b", "eu-west-1b", "machines/etcd:eu-west-1b"],
      ["etcd-c", "eu-west-1c", "machines/etcd:eu-west-1c"],
    ]);
    expect(placements(config, "control-plane").map((p) => p.name)).toEqual(["master-a", "master-b", "master-c"]);
  });

  it("spreads five round-robin: d and e land in the first two zones with their own step ids", () => {
    const config = awsTestConfig({ etcd: { count: 5 } });
    expect(placements(config, "etcd").map((p) => [p.name, p.zone, p.stepId])).toEqual([
      ["etcd-a", "eu-west-1a", "machines/etcd:eu-west-1a"],
      ["etcd-b", "eu-west-1b", "machines/etcd:eu-west-1b"],
      ["etcd-c", "eu-west-1c", "machines/etcd:eu-west-1c"],
      ["etcd-d", "eu-west-1a", "machines/etcd:eu-west-1a-2"],
      ["etcd-e", "eu-west-1b", "machines/etcd:eu-west-1b-2"],
    ]);
  });

  it("makes a single instance for count 1, and step ids that are unique", () => {
    const config = awsTestConfig({ etcd: { count: 1 }, controlPlane: { count: 5 } });
    expect(placements(config, "etcd").map((p) => p.name)).toEqual(["etcd-a"]);
    const ids = machineSteps(config).map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([
      "machines/key-pair",
      "machines/etcd:eu-west-1a",
      "machines/control-plane:eu-west-1a",
      "machines/control-plane:eu-west-1b",
      "machines/control-plane:eu-west-1c",
      "machines/control-plane:eu-west-1a-2",
      "machines/control-plane:eu-west-1b-2",
      "machines/worker-launch-template",
      "machines/worker-asg",
    ]);
  });
});
