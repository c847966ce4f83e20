/** `kx ssh NODE`: the system ssh through the bastion test host, with the pinned keys only. */
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { run, sshToNode } from "../../src/commands/ssh.js";
import { newStateDoc } from "../../src/engine/state-doc.js";
import { LocalStateStore } from "../../src/engine/state-local.js";
import { HOST_KEYS } from "../../src/workflows/host-key-store.js";
import { setStateData } from "../../src/engine/state-doc.js";
import { isKxError } from "../../src/engine/errors.js";
import { fingerprintOf, recordHostKeyStore } from "../../src/ssh/host-keys.js";
import type { SshTarget } from "../../src/ssh/types.js";
import type { Inventory, NodeHost } from "../../src/steps/inventory.js";
import { startTestHosts } from "../harness/hosts/index.js";

let cloud: Awaited<ReturnType<typeof startTestHosts>>;

beforeAll(async () => {
  cloud = await startTestHosts({ count: 1, bastion: true, names: ["master-a"] });
}, 60_000);
afterAll(async () => cloud?.stop());

function inventory(): Inventory {
  const b = cloud.bastion!;
  const h = cloud.hosts[0]!;
  const bastionSsh: SshTarget = { name: "bastion", address: b.address, port: 22, user: "root", privateKeyFile: cloud.clientKeyFile };
  const node: NodeHost = {
    name: "master-a",
    role: "control-plane",
    privateIp: h.address,
    nodeName: "ip-10-0-64-10.eu-west-1.compute.internal",
    ssh: { name: "master-a", address: h.dnsName, port: 22, user: "root", privateKeyFile: cloud.clientKeyFile, via: bastionSsh },
  };
  return {
    hosts: async (role) => (role === "control-plane" ? [node] : []),
    bastion: async () => ({ name: "bastion", role: "bastion", privateIp: b.address, nodeName: "bastion", ssh: bastionSsh }),
  };
}

async function kxSsh(node: string, command: string[], keys: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const store = recordHostKeyStore(keys);
  const code = await sshToNode(node, command, { inventory: inventory(), hostKeys: store, io: { stdout, stderr } });
  return { code, out, err, store };
}

describe("kx ssh", () => {
  it("runs a command on a node through the bastion with the pinned keys, and passes its exit status on", async () => {
    const pinned = { bastion: cloud.bastion!.hostKeys[0]!, "master-a": cloud.hosts[0]!.hostKeys[0]! };
    const r = await kxSsh("master-a", ["hostname"], pinned);
    expect([r.code, r.out.trim()]).toEqual([0, "master-a"]);
    expect((await kxSsh("ip-10-0-64-10.eu-west-1.compute.internal", ["sh", "-c", "'exit 3'"], pinned)).code).toBe(3);
  });

  it("pins the keys on first contact (verified over ssh2) and records them", async () => {
    const r = await kxSsh("master-a", ["hostname"], {});
    expect(r.code).toBe(0);
    expect(r.store.record).toEqual({ bastion: cloud.bastion!.hostKeys[0], "master-a": cloud.hosts[0]!.hostKeys[0] });
  });

  it("accepts a fingerprint as the pinned key", async () => {
    const r = await kxSsh("master-a", ["true"], {
      bastion: fingerprintOf(cloud.bastion!.hostKeys[0]!),
      "master-a": fingerprintOf(cloud.hosts[0]!.hostKeys[0]!),
    });
    expect(r.code).toBe(0);
  });

  it("refuses a node whose key is not the pinned one", async () => {
    const wrong = { bastion: cloud.bastion!.hostKeys[0]!, "master-a": cloud.bastion!.hostKeys[0]! };
    const r = await kxSsh("master-a", ["hostname"], wrong);
    expect(r.code).toBe(255);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);

    const byFingerprint = await kxSsh("master-a", ["hostname"], { "master-a": fingerprintOf(wrong["master-a"]) }).catch((e: unknown) => e);
    expect(isKxError(byFingerprint) && byFingerprint.name).toBe("HostKeyError");
  });

  it("as a command: finds the cluster from -f, its nodes and pinned keys from the state directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kx-ssh-cmd-"));
    try {
      const b = cloud.bastion!;
      const h = cloud.hosts[0]!;
      const file = join(dir, "cluster.yaml");
      writeFileSync(
        file,
        stringify({
          apiVersion: "kx.dev/v1alpha1",
          kind: "Cluster",
          name: "lab",
          ssh: { user: "root", privateKeyFile: cloud.clientKeyFile },
          addons: { cloudController: { enabled: false }, ebsCsi: { enabled: false } },
          hosts: [
            { name: "bastion", address: b.address, roles: ["bastion"] },
            { name: "master-a", address: h.dnsName, privateAddress: h.address, roles: ["control-plane", "etcd"] },
          ],
        }),
      );
      const stateDir = join(dir, "state");
      const state = newStateDoc("lab", "0.0.0");
      setStateData(state, HOST_KEYS, { bastion: b.hostKeys[0]!, "master-a": h.hostKeys[0]! });
      await new LocalStateStore(stateDir).save(state);
      const code = await run("master-a", ["test", "$(hostname)", "=", "master-a"], { file }, { stateDir, output: "plain" } as never);
      expect(code).toBe(0);

      // The state's pinned key is what counts: a wrong one is refused by ssh itself.
      setStateData(state, HOST_KEYS, { bastion: b.hostKeys[0]!, "master-a": b.hostKeys[0]! });
      await new LocalStateStore(stateDir).save(state);
      expect(await run("master-a", ["true"], { file }, { stateDir, output: "plain" } as never)).toBe(255);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the known nodes when asked for an unknown one", async () => {
    await expect(kxSsh("etcd-z", [], {})).rejects.toMatchObject({ message: "no node named etcd-z in this cluster", hint: "Known nodes: master-a, bastion." });
  });
});
