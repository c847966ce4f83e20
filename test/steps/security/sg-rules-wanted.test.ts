import { describe, expect, it } from "vitest";
import { referencedGroups, securityGroupNames, wantedRules, type RuleSpec } from "../../../src/steps/security/sg-rules-wanted.js";
import { securitySteps } from "../../../src/steps/security/index.js";
import { awsTestConfig, planAll, testContext } from "../context.js";
import { offlineAwsClients } from "../../../src/aws/factory.js";

const show = (rules: RuleSpec[]) =>
  rules.map((r) => `${r.protocol} ${r.fromPort}-${r.toPort} ${"cidr" in r.peer ? r.peer.cidr : `sg:${r.peer.group}`}`).sort();

describe("wanted security group rules", () => {
  it("without a bastion: no bastion group, SSH only from inside the VPC", () => {
    const config = awsTestConfig({ ssh: { bastion: { enabled: false } } });
    expect(securityGroupNames(config)).not.toContain("bastion");
    for (const group of ["etcd", "control-plane", "worker"] as const) {
      const ssh = wantedRules(config, group).ingress.filter((r) => r.fromPort === 22);
      expect(show(ssh)).toEqual(["tcp 22-22 10.0.0.0/16"]);
      expect(referencedGroups(wantedRules(config, group))).not.toContain("bastion");
    }
    const ids = securitySteps(config).map((s) => s.id);
    expect(ids).not.toContain("security/sg:bastion");
    expect(ids).not.toContain("security/sg-rules:bastion");
  });

  it("with a public API record: the API load balancer also admits the operator networks", () => {
    const config = awsTestConfig({
      dns: { zone: "lab.example.com", publicZoneId: "Z0123456789" },
      ssh: { bastion: { enabled: true, allowedCidrs: ["203.0.113.0/24", "198.51.100.7/32"] } },
    });
    expect(show(wantedRules(config, "api-lb").ingress)).toEqual(["tcp 6443-6443 10.0.0.0/16", "tcp 6443-6443 198.51.100.7/32", "tcp 6443-6443 203.0.113.0/24"]);
    const privateOnly = awsTestConfig();
    expect(show(wantedRules(privateOnly, "api-lb").ingress)).toEqual(["tcp 6443-6443 10.0.0.0/16"]);
  });

  it("with Cilium's ENI mode: nodes admit all traffic from nodes (pods talk on any port), no overlay ports", () => {
    const config = awsTestConfig({ addons: { cilium: { ipam: "eni" } } });
    for (const group of ["control-plane", "worker"] as const) {
      const rules = show(wantedRules(config, group).ingress);
      expect(rules).toContain("-1 -1--1 sg:worker");
      expect(rules).toContain("-1 -1--1 sg:control-plane");
      expect(rules.filter((r) => r.startsWith("udp 8472"))).toEqual([]);
    }
    expect(show(wantedRules(config, "etcd").ingress).filter((r) => r.startsWith("-1"))).toEqual([]);
  });

  it("open the nodes' metrics ports to the workers only when Prometheus is installed", () => {
    const metrics = (c: ReturnType<typeof awsTestConfig>) => show(wantedRules(c, "worker").ingress).filter((r) => /^tcp 9(100|96)/.test(r));
    expect(metrics(awsTestConfig())).toEqual(["tcp 9100-9100 sg:worker", "tcp 9962-9962 sg:worker", "tcp 9964-9965 sg:worker"]);
    expect(metrics(awsTestConfig({ addons: { istio: { enabled: false } } }))).toEqual([]);
    expect(metrics(awsTestConfig({ addons: { istio: { observability: { prometheus: false } } } }))).toEqual([]);
  });

  it("keep 2380 between etcd members and NodePorts for the ingress load balancer alone", () => {
    const config = awsTestConfig();
    for (const group of securityGroupNames(config)) {
      const rules = wantedRules(config, group).ingress;
      for (const r of rules.filter((x) => x.fromPort <= 2380 && x.toPort >= 2380)) expect([group, r.peer]).toEqual(["etcd", { group: "etcd" }]);
      for (const r of rules.filter((x) => x.fromPort <= 30000 && x.toPort >= 30000)) expect([group, r.peer]).toEqual(["worker", { group: "ingress-lb" }]);
      expect(wantedRules(config, group).egress).toEqual([{ protocol: "-1", fromPort: -1, toPort: -1, peer: { cidr: "0.0.0.0/0" }, description: "all outbound" }]);
    }
  });

  it("plan without AWS credentials: every group, rule and role to be created, no call made", async () => {
    const config = awsTestConfig();
    const plans = await planAll(testContext({ config, aws: offlineAwsClients("eu-west-1") }), securitySteps(config));
    const created = Object.values(plans).flat();
    expect(created.every((c) => c.action === "create")).toBe(true);
    expect(Object.keys(plans)).toHaveLength(6 + 6 + 3);
    expect(plans["security/sg-rules:etcd"]!.map((c) => c.detail)).toEqual([
      "ingress tcp 22 from sg bastion",
      "ingress tcp 2379 from sg control-plane",
      "ingress tcp 2379 from sg etcd",
      "ingress tcp 2380 from sg etcd",
      "egress all traffic to 0.0.0.0/0",
    ]);
  });
});
