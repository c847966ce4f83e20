import { describe, expect, it } from "vitest";
import { awsInventory } from "../../../src/steps/inventory-aws.js";
import { hostsInventory } from "../../../src/steps/inventory-hosts.js";
import { clusterSchema } from "../../../src/config/schema.js";
import type { Outputs } from "../../../src/engine/types.js";
import type { HostKeyStore } from "../../../src/ssh/types.js";
import { awsTestConfig } from "../context.js";
import { sshEd25519PublicKey } from "./keys.js";

const ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEXAMPLE=";

function awsOutputs(): { outputs: Map<string, Outputs>; keys: Record<string, string> } {
  const outputs = new Map<string, Outputs>();
  const keys: Record<string, string> = {};
  ["a", "b", "c"].forEach((letter, i) => {
    for (const [role, prefix] of [["etcd", "etcd"], ["control-plane", "master"]] as const) {
      const name = `${prefix}-${letter}`;
      keys[name] = sshEd25519PublicKey();
      const ip = `10.0.${64 * (i + 1)}.${role === "etcd" ? 10 : 20}`;
      outputs.set(`machines/${role}:eu-west-1${letter}`, {
        instanceId: `i-${name}`,
        name,
        privateIp: ip,
        privateDns: `ip-${ip.replaceAll(".", "-")}.eu-west-1.compute.internal`,
        zone: `eu-west-1${letter}`,
        hostKeys: [ecdsa, keys[name]!],
      });
    }
  });
  keys.bastion = sshEd25519PublicKey();
  outputs.set("edge/bastion", { instanceId: "i-bastion", publicIp: "198.51.100.7", privateIp: "10.0.0.9", hostKeys: [keys.bastion] });
  return { outputs, keys };
}

describe("AWS inventory", () => {
  it("lists the masters in zone order, node names = private DNS, host keys pinned (ed25519), SSH via the bastion", async () => {
    const config = awsTestConfig({ ssh: { user: "admin", privateKeyFile: "~/.ssh/kx", bastion: { enabled: true, allowedCidrs: ["203.0.113.0/24"] } } });
    const { outputs, keys } = awsOutputs();
    const inventory = awsInventory((id) => outputs.get(id), config);

    const bastion = await inventory.bastion();
    expect(bastion).toEqual({
      name: "bastion",
      role: "bastion",
      privateIp: "10.0.0.9",
      nodeName: "bastion",
      instanceId: "i-bastion",
      ssh: { name: "bastion", address: "198.51.100.7", port: 22, user: "admin", privateKeyFile: "~/.ssh/kx", hostKey: keys.bastion },
    });
    const masters = await inventory.hosts("control-plane");
    expect(masters.map((m) => m.name)).toEqual(["master-a", "master-b", "master-c"]);
    expect(masters[1]).toEqual({
      name: "master-b",
      role: "control-plane",
      privateIp: "10.0.128.20",
      nodeName: "ip-10-0-128-20.eu-west-1.compute.internal",
      zone: "eu-west-1b",
      instanceId: "i-master-b",
      ssh: { name: "master-b", address: "10.0.128.20", port: 22, user: "admin", privateKeyFile: "~/.ssh/kx", hostKey: keys["master-b"], via: bastion!.ssh },
    });
    expect((await inventory.hosts("etcd")).map((h) => h.ssh.hostKey)).toEqual([keys["etcd-a"], keys["etcd-b"], keys["etcd-c"]]);
    expect(await inventory.hosts("worker")).toEqual([]);
  });

  it("connects directly without a bastion, and names the step that has not run", async () => {
    const config = awsTestConfig({ ssh: { bastion: { enabled: false } } });
    const { outputs } = awsOutputs();
    outputs.delete("edge/bastion");
    const inventory = awsInventory((id) => outputs.get(id), config);
    expect(await inventory.bastion()).toBeUndefined();
    expect((await inventory.hosts("etcd"))[0]!.ssh.via).toBeUndefined();

    outputs.delete("machines/etcd:eu-west-1c");
    await expect(inventory.hosts("etcd")).rejects.toThrow(/machines\/etcd:eu-west-1c, which has not finished/);
  });
});

describe("AWS inventory of a dry run (partial)", () => {
  it("leaves out the machines and the bastion that do not exist yet instead of failing", async () => {
    const config = awsTestConfig();
    const { outputs } = awsOutputs();
    outputs.delete("edge/bastion");
    outputs.delete("machines/etcd:eu-west-1b");
    const inventory = awsInventory((id) => outputs.get(id), config, { partial: true });
    expect(await inventory.bastion()).toBeUndefined();
    expect((await inventory.hosts("etcd")).map((h) => [h.name, h.ssh.via])).toEqual([
      ["etcd-a", undefined],
      ["etcd-c", undefined],
    ]);
    await expect(awsInventory((id) => outputs.get(id), config).hosts("etcd")).rejects.toThrow(/edge\/bastion, which has not finished/);
  });
});

describe("hosts: inventory", () => {
  const config = clusterSchema.parse({
    apiVersion: "kx.dev/v1alpha1",
    kind: "Cluster",
    name: "lab",
    ssh: { user: "ops", privateKeyFile: "~/.ssh/lab" },
    hosts: [
      { name: "jump", address: "198.51.100.1", roles: ["bastion"], hostKey: "SHA256:jumpkey" },
      { name: "node-1", address: "192.0.2.11", privateAddress: "10.1.0.1", roles: ["etcd", "control-plane"], port: 2222 },
      { name: "node-2", address: "192.0.2.12", roles: ["worker"], user: "root", keyFile: "/keys/w" },
    ],
  });

  it("takes roles, addresses and SSH settings from the config, defaults from ssh:, keys from config or store, via the bastion host", async () => {
    const pinned = new Map([["node-1", "ssh-ed25519 AAAApinned"]]);
    const store: HostKeyStore = { get: (h) => pinned.get(h), pin: (h, k) => void pinned.set(h, k) };
    const inventory = hostsInventory(config, store);
    const jump = { name: "jump", address: "198.51.100.1", port: 22, user: "ops", privateKeyFile: "~/.ssh/lab", hostKey: "SHA256:jumpkey" };

    expect(await inventory.bastion()).toEqual({ name: "jump", role: "bastion", privateIp: "198.51.100.1", nodeName: "jump", ssh: jump });
    const [etcd] = await inventory.hosts("etcd");
    expect(etcd).toEqual({
      name: "node-1",
      role: "etcd",
      privateIp: "10.1.0.1",
      nodeName: "node-1",
      ssh: { name: "node-1", address: "192.0.2.11", port: 2222, user: "ops", privateKeyFile: "~/.ssh/lab", hostKey: "ssh-ed25519 AAAApinned", via: jump },
    });
    expect((await inventory.hosts("control-plane")).map((h) => h.name)).toEqual(["node-1"]);
    const [worker] = await inventory.hosts("worker");
    expect(worker!.ssh).toEqual({ name: "node-2", address: "192.0.2.12", port: 22, user: "root", privateKeyFile: "/keys/w", via: jump });

    // A key pinned later in the run is part of the next lookup.
    store.pin("node-2", "ssh-ed25519 AAAAlater");
    expect((await inventory.hosts("worker"))[0]!.ssh.hostKey).toBe("ssh-ed25519 AAAAlater");
  });
});
