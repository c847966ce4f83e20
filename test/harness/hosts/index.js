// @ts-check
/**
 * Test hosts: real OpenSSH sshd processes, each in its own mount, UTS and PID namespace,
 * listening on its own loopback address, with private views of the paths kx writes.
 *
 *   const { hosts, bastion, stop } = await startTestHosts({ count: 3, bastion: true });
 *   hosts[0] = { name, address, dnsName, port: 22, user: "root", privateKeyFile,
 *                hostKeys: ["ssh-ed25519 AAAA…"], exec(cmd), dropConnections(), … }
 *
 * - `dnsName` resolves only inside the hosts (their /etc/hosts), like a VPC's private
 *   DNS: a client that connects to it must go through the bastion.
 * - systemctl and journalctl are stand-ins (./systemctl): there is no systemd here.
 * - /usr/local/bin/etcd and etcdctl resolve to Debian's /usr/bin ones, where the etcd AMI
 *   puts the release binaries.
 * - stop() kills every process of every host (killing a PID namespace's first process
 *   kills the whole namespace) and removes the run directory; the mounts go with the
 *   namespaces. `leftovers()` lists what would prove otherwise.
 */
import { spawn, execFileSync } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { reserveAddressBlock } from "./address-block.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url)).replace(/\/$/, "");

/** Paths a host sees privately (its own empty directory mounted over them). */
const PRIVATE_DIRS = [
  "/etc/kubernetes",
  "/etc/etcd",
  "/var/lib/etcd",
  "/etc/systemd/system",
  "/var/lib/kubelet",
  "/etc/cni",
  "/opt/cni",
  "/usr/local/bin",
  "/run/kx",
  "/var/log",
  "/etc/apt/sources.list.d", // the apt stand-in's (standins/apt.js): the machine's apt is never touched
  "/etc/apt/keyrings",
  "/var/lib/kx-standin-apt", // the stand-in package database (standins/lib/packages.js)
  // Should a host ever run the machine's real apt-get, it finds no lists and changes nothing here.
  "/var/lib/apt",
  "/var/cache/apt",
  "/root", // a fresh home: the machine's own root dotfiles make every command slow
];

/**
 * @param {{ count: number, bastion?: boolean, dir?: string, names?: string[] }} options
 */
export async function startTestHosts(options) {
  const { count, bastion = false } = options;
  const block = reserveAddressBlock();
  const runId = `kxhosts-${block.prefix.replaceAll(".", "-")}-${process.pid}`;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `${runId}-`));
  mkdirSync(dir, { recursive: true });
  const clientKey = generateKeyPair(join(dir, "client"), "kx-test-client");

  const specs = [];
  if (bastion) specs.push({ name: "bastion", octet: 1, isBastion: true });
  for (let i = 0; i < count; i++) {
    specs.push({ name: options.names?.[i] ?? `host-${i + 1}`, octet: i + 2, isBastion: false });
  }
  // The hosts share one loopback network, so a connection between two of them comes
  // from 127.0.0.1 (the kernel's source for 127/8), not from the sender's address. The
  // last line says so: tools that check a peer's certificate names against its source
  // address (etcd does, for peers) find every host's name at 127.0.0.1 too.
  const hostsFile = [
    "127.0.0.1 localhost",
    ...specs.map((s) => `${block.prefix}.${s.octet} ${s.name}.${runId}.internal ${s.name}`),
    `127.0.0.1 ${specs.map((s) => s.name).join(" ")}`,
    "",
  ].join("\n");

  /** @type {TestHost[]} */
  const started = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(started.map((h) => h.kill()));
    await killStragglers(runId, started.map((h) => h.pidNamespace));
    rmSync(dir, { recursive: true, force: true });
    block.release();
  };
  try {
    const all = await Promise.all(
      specs.map((spec) => startHost({ ...spec, dir, prefix: block.prefix, runId, clientKey, hostsFile, started })),
    );
    const bastionHost = all.find((h) => h.isBastion);
    return {
      runId,
      dir,
      /** The hosts' 127.X.Y block: addresses from .200 up are free for what serves them (load balancers…). */
      addressPrefix: block.prefix,
      /** Adds "address name…" lines to every host's /etc/hosts (the VPC's DNS, as the hosts see it). */
      addHostsEntries: (/** @type {string[]} */ lines) => {
        for (const spec of specs) appendFileSync(join(dir, spec.name, "hosts"), lines.map((l) => `${l}\n`).join(""));
      },
      /** The non-bastion hosts. */
      hosts: all.filter((h) => !h.isBastion),
      bastion: bastionHost,
      clientKeyFile: clientKey.privateKeyFile,
      stop,
      /** Processes and mounts of this run still alive (empty after stop()). */
      leftovers: () => leftovers(runId, dir, started.map((h) => h.pidNamespace)),
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * @typedef {Awaited<ReturnType<typeof startHost>>} TestHost
 */

async function startHost({ name, octet, isBastion, dir, prefix, runId, clientKey, hostsFile, started }) {
  const address = `${prefix}.${octet}`;
  const root = join(dir, name);
  const views = new Map();
  for (const path of PRIVATE_DIRS) {
    const source = join(root, "fs", path);
    mkdirSync(source, { recursive: true });
    views.set(path, source);
  }
  const sshDir = join(root, "fs/etc/ssh");
  mkdirSync(sshDir, { recursive: true });
  const tmp = join(root, "fs/tmp");
  mkdirSync(tmp, { recursive: true, mode: 0o1777 });
  chmodSync(tmp, 0o1777);
  const hostKey = generateKeyPair(join(sshDir, "ssh_host_ed25519_key"), `${name}-host`);
  writeFileSync(join(sshDir, "authorized_keys"), readFileSync(clientKey.publicKeyFile), { mode: 0o600 });
  writeFileSync(join(sshDir, "sshd_config"), sshdConfig(address, isBastion));
  writeFileSync(join(root, "hosts"), hostsFile);
  writeFileSync(join(root, "hostname"), `${name}\n`);
  for (const tool of ["etcd", "etcdctl"]) {
    if (existsSync(`/usr/bin/${tool}`)) symlinkSync(`/usr/bin/${tool}`, join(views.get("/usr/local/bin"), tool));
  }
  symlinkSync(join(HERE, "hostnamectl"), join(views.get("/usr/local/bin"), "hostnamectl"));
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // sshd's privilege separation dir

  const script = join(root, "boot.sh");
  writeFileSync(script, bootScript({ name, views, sshDir, tmp, root }), { mode: 0o755 });
  // --kill-child: when this unshare dies, its child (PID 1 of the namespace, sshd) is
  // killed, and with it every process of the namespace.
  const child = spawn(
    "unshare",
    ["--mount", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private", "/bin/sh", script, runId],
    // stdin is the watchdog's pipe: it closes when this process dies, however it dies.
    { stdio: ["pipe", "ignore", "pipe"], detached: false },
  );
  let bootError = "";
  child.stderr.on("data", (d) => (bootError += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const host = { kill: async () => {}, pidNamespace: "", isBastion, sshdPid: 0 };
  // Kill the namespace's PID 1 (sshd), not unshare: the kernel then kills every process
  // of the namespace and unshare reaps them all (this machine's init may not reap).
  host.kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (host.sshdPid) process.kill(host.sshdPid, "SIGKILL");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  started.push(host);

  await waitForPort(address, 22, () => (child.exitCode !== null ? `sshd of ${name} exited: ${bootError}` : undefined));
  const sshdPid = childrenOf(child.pid ?? 0)[0];
  if (!sshdPid) throw new Error(`test host ${name}: sshd process not found`);
  host.sshdPid = sshdPid;
  host.pidNamespace = readlinkSync(`/proc/${sshdPid}/ns/pid`);

  /** Runs a shell command inside the host's namespaces (as root). */
  const exec = (command) =>
    execFileSync("nsenter", ["-t", String(sshdPid), "-m", "-u", "-p", "--", "/bin/sh", "-c", command], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });

  /** Starts a command inside the host's namespaces without waiting (stdio piped); `env` replaces the environment. */
  const spawnIn = (/** @type {string} */ command, /** @type {NodeJS.ProcessEnv} */ env) =>
    spawn("nsenter", ["-t", String(sshdPid), "-m", "-u", "-p", "--", "/bin/bash", "-c", command], { env, stdio: ["pipe", "pipe", "pipe"] });

  return Object.assign(host, {
    name,
    address,
    spawn: spawnIn,
    /** Resolves only inside the hosts: reach it through the bastion. */
    dnsName: `${name}.${runId}.internal`,
    port: 22,
    user: "root",
    privateKeyFile: clientKey.privateKeyFile,
    hostKeys: [readFileSync(hostKey.publicKeyFile, "utf8").trim().split(" ").slice(0, 2).join(" ")],
    /** The host-side directory shown at `path` inside the host. */
    pathOnHost: (path) => join(root, "fs", path),
    exec,
    /** Kills sshd's per-connection processes: every client connected to this host is cut off. */
    dropConnections: () => {
      // A connection is a privileged monitor process and its session child: kill both.
      const sessions = childrenOf(sshdPid).filter((pid) => commOf(pid) === "sshd");
      const tree = sessions.flatMap((pid) => [pid, ...descendantsOf(pid)]);
      for (const pid of tree) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      return sessions.length;
    },
    /** Connections sshd accepted so far (from its log). */
    acceptedConnections: () =>
      readFileSync(join(root, "fs/var/log/sshd.log"), "utf8")
        .split("\n")
        .filter((l) => l.includes("Accepted publickey")).length,
    /** Replaces the host key (as a reinstall would) and makes sshd load it. */
    rotateHostKey: async () => {
      rmSync(hostKey.privateKeyFile);
      rmSync(hostKey.publicKeyFile);
      const fresh = generateKeyPair(hostKey.privateKeyFile, `${name}-host-new`);
      const log = join(root, "fs/var/log/sshd.log");
      const before = readFileSync(log, "utf8").split("Server listening").length;
      process.kill(sshdPid, "SIGHUP");
      const deadline = Date.now() + 10_000;
      while (readFileSync(log, "utf8").split("Server listening").length === before) {
        if (Date.now() > deadline) throw new Error(`test host ${name}: sshd did not restart after SIGHUP`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const line = readFileSync(fresh.publicKeyFile, "utf8").trim().split(" ").slice(0, 2).join(" ");
      host.hostKeys = [line];
      return line;
    },
  });
}

function sshdConfig(address, isBastion) {
  return [
    `ListenAddress ${address}:22`,
    "HostKey /etc/ssh/ssh_host_ed25519_key",
    "AuthorizedKeysFile /etc/ssh/authorized_keys",
    "PidFile none",
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    `AllowTcpForwarding ${isBastion ? "yes" : "no"}`,
    "X11Forwarding no",
    "MaxStartups 100:30:200",
    "MaxSessions 10", // OpenSSH's default: the pool must keep under it
    "LogLevel VERBOSE",
    "Subsystem sftp internal-sftp",
    "",
  ].join("\n");
}

function bootScript({ name, views, sshDir, tmp, root }) {
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const lines = [
    "set -e",
    // Watchdog: when the test process dies without stop(), its end of stdin closes and
    // the namespace's PID 1 (sshd) is told to go, which ends every process of the host.
    // (A background job's stdin is /dev/null unless redirected: hand it the pipe as fd 3.)
    "exec 3<&0",
    "(cat <&3 >/dev/null; kill -TERM 1) &",
    "exec 3<&-",
    `hostname ${q(name)}`,
  ];
  for (const [path, source] of views) lines.push(`mkdir -p ${q(path)}`, `mount --bind ${q(source)} ${q(path)}`);
  lines.push(
    `mount --bind ${q(sshDir)} /etc/ssh`,
    `mount --bind ${q(join(root, "hosts"))} /etc/hosts`,
    `mount --bind ${q(join(root, "hostname"))} /etc/hostname`,
    `mount --bind ${q(join(HERE, "systemctl"))} /usr/bin/systemctl`,
    `mount --bind ${q(join(HERE, "journalctl"))} /usr/bin/journalctl`,
    // Last: the run directory itself may live under /tmp. So may the repository (a CI
    // clone), whose stand-ins the hosts run: it is bound into the private /tmp at the
    // same path first, and --rbind carries that bind along.
    ...(REPO.startsWith("/tmp/") ? [`mkdir -p ${q(join(tmp, relative("/tmp", REPO)))}`, `mount --bind ${q(REPO)} ${q(join(tmp, relative("/tmp", REPO)))}`] : []),
    `mount --rbind ${q(tmp)} /tmp`,
    "exec /usr/sbin/sshd -D -E /var/log/sshd.log -f /etc/ssh/sshd_config </dev/null",
  );
  return `${lines.join("\n")}\n`;
}

/**
 * @param {string} file private key path; the public key is file + ".pub"
 * @param {string} comment
 */
export function generateKeyPair(file, comment) {
  mkdirSync(dirname(file), { recursive: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], { stdio: "ignore" });
  return { privateKeyFile: file, publicKeyFile: `${file}.pub` };
}

async function waitForPort(host, port, failed) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise((resolve) => {
      const s = connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`test host ${host}:${port} did not start listening`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function childrenOf(pid) {
  const out = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return out;
}

function descendantsOf(pid) {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Processes in this run's PID namespaces or naming the run (its boot scripts' watchdogs). */
function runProcesses(runId, namespaces) {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const ns = readlinkSync(`/proc/${entry}/ns/pid`);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (namespaces.includes(ns) || cmdline.includes(runId)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * On a loaded machine a namespace's last processes may outlive its PID 1 for a moment,
 * or a host's unshare may have been killed before its namespace was: kill what is left
 * and wait until it is gone, so stop() means stopped.
 */
async function killStragglers(runId, namespaces) {
  const deadline = Date.now() + 20_000;
  for (let left = runProcesses(runId, namespaces); left.length > 0 && Date.now() < deadline; left = runProcesses(runId, namespaces)) {
    for (const { pid } of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes in this run's PID namespaces or naming the run, and mounts of its directory. */
function leftovers(runId, dir, namespaces) {
  const found = runProcesses(runId, namespaces).map(({ pid, cmdline }) => `process ${pid}: ${cmdline}`);
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    if (line.includes(dir)) found.push(`mount: ${line}`);
  }
  return found;
}
