/** The upgrade path kx allows, the package script it runs on a node, and the order of the upgrade steps. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { NodeHost } from "../../../src/steps/inventory.js";
import { upgradeSteps } from "../../../src/steps/upgrade/index.js";
import { drainFailure, remainingWork } from "../../../src/steps/upgrade/node-upgrade.js";
import { packagesScript } from "../../../src/steps/upgrade/packages.js";
import { checkUpgradePath, parseVersion } from "../../../src/steps/upgrade/versions.js";

const v = (text: string) => parseVersion(text, "test");

describe("the upgrade path", () => {
  it("allows a patch and the next minor", () => {
    expect(() => checkUpgradePath(v("1.36.1"), v("1.36.3"))).not.toThrow();
    expect(() => checkUpgradePath(v("v1.36.1"), v("1.37.0"))).not.toThrow();
    expect(() => checkUpgradePath(v("1.36.1"), v("1.36.1"))).not.toThrow();
  });

  it("refuses a downgrade, a skipped minor and a minor kx does not support, saying what to do", () => {
    expect(() => checkUpgradePath(v("1.36.2"), v("1.36.1"))).toThrow(/runs v1.36.2: kubeadm does not downgrade it to v1.36.1/);
    expect(() => checkUpgradePath(v("1.35.4"), v("1.37.1"))).toThrow(/one minor at a time, so v1.37.1 is too far/);
    try {
      checkUpgradePath(v("1.35.4"), v("1.37.1"));
    } catch (e) {
      expect((e as { hint: string }).hint).toMatch(/newest 1\.36\.x first/);
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
    expect(() => checkUpgradePath(v("1.37.1"), v("1.38.0"))).toThrow(/kx supports Kubernetes 1.35, 1.36, 1.37; v1.38.0 is not one of them/);
  });

  it("names the field of a version that is not one", () => {
    expect(() => parseVersion("1.37", "--to")).toThrow(/--to "1.37" is not a Kubernetes version/);
    expect(() => parseVersion("latest", "kubernetes.version")).toThrow(/kubernetes.version "latest"/);
  });
});

describe("the package script", () => {
  it("points apt at the target minor's repository, installs the exact version held, and passes shellcheck", () => {
    const script = packagesScript(v("1.37.1"), ["kubelet", "kubectl"]);
    expect(script).toContain('repo="https://pkgs.k8s.io/core:/stable:/v1.37/deb/"');
    expect(script).toContain("apt-cache madison kubelet");
    expect(script).toContain('v="1.37.1-"');
    expect(script).toMatch(/apt-get install -y -q --allow-change-held-packages --allow-downgrades "kubelet=\$pkg" "kubectl=\$pkg"/);
    expect(script).toMatch(/apt-mark hold kubelet kubectl\n$/);
    const dir = mkdtempSync(join(tmpdir(), "kx-pkg-"));
    try {
      writeFileSync(join(dir, "s.sh"), `#!/bin/sh\n${script}`);
      execFileSync("shellcheck", ["-s", "sh", join(dir, "s.sh")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const host = (name: string, role: NodeHost["role"]): NodeHost => ({
  name,
  role,
  privateIp: "10.0.0.1",
  nodeName: `${name}.internal`,
  ssh: { name, address: "10.0.0.1", port: 22, user: "root", privateKeyFile: "/dev/null" },
});

describe("the upgrade steps", () => {
  const masters = ["master-a", "master-b", "master-c"].map((n) => host(n, "control-plane"));
  const workers = ["w1", "w2", "w3", "w4", "w5"].map((n) => host(n, "worker"));

  it("upgrade the masters one after the other, the first with apply, then the workers in max-unavailable lanes", () => {
    const steps = upgradeSteps({ target: v("1.37.1"), masters, workers, maxUnavailable: 2, beforeWorkers: ["machines/worker-launch-template"] });
    const needs = Object.fromEntries(steps.map((s) => [s.id, s.needs]));
    expect(needs).toEqual({
      "upgrade/preflight": [],
      "upgrade/control-plane:master-a": ["upgrade/preflight"],
      "upgrade/control-plane:master-b": ["upgrade/control-plane:master-a"],
      "upgrade/control-plane:master-c": ["upgrade/control-plane:master-b"],
      "upgrade/worker:w1": ["upgrade/control-plane:master-c", "machines/worker-launch-template"],
      "upgrade/worker:w2": ["upgrade/control-plane:master-c", "machines/worker-launch-template"],
      "upgrade/worker:w3": ["upgrade/worker:w1"],
      "upgrade/worker:w4": ["upgrade/worker:w2"],
      "upgrade/worker:w5": ["upgrade/worker:w3"],
    });
  });

  it("a node at the target, uncordoned, has nothing left; otherwise each missing part is named", () => {
    const node = { name: "w1.internal", roles: [], ready: true, reason: "", version: "v1.37.1", cordoned: false };
    const target = v("1.37.1");
    expect(remainingWork({ node, kubeadm: "v1.37.1" }, { target, keepCordoned: false, role: "worker" })).toEqual([]);
    expect(remainingWork({ node: { ...node, cordoned: true }, kubeadm: "v1.37.1" }, { target, keepCordoned: true, role: "worker" })).toEqual([]);
    expect(remainingWork({ node: { ...node, version: "v1.36.1", cordoned: true }, kubeadm: "v1.36.1", cluster: "v1.36.1" }, { target, keepCordoned: false, role: "first-control-plane" })).toEqual([
      "kubeadm v1.36.1 → v1.37.1",
      "kubeadm upgrade apply v1.37.1",
      "kubelet v1.36.1 → v1.37.1",
      "uncordon",
    ]);
  });
});

describe("a drain that does not finish", () => {
  it("names the pods a disruption budget holds, once each, and says what to do", () => {
    const kubectl = [
      "node/ip-10-0-1-5.eu-west-1.compute.internal cordoned",
      "Warning: ignoring DaemonSet-managed Pods: kube-system/cilium-x2k4p",
      'evicting pod istio-system/istiod-7d4b9c5f6-abcde',
      'error when evicting pods/"istiod-7d4b9c5f6-abcde" -n "istio-system" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
      'error when evicting pods/"istiod-7d4b9c5f6-abcde" -n "istio-system" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
      'error: unable to drain node "ip-10-0-1-5.eu-west-1.compute.internal" due to error: global timeout reached: 5m0s, continuing command...',
    ].join("\n");
    const e = drainFailure({ name: "worker-1", nodeName: "ip-10-0-1-5.eu-west-1.compute.internal" }, 300, kubectl);
    expect(e.message).toMatch(/^draining worker-1 \(ip-10-0-1-5\.eu-west-1\.compute\.internal\) did not finish within 300 s: /);
    expect(e.message.match(/would violate the pod's disruption budget/g)).toHaveLength(1);
    expect(e.hint).toMatch(/PodDisruptionBudget allows no eviction.*run kx upgrade again/);
    expect(e.hint).toMatch(/stays cordoned/);
  });

  it("without eviction errors, ends with kubectl's last lines", () => {
    const e = drainFailure({ name: "worker-1", nodeName: "n1" }, 60, "error: the server doesn't have a resource type \"nodes\"\n");
    expect(e.message).toBe('draining worker-1 (n1) did not finish within 60 s: error: the server doesn\'t have a resource type "nodes"');
  });
});
