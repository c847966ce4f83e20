/**
 * The SSH pool against real sshd test hosts: one direct host, one behind the bastion.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { isKxError, SshError } from "../../src/engine/errors.js";
import { Secret } from "../../src/engine/secret.js";
import { recordHostKeyStore } from "../../src/ssh/host-keys.js";
import { createSshPool, type KxSshPool, type SshPoolOptions } from "../../src/ssh/pool.js";
import { SshConnectionLostError } from "../../src/ssh/session.js";
import type { SshTarget } from "../../src/ssh/types.js";
import { generateKeyPair, startTestHosts } from "../harness/hosts/index.js";

let cloud: Awaited<ReturnType<typeof startTestHosts>>;
const pools: KxSshPool[] = [];

beforeAll(async () => {
  cloud = await startTestHosts({ count: 2, bastion: true });
}, 60_000);

/** Each test is one kx run: its connections end with it. */
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

afterAll(async () => {
  await cloud?.stop();
});

function pool(options: SshPoolOptions = {}): KxSshPool {
  const p = createSshPool({ connectRetries: 2, connectBackoffMs: 50, ...options });
  pools.push(p);
  return p;
}

const bastionTarget = (): SshTarget => ({
  name: "bastion",
  address: cloud.bastion!.address,
  port: 22,
  user: "root",
  privateKeyFile: cloud.clientKeyFile,
  hostKey: cloud.bastion!.hostKeys[0],
});
const direct = (i = 0): SshTarget => ({
  name: cloud.hosts[i]!.name,
  address: cloud.hosts[i]!.address,
  port: 22,
  user: "root",
  privateKeyFile: cloud.clientKeyFile,
});
const behindBastion = (i = 1): SshTarget => ({ ...direct(i), address: cloud.hosts[i]!.dnsName, via: bastionTarget() });

describe("exec", () => {
  it("returns exit code, stdout and stderr; a failure is an SshError with host, exit code and a redacted stderr tail", async () => {
    const session = await pool().session(direct());
    expect(await session.exec("echo out; echo err >&2")).toEqual({ code: 0, stdout: "out\n", stderr: "err\n" });
    expect((await session.exec("exit 7", { allowFailure: true })).code).toBe(7);

    const secret = new Secret("s3cr3t-value-never-shown");
    const error = await session.exec(`echo "line one" >&2; echo ${secret.reveal()} >&2; exit 3`, { label: "failing step" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    const e = error as SshError;
    expect([e.host, e.remoteExitCode]).toEqual([cloud.hosts[0]!.name, 3]);
    expect(e.message).toContain("command failed with exit code 3: failing step");
    expect(e.stderrTail).toBe("line one\n***");
    expect(`${e.message} ${e.command}`).not.toContain(secret.reveal());
  });

  it("feeds stdin (a Secret stays off the command line) and streams redacted output lines", async () => {
    const lines: string[] = [];
    const p = pool({ onOutput: (host, line) => lines.push(`${host} ${line}`) });
    const session = await p.session(direct());
    const token = new Secret("abcdef.0123456789abcdef");
    const r = await session.exec("cat > /run/kx/token && cat /run/kx/token && echo; echo second", { stdin: token });
    expect(r.stdout).toBe(`${token.reveal()}\nsecond\n`);
    expect(lines).toEqual([`${cloud.hosts[0]!.name} ***`, `${cloud.hosts[0]!.name} second`]);
  });

  it("times out a command that hangs", async () => {
    const session = await pool().session(direct());
    const started = Date.now();
    await expect(session.exec("sleep 30", { timeoutMs: 300, label: "sleepy" })).rejects.toThrow(/timed out after 0 s: sleepy/);
    expect(Date.now() - started).toBeLessThan(3_000);
    // The connection is still usable.
    expect((await session.exec("echo ok")).stdout).toBe("ok\n");
  });

  it("runs 40 commands at once over one connection per host, below sshd's MaxSessions", async () => {
    const p = pool();
    const accepted = cloud.hosts[0]!.acceptedConnections();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => p.session(direct()).then((s) => s.exec(`sleep 0.05; echo ${i}`))),
    );
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    expect(p.stats().connections).toEqual({ [cloud.hosts[0]!.name]: 1 });
    expect(cloud.hosts[0]!.acceptedConnections()).toBe(accepted + 1);
  });
});

describe("upload and readFile", () => {
  it("writes atomically with mode and owner, into a directory it creates, leaving no temp file", async () => {
    const session = await pool().session(direct());
    const key = new Secret("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n");
    await Promise.all([
      session.upload("/etc/kubernetes/pki/new/dir/a.key", key, { mode: 0o600 }),
      session.upload("/etc/kubernetes/pki/new/dir/a.crt", "cert\n", { mode: 0o644, owner: "nobody:nogroup" }),
      ...Array.from({ length: 10 }, (_, i) => session.upload(`/etc/kubernetes/pki/new/dir/f${i}`, `file ${i}\n`, { mode: 0o640 })),
    ]);
    const host = cloud.hosts[0]!;
    expect(host.exec("cd /etc/kubernetes/pki/new/dir && stat -c '%n %a %U:%G' a.key a.crt f9").trim().split("\n")).toEqual([
      "a.key 600 root:root",
      "a.crt 644 nobody:nogroup",
      "f9 640 root:root",
    ]);
    expect(host.exec("ls -A /etc/kubernetes/pki/new/dir /root | grep kx || true")).toBe("");
    await session.upload("/etc/kubernetes/pki/new/dir/f1", Buffer.from("replaced\n"), { mode: 0o600 });
    expect(await session.readFile("/etc/kubernetes/pki/new/dir/f1")).toBe("replaced\n");
    expect(await session.readFile("/etc/kubernetes/pki/new/dir/missing")).toBeUndefined();
  });
});

describe("connections", () => {
  it("reaches a host only resolvable behind the bastion, sharing one bastion connection", async () => {
    const p = pool();
    const [a, b] = await Promise.all([p.session(behindBastion(0)), p.session(behindBastion(1))]);
    expect((await a.exec("hostname")).stdout.trim()).toBe(cloud.hosts[0]!.name);
    expect((await b.exec("hostname")).stdout.trim()).toBe(cloud.hosts[1]!.name);
    expect(p.stats().connections).toEqual({ bastion: 1, [cloud.hosts[0]!.name]: 1, [cloud.hosts[1]!.name]: 1 });
  });

  it("reconnects for the next command after a drop, and retries an in-flight command only when it is idempotent", async () => {
    const lines: string[] = [];
    let onStarted = () => {};
    const p = pool({
      onOutput: (_h, l) => {
        lines.push(l);
        if (l === "started") onStarted();
      },
    });
    const host = cloud.hosts[1]!;
    const session = await p.session(behindBastion(1));
    const first = await session.connection();
    const noticed = new Promise((resolve) => first.client.once("close", resolve));
    expect(host.dropConnections()).toBe(1);
    await noticed;
    expect((await session.exec("echo after-drop")).stdout).toBe("after-drop\n");
    expect(lines).toContain("the connection dropped; reconnecting");

    // Dropped while it runs (it has printed "started"): its outcome is unknown.
    const started = new Promise<void>((resolve) => (onStarted = resolve));
    const plain = session.exec("echo started; sleep 1; echo done");
    plain.catch(() => undefined);
    await started;
    host.dropConnections();
    await expect(plain).rejects.toBeInstanceOf(SshConnectionLostError);
    // The idempotent one runs again on a new connection (and is cut only the first time).
    let drops = 0;
    const again = new Promise<void>((resolve) => (onStarted = () => (++drops === 1 ? resolve() : undefined)));
    const idempotent = session.exec("echo started; sleep 1; echo done", { retryOnDisconnect: true });
    await again;
    host.dropConnections();
    expect((await idempotent).stdout).toBe("started\ndone\n");
    expect(p.stats().connections[host.name]).toBe(4);
    expect(p.stats().connections.bastion).toBe(1);
  });

  it("pins a host key on first contact and refuses a different one later (HostKeyError)", async () => {
    const store = recordHostKeyStore({});
    await (await pool({ hostKeys: store }).session(direct())).exec("true");
    expect(store.record).toEqual({ [cloud.hosts[0]!.name]: cloud.hosts[0]!.hostKeys[0] });

    const other = cloud.hosts[1]!.hostKeys[0]!;
    const error = await pool({ hostKeys: recordHostKeyStore({ [cloud.hosts[0]!.name]: other }) })
      .session(direct())
      .catch((e: unknown) => e);
    expect(isKxError(error) && error.name).toBe("HostKeyError");
    expect((error as Error).message).toMatch(/the host key changed \(expected SHA256:\S+, got SHA256:\S+\)\. This may be an attack/);
  });

  it("accepts a given key as an OpenSSH line or a SHA256 fingerprint", async () => {
    const line = cloud.hosts[0]!.hostKeys[0]!;
    const fingerprint = cloud.hosts[0]!.exec(`echo '${line}' | ssh-keygen -lf - | cut -d' ' -f2`).trim();
    for (const hostKey of [`${line} root@somewhere`, fingerprint]) {
      await expect((await pool().session({ ...direct(), hostKey })).exec("true")).resolves.toMatchObject({ code: 0 });
    }
  });

  it("gives up after the retries on a port nobody listens on, naming address and cause", async () => {
    const started = Date.now();
    const error = await pool({ connectRetries: 2, connectBackoffMs: 50 })
      .session({ ...direct(), port: 2222 })
      .catch((e: unknown) => e as Error);
    expect(error?.message).toMatch(new RegExp(`cannot connect to ${cloud.hosts[0]!.address.replaceAll(".", "\\.")}:2222: .*ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("fails at once on a wrong key (no retries) with user and key in the message", async () => {
    const wrong = generateKeyPair(join(cloud.dir, "wrong-key"), "wrong");
    const accepted = cloud.bastion!.acceptedConnections();
    const started = Date.now();
    const error = await pool({ connectRetries: 5, connectBackoffMs: 1_000 })
      .session({ ...bastionTarget(), privateKeyFile: wrong.privateKeyFile })
      .catch((e: unknown) => e as SshError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error?.message).toBe(`bastion: authentication failed for user root with the key ${wrong.privateKeyFile}`);
    expect(error?.source).toBe("user");
    expect(cloud.bastion!.acceptedConnections()).toBe(accepted);
  });
});
