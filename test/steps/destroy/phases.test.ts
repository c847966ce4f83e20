import { describe, expect, it } from "vitest";
import { validateGraph } from "../../../src/engine/graph.js";
import { DESTROY_PHASES, destroySteps } from "../../../src/steps/destroy/index.js";

/** Every phase `phase` waits for, directly or not. */
function before(phase: string): Set<string> {
  const byName = new Map(DESTROY_PHASES.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const dep of byName.get(name)?.after ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(phase);
  return seen;
}

describe("destroy phases", () => {
  it("form a valid step graph", () => {
    expect(() => validateGraph(destroySteps())).not.toThrow();
    expect(new Set(DESTROY_PHASES.map((p) => p.name)).size).toBe(DESTROY_PHASES.length);
  });

  it("delete what holds network interfaces before the groups and subnets they block, and the VPC after its parts", () => {
    for (const holder of ["load-balancers", "instances", "rds-instances", "nat-gateways", "autoscaling-groups"]) {
      expect(before("security-groups")).toContain(holder);
      expect(before("subnets")).toContain(holder);
    }
    for (const part of ["subnets", "security-groups", "route-tables", "internet-gateways", "hosted-zones", "network-interfaces"]) {
      expect(before("vpcs")).toContain(part);
    }
    expect(before("elastic-ips")).toContain("nat-gateways");
    expect(before("internet-gateways")).toContain("elastic-ips");
    expect(before("iam-roles")).toContain("instance-profiles");
    expect(before("instance-profiles")).toContain("instances");
    expect(before("target-groups")).toContain("load-balancers");
    expect(before("load-balancers")).toContain("dns-public-record");
    // Workers booting from the group read join/* until the group is gone.
    expect(before("ssm-parameters")).toContain("autoscaling-groups");
  });
});
