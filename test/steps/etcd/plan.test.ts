/** The etcd steps without hosts: ids, needs, the unit, and a dry-run of a fresh create. */
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../src/aws/clients.js";
import { clusterSchema } from "../../../src/config/schema.js";
import { awsTestConfig } from "../context.js";
import { validateGraph } from "../../../src/engine/graph.js";
import type { KxContext } from "../../../src/steps/context.js";
import { etcdSteps } from "../../../src/steps/etcd/index.js";
import { renderEtcdUnit, unitClusterState } from "../../../src/steps/etcd/unit.js";
import { resolveOptions, unitFile } from "../../../src/steps/etcd/members.js";
import type { NodeHost } from "../../../src/steps/inventory.js";
import { pkiSteps } from "../../../src/steps/pki/index.js";

const awsConfig = awsTestConfig();

const unitValues = {
  cluster: "lab",
  name: "etcd-a",
  ip: "10.0.96.10",
  binDir: "/usr/local/bin",
  dataDir: "/var/lib/etcd",
  pkiDir: "/etc/kubernetes/pki/etcd",
  listenClientUrls: "https://10.0.96.10:2379,https://127.0.0.1:2379",
  initialCluster: "etcd-a=https://10.0.96.10:2380,etcd-b=https://10.0.112.10:2380,etcd-c=https://10.0.128.10:2380",
  initialClusterState: "new" as const,
  clusterToken: "lab-etcd",
  metricsAddress: "127.0.0.1",
};

describe("etcd steps", () => {
  it("one step per member named from the zones, each needing its machine and the etcd PKI, then etcd/cluster", () => {
    const steps = etcdSteps(awsConfig);
    expect(steps.map((s) => s.id)).toEqual(["etcd/member:etcd-a", "etcd/member:etcd-b", "etcd/member:etcd-c", "etcd/cluster"]);
    expect(steps[1]!.needs).toEqual(["pki/etcd-ca", "pki/etcd-members", "pki/etcd-clients", "machines/etcd:eu-west-1b"]);
    expect(steps[3]!.needs).toEqual(["etcd/member:etcd-a", "etcd/member:etcd-b", "etcd/member:etcd-c"]);
  });

  it("renders the unit with the flags of stack.md", () => {
    const unit = renderEtcdUnit(unitValues);
    for (const flag of [
      "ExecStart=/usr/local/bin/etcd \\",
      "--name=etcd-a",
      "--data-dir=/var/lib/etcd",
      "--listen-peer-urls=https://10.0.96.10:2380",
      "--initial-advertise-peer-urls=https://10.0.96.10:2380",
      "--listen-client-urls=https://10.0.96.10:2379,https://127.0.0.1:2379",
      "--advertise-client-urls=https://10.0.96.10:2379",
      `--initial-cluster=${unitValues.initialCluster}`,
      "--initial-cluster-state=new",
      "--initial-cluster-token=lab-etcd",
      "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
      "--key-file=/etc/kubernetes/pki/etcd/server.key",
      "--client-cert-auth=true",
      "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
      "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
      "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
      "--peer-client-cert-auth=true",
      "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
      "--listen-metrics-urls=http://127.0.0.1:2381",
    ]) {
      expect(unit).toContain(flag);
    }
    expect(unit).not.toMatch(/\{\{/);
    expect(unitClusterState(unit)).toBe("new");
    expect(() => renderEtcdUnit({ ...unitValues, name: "etcd-a --force-new-cluster" })).toThrow(/not safe in a unit file/);
  });

  it("also serves on 127.0.0.1 unless the member's own address is a loopback one (hosts sharing a loopback)", () => {
    const node = (name: string, ip: string): NodeHost => ({
      name,
      role: "etcd",
      privateIp: ip,
      nodeName: name,
      ssh: { name, address: ip, port: 22, user: "root", privateKeyFile: "k" },
    });
    const ctx = { cluster: "lab" } as KxContext;
    const onAws = unitFile(ctx, resolveOptions({}), node("etcd-a", "10.0.96.10"), [node("etcd-a", "10.0.96.10")], "new").content as string;
    expect(onAws).toContain("--listen-client-urls=https://10.0.96.10:2379,https://127.0.0.1:2379");
    expect(onAws).toContain("--listen-metrics-urls=http://127.0.0.1:2381");
    const onTestHost = unitFile(ctx, resolveOptions({}), node("etcd-a", "127.9.9.2"), [node("etcd-a", "127.9.9.2")], "new").content as string;
    expect(onTestHost).toContain("--listen-client-urls=https://127.9.9.2:2379 \\");
    expect(onTestHost).toContain("--listen-metrics-urls=http://127.9.9.2:2381");
  });

  it("plans every file and the start for a fresh create, without AWS, hosts or certificates (dry-run)", async () => {
    const ctx = {
      config: awsConfig,
      cluster: "lab",
      aws: { live: false } as AwsClients,
      secrets: { get: async () => undefined },
      inventory: { hosts: async () => [], bastion: async () => undefined },
      ssh: { session: () => Promise.reject(new Error("no SSH in a dry-run of a fresh create")) },
      outputs: () => undefined,
    } as unknown as KxContext;
    const steps = etcdSteps(awsConfig);
    const member = await steps[0]!.plan(ctx);
    expect(member.map((c) => `${c.action} ${c.detail}`)).toEqual([
      "write /etc/kubernetes/pki/etcd/ca.crt",
      "write /etc/kubernetes/pki/etcd/server.crt",
      "write /etc/kubernetes/pki/etcd/server.key",
      "write /etc/kubernetes/pki/etcd/peer.crt",
      "write /etc/kubernetes/pki/etcd/peer.key",
      "write /etc/kubernetes/pki/etcd/healthcheck-client.crt",
      "write /etc/kubernetes/pki/etcd/healthcheck-client.key",
      "write /etc/systemd/system/etcd.service",
      "run systemctl daemon-reload && systemctl enable --now etcd",
    ]);
    const key = member.find((c) => c.detail?.endsWith("server.key"))!.files![0]!;
    expect([key.mode, key.content]).toEqual([0o600, "*** (private key, from the secret store)"]);
    expect(await steps[3]!.plan(ctx)).toEqual([{ action: "run", target: "etcd cluster", detail: "wait until all 3 members are healthy" }]);
  });

  it("fits a hosts: cluster's graph with the pki steps", () => {
    const config = clusterSchema.parse({
      apiVersion: "kx.dev/v1alpha1",
      kind: "Cluster",
      name: "lab",
      addons: { cloudController: { enabled: false }, ebsCsi: { enabled: false } },
      hosts: [
        { name: "cp", address: "10.0.0.5", roles: ["control-plane"] },
        { name: "e1", address: "10.0.0.1", roles: ["etcd"] },
        { name: "e2", address: "10.0.0.2", roles: ["etcd"] },
        { name: "e3", address: "10.0.0.3", roles: ["etcd"] },
      ],
    });
    const steps = [...pkiSteps(config), ...etcdSteps(config)];
    expect(() => validateGraph(steps)).not.toThrow();
    expect(steps.filter((s) => s.id.startsWith("etcd/member:")).map((s) => s.id)).toEqual(["etcd/member:e1", "etcd/member:e2", "etcd/member:e3"]);
  });
});
