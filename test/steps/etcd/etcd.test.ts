/**
 * The etcd steps on real test hosts: three sshd hosts reached only through a bastion
 * host, Debian's etcd started by kx's own unit through the systemctl stand-in.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { lookup } from "node:dns/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKxError } from "../../../src/engine/errors.js";
import type { Step } from "../../../src/engine/types.js";
import type { SshPool, SshSession, SshTarget } from "../../../src/ssh/types.js";
import type { KxContext } from "../../../src/steps/context.js";
import { generateKeyPair } from "../../harness/hosts/index.js";
import { applyBatch, createEtcd, MEMBERS, newRun, startWorld, type Run, type World } from "./world.js";

let world: World;
const runs: Run[] = [];
const errors: string[] = [];

beforeAll(async () => {
  world = await startWorld();
}, 60_000);

afterAll(async () => {
  for (const run of runs) await run.pool.close();
  await world?.stop();
});

/** Each run is one kx process: the previous one has ended (its connections closed). */
function track(run: Run): Run {
  for (const previous of runs) void previous.pool.close();
  runs.push(run);
  return run;
}

/** etcdctl on the test machine, as an API server would call it. */
function etcdctl(args: string[], identity?: "apiserver-etcd-client"): { code: number; out: string } {
  const dir = certDir;
  const tls = [`--cacert=${dir}/ca.crt`, ...(identity ? [`--cert=${dir}/${identity}.crt`, `--key=${dir}/${identity}.key`] : [])];
  const endpoints = world.cloud.hosts.map((h) => `https://${h.address}:2379`).join(",");
  const r = spawnSync("etcdctl", [`--endpoints=${endpoints}`, ...tls, "--dial-timeout=2s", "--command-timeout=4s", ...args], {
    env: { ...process.env, ETCDCTL_API: "3" },
    encoding: "utf8",
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
let certDir = "";

async function writeClientCerts() {
  certDir = mkdtempSync(join(tmpdir(), "kx-etcd-client-"));
  for (const [file, name] of [
    ["ca.crt", "pki/etcd/ca.crt"],
    ["apiserver-etcd-client.crt", "pki/etcd/apiserver-etcd-client.crt"],
    ["apiserver-etcd-client.key", "pki/etcd/apiserver-etcd-client.key"],
  ] as const) {
    writeFileSync(join(certDir, file), (await world.secrets.get(name))!.reveal(), { mode: 0o600 });
  }
}

const mainPids = () => world.cloud.hosts.map((h) => h.exec("systemctl show -p MainPID --value etcd").trim());
const memberSteps = () => world.steps.etcd.filter((s) => s.id.startsWith("etcd/member:"));
const clusterSteps = () => world.steps.etcd.filter((s) => s.id === "etcd/cluster");

async function planAll(run: Run, steps: Step<KxContext>[]) {
  return Object.fromEntries(await Promise.all(steps.map(async (s) => [s.id, await s.plan(run.ctx)] as const)));
}

describe("etcd steps on test hosts behind a bastion", () => {
  it("form a 3-member TLS cluster: health and put/get with the apiserver-etcd-client certificate, no certificate refused", async () => {
    // The members' SSH addresses resolve only inside the hosts, like a VPC's private DNS.
    await expect(lookup(world.cloud.hosts[0]!.dnsName)).rejects.toThrow();

    const run = track(newRun(world));
    // etcd-a starts first (it waits for a quorum); b and c then start together.
    const plans = await createEtcd(world, run, ["etcd-a"]);
    for (const name of MEMBERS) {
      const changes = plans.get(`etcd/member:${name}`)!;
      const writes = changes.filter((c) => c.action === "write").map((c) => c.detail);
      expect(writes).toEqual(expect.arrayContaining(["/etc/kubernetes/pki/etcd/server.key", "/etc/systemd/system/etcd.service"]));
      // A peer with data but no quorum yet is a cluster still forming: bootstrap, do not join.
      expect(changes.map((c) => c.detail)).not.toContainEqual(expect.stringContaining("member add"));
      expect(world.cloud.hosts.find((h) => h.name === name)!.exec("grep -c 'initial-cluster-state=new' /etc/systemd/system/etcd.service").trim()).toBe("1");
    }
    // --show-files: the unit is shown, keys are masked.
    const files = plans.get("etcd/member:etcd-a")!.flatMap((c) => c.files ?? []);
    expect(files.find((f) => f.path.endsWith("etcd.service"))!.content).toContain("--initial-cluster-state=new");
    expect(files.find((f) => f.path.endsWith("server.key"))!.content).not.toContain("PRIVATE KEY");

    expect(run.outputs.get("etcd/cluster")).toEqual({ endpoints: world.cloud.hosts.map((h) => `https://${h.address}:2379`) });

    await writeClientCerts();
    const health = etcdctl(["endpoint", "health", "--cluster"], "apiserver-etcd-client");
    expect(health.code, health.out).toBe(0);
    expect(health.out.match(/is healthy/g)).toHaveLength(3);
    expect(etcdctl(["put", "/kx/test", "formed-by-kx"], "apiserver-etcd-client").code).toBe(0);
    expect(etcdctl(["get", "/kx/test", "--print-value-only"], "apiserver-etcd-client").out.trim()).toBe("formed-by-kx");

    const anonymous = etcdctl(["get", "/kx/test"]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.out).toMatch(/certificate|tls|deadline/i);

    for (const host of world.cloud.hosts) {
      expect(host.exec("stat -c '%a %U:%G' /etc/kubernetes/pki/etcd/server.key /etc/kubernetes/pki/etcd/peer.key").trim().split("\n")).toEqual([
        "600 root:root",
        "600 root:root",
      ]);
      expect(host.exec("ls -A /etc/kubernetes/pki/etcd /etc/systemd/system")).not.toContain(".kx-"); // no temp file left
      expect(host.exec("systemctl is-enabled etcd").trim()).toBe("enabled");
    }

    // One connection per host for the whole run, the bastion's shared by all three.
    expect(run.pool.stats().connections).toEqual({ bastion: 1, "etcd-a": 1, "etcd-b": 1, "etcd-c": 1 });
    expect([world.cloud.bastion!, ...world.cloud.hosts].map((h) => h.acceptedConnections())).toEqual([1, 1, 1, 1]);

    // First contact pinned every host's real key (the state's data.hostKeys).
    expect(world.hostKeys.record).toEqual({
      bastion: world.cloud.bastion!.hostKeys[0],
      ...Object.fromEntries(world.cloud.hosts.map((h) => [h.name, h.hostKeys[0]])),
    });
  });

  it("a second run plans nothing, writes nothing and leaves etcd running", async () => {
    const before = mainPids();
    const run = track(newRun(world, { outputs: new Map() }));
    const plans = await planAll(run, [...world.steps.pki, ...world.steps.etcd]);
    expect(Object.values(plans).flat()).toEqual([]);
    for (const step of [...world.steps.pki, ...world.steps.etcd]) run.outputs.set(step.id, await step.apply(run.ctx, []));
    expect(run.outputs.get("etcd/cluster")).toEqual({ endpoints: world.cloud.hosts.map((h) => `https://${h.address}:2379`) });
    expect(run.pool.stats().writes).toEqual({});
    expect(mainPids()).toEqual(before);
  });

  it("puts back a file that changed, through a connection dropped in the middle of the step", async () => {
    const etcdB = world.cloud.hosts[1]!;
    etcdB.exec("echo tampered > /etc/kubernetes/pki/etcd/healthcheck-client.crt");
    const acceptedBefore = etcdB.acceptedConnections();
    const run = track(newRun(world));
    // Cut etcd-b's connection (its sshd session process dies) just before the first write.
    let dropped = 0;
    const ssh = dropBeforeFirstUpload(run.ctx.ssh, "etcd-b", () => (dropped = etcdB.dropConnections()));
    const ctx = { ...run.ctx, ssh };
    const plans = await applyBatch({ ...run, ctx }, memberSteps());
    await applyBatch({ ...run, ctx }, clusterSteps());
    expect(dropped).toBe(1);
    expect(plans.get("etcd/member:etcd-b")!.map((c) => [c.action, c.detail])).toEqual([
      ["write", "/etc/kubernetes/pki/etcd/healthcheck-client.crt"],
      ["run", "systemctl daemon-reload && systemctl restart etcd (configuration changed)"],
    ]);
    expect(plans.get("etcd/member:etcd-a")).toEqual([]);
    expect(etcdB.exec("head -1 /etc/kubernetes/pki/etcd/healthcheck-client.crt").trim()).toBe("-----BEGIN CERTIFICATE-----");
    expect(run.pool.stats().connections["etcd-b"]).toBe(2);
    expect(etcdB.acceptedConnections()).toBe(acceptedBefore + 2);
    expect(etcdctl(["get", "/kx/test", "--print-value-only"], "apiserver-etcd-client").out.trim()).toBe("formed-by-kx");

    const again = track(newRun(world));
    expect(Object.values(await planAll(again, world.steps.etcd)).flat()).toEqual([]);
  });

  it("a member whose data is gone rejoins as a replacement (member add), never re-initialising the cluster", async () => {
    const etcdC = world.cloud.hosts[2]!;
    etcdC.exec("systemctl stop etcd && rm -rf /var/lib/etcd/member");
    const run = track(newRun(world));
    const plans = await applyBatch(run, memberSteps());
    const changes = plans.get("etcd/member:etcd-c")!;
    expect(changes.map((c) => c.detail)).toEqual([
      "/etc/systemd/system/etcd.service",
      "etcdctl member add etcd-c on etcd-a (joins the running cluster)",
      "systemctl daemon-reload && systemctl enable --now etcd",
    ]);
    await applyBatch(run, clusterSteps());
    expect(etcdC.exec("grep -o 'initial-cluster-state=[a-z]*' /etc/systemd/system/etcd.service").trim()).toBe("initial-cluster-state=existing");
    // The data written before is still there: the cluster was joined, not made anew.
    expect(etcdctl(["get", "/kx/test", "--print-value-only"], "apiserver-etcd-client").out.trim()).toBe("formed-by-kx");
    const members = etcdctl(["member", "list"], "apiserver-etcd-client").out;
    expect(members.match(/started/g)).toHaveLength(3);

    const again = track(newRun(world));
    expect(Object.values(await planAll(again, world.steps.etcd)).flat()).toEqual([]);
  });

  it("refuses a host whose key changed, saying it may be an attack, without retrying", async () => {
    const etcdA = world.cloud.hosts[0]!;
    await etcdA.rotateHostKey();
    const accepted = etcdA.acceptedConnections();
    const run = track(newRun(world, { connectRetries: 5 }));
    const step = memberSteps().find((s) => s.id === "etcd/member:etcd-a")!;
    const started = Date.now();
    const error = await step.plan(run.ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isKxError(error) && error.name).toBe("HostKeyError");
    const message = String((error as Error).message);
    expect(message).toMatch(/etcd-a: the host key changed .*may be an attack/);
    expect((error as { hint?: string }).hint).toContain("kx forget-host-key etcd-a");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(etcdA.acceptedConnections()).toBe(accepted); // never authenticated
    errors.push(message);
  });

  it("a wrong SSH key fails at once with an authentication error naming user and key", async () => {
    const wrong = generateKeyPair(join(world.stateDir, "wrong_key"), "not-authorized");
    const run = track(newRun(world, { connectRetries: 5, connectBackoffMs: 1_000 }));
    const bastion = world.cloud.bastion!;
    const target: SshTarget = {
      name: "etcd-b",
      address: world.cloud.hosts[1]!.dnsName,
      port: 22,
      user: "root",
      privateKeyFile: wrong.privateKeyFile,
      via: { name: "bastion", address: bastion.address, port: 22, user: "root", privateKeyFile: wrong.privateKeyFile },
    };
    const started = Date.now();
    const error = await run.pool.session(target).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error?.message).toBe(`bastion: authentication failed for user root with the key ${wrong.privateKeyFile}`);
    errors.push(error!.message);
  });

  it("no private key or token appears in outputs, pinned keys, log lines or errors", async () => {
    const secrets: string[] = [];
    for (const name of await world.secrets.list("pki/")) {
      if (!/\.key$/.test(name)) continue;
      const pem = (await world.secrets.get(name))!.reveal();
      secrets.push(...pem.split("\n").filter((l) => l.length >= 24 && !l.startsWith("-----")));
    }
    expect(secrets.length).toBeGreaterThan(10);
    const everything = JSON.stringify({
      outputs: runs.map((r) => Object.fromEntries(r.outputs)),
      hostKeys: world.hostKeys.record,
      logs: runs.map((r) => [r.logLines, r.outputLines]),
      errors,
    });
    expect(everything).not.toMatch(/PRIVATE KEY/);
    for (const line of secrets) expect(everything.includes(line)).toBe(false);
    // Streamed remote output was there to be checked.
    expect(runs.some((r) => r.outputLines.length > 0)).toBe(true);
  });

  it("teardown leaves no process and no mount behind", async () => {
    for (const run of runs.splice(0)) await run.pool.close();
    const cloud = world.cloud;
    expect(cloud.leftovers().length).toBeGreaterThan(0);
    await world.stop();
    expect(cloud.leftovers()).toEqual([]);
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).not.toContain(cloud.runId);
  });
});

/** A pool whose session of `host` runs `drop` right before its first upload. */
function dropBeforeFirstUpload(pool: SshPool, host: string, drop: () => void): SshPool {
  let done = false;
  return {
    close: () => pool.close(),
    async session(target) {
      const session = await pool.session(target);
      if (target.name !== host) return session;
      const wrapped: SshSession = {
        target: session.target,
        exec: (c, o) => session.exec(c, o),
        readFile: (p, o) => session.readFile(p, o),
        upload: (p, c, o) => {
          if (!done) {
            done = true;
            drop();
          }
          return session.upload(p, c, o);
        },
      };
      return wrapped;
    },
  };
}
