/**
 * A `hosts:` cluster for the real binary: test hosts (real sshd, private views of the
 * paths kx writes) with the kubeadm/kubelet/kubectl stand-ins, a temp HOME and state
 * directory, the cluster config kx reads, and an environment with no AWS in it at all.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { runKx, type KxRun } from "../../helpers/kx.js";
// @ts-expect-error plain JavaScript harness
import { startTestHosts } from "../../harness/hosts/index.js";
// @ts-expect-error plain JavaScript harness
import { installStandins } from "../../harness/standins/index.js";
import { spawnKx, type RunningKx } from "./spawn-kx.js";

export const HOSTS_CLUSTER = "lab";
/** The hosts cluster the end-to-end tests build: one etcd member, three masters, a worker. */
export const HOSTS_ROLES: Record<string, string[]> = {
  "etcd-a": ["etcd"],
  "master-a": ["control-plane"],
  "master-b": ["control-plane"],
  "master-c": ["control-plane"],
  "worker-a": ["worker"],
};

export interface HostsWorldHost {
  name: string;
  address: string;
  hostKeys: string[];
  exec(command: string): string;
  pathOnHost(path: string): string;
}

export interface HostsWorld {
  hosts: Record<string, HostsWorldHost>;
  dir: string;
  stateDir: string;
  configFile: string;
  /** Every run's stdout and stderr, for the "no secret printed" checks. */
  transcripts: string[];
  env: NodeJS.ProcessEnv;
  kx(args: string[], timeoutMs?: number): Promise<KxRun>;
  spawn(args: string[], timeoutMs?: number): RunningKx;
  /** Gives host `name` these roles in the config file (adds it when it is not listed). */
  addHost(name: string, roles: string[]): void;
  close(): Promise<void>;
}

/** Runs a command on a test host; a failing command yields its exit status instead of throwing. */
export function execStatus(host: HostsWorldHost, command: string): string {
  return host.exec(`${command} 2>&1; echo "exit=$?"`).trim();
}

/**
 * Starts the hosts (`roles` names the ones in the config; the others are spares) and
 * writes the config. The environment drops every AWS_* variable: a hosts cluster must
 * not need AWS, and must not reach for the instance metadata service either.
 */
export async function startHostsWorld(roles: Record<string, string[]>, spares: string[]): Promise<HostsWorld> {
  const names = [...Object.keys(roles), ...spares];
  const t = await startTestHosts({ count: names.length, names });
  try {
    for (const h of t.hosts) installStandins(h);
  } catch (e) {
    await t.stop();
    throw e;
  }
  const hosts: Record<string, HostsWorldHost> = Object.fromEntries(t.hosts.map((h: HostsWorldHost) => [h.name, h]));
  const dir = mkdtempSync(join(tmpdir(), "kx-e2e-hosts-"));
  const stateDir = join(dir, "state");
  const configFile = join(dir, "cluster.yaml");
  const hostEntry = (name: string, hostRoles: string[]) => ({
    name,
    address: hosts[name]!.address,
    user: "root",
    keyFile: t.clientKeyFile,
    roles: hostRoles,
  });
  writeFileSync(
    configFile,
    stringify({
      apiVersion: "kx.dev/v1alpha1",
      kind: "Cluster",
      name: HOSTS_CLUSTER,
      ssh: { user: "root", privateKeyFile: t.clientKeyFile },
      // The test hosts share one network namespace: members serve clients on their own address only.
      etcd: { loopbackClients: false },
      hosts: Object.entries(roles).map(([n, r]) => hostEntry(n, r)),
    }),
  );

  // runKx and spawnKx lay this over process.env: an undefined value leaves the variable out of the child's environment.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith("AWS_") || k.startsWith("KX_")).map((k) => [k, undefined]));
  Object.assign(env, { HOME: join(dir, "home"), CI: "true", NO_COLOR: "1", AWS_EC2_METADATA_DISABLED: "true" });
  const transcripts: string[] = [];
  const running = new Set<RunningKx>();
  const withState = (args: string[]) => ["--state-dir", stateDir, ...args];

  return {
    hosts,
    dir,
    stateDir,
    configFile,
    transcripts,
    env,
    async kx(args, timeoutMs = 120_000) {
      const run = await runKx(withState(args), { env, cwd: dir, timeoutMs });
      transcripts.push(run.stdout, run.stderr);
      return run;
    },
    spawn(args, timeoutMs = 120_000) {
      const kx = spawnKx(withState(args), env, dir, timeoutMs);
      running.add(kx);
      void kx.done.then((run) => {
        running.delete(kx);
        transcripts.push(run.stdout, run.stderr);
      });
      return kx;
    },
    addHost(name, hostRoles) {
      const config = parse(readFileSync(configFile, "utf8")) as { hosts: { name: string }[] };
      config.hosts = [...config.hosts.filter((h) => h.name !== name), hostEntry(name, hostRoles)];
      writeFileSync(configFile, stringify(config));
    },
    async close() {
      // A test that failed while kx ran must not leave it writing into the removed directory.
      for (const kx of running) kx.child.kill("SIGKILL");
      await Promise.all([...running].map((kx) => kx.done));
      try {
        await t.stop();
        const left = t.leftovers();
        if (left.length) throw new Error(`test hosts left behind:\n${left.join("\n")}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** What a run printed, for an assertion's message. */
export function describeHostsRun(run: KxRun): string {
  return `exit ${run.code} signal ${run.signal}\n--- stdout\n${run.stdout.slice(-4000)}\n--- stderr\n${run.stderr.slice(-4000)}`;
}

/**
 * The JSON events of `--output json` output; a last line cut off by a kill is left out.
 * Every other line must parse: a broken line fails with the text around the fault.
 */
export function jsonEvents(stdout: string): Record<string, any>[] {
  return stdout
    .slice(0, stdout.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, any>;
      } catch (e) {
        const at = Number(/position (\d+)/.exec((e as Error).message)?.[1] ?? 0);
        throw new Error(`not a JSON event (${(e as Error).message}): …${l.slice(Math.max(0, at - 300), at + 300)}…`);
      }
    });
}

/** A private key PEM with its body; kx's redactor leaves "-----BEGIN PRIVATE KEY-----***-----END…" in its place. */
const UNMASKED_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----(?!\*\*\*-----END)/;
/** A kubeconfig's client key with a value; "client-key-data: ***" is what the redactor leaves. */
const UNMASKED_CLIENT_KEY = /client-key-data["']?\s*[:=]\s*["']?(?!\*\*\*)[A-Za-z0-9+/=]/;

/**
 * Where a private key, a bootstrap token, a kubeconfig's client key, or one of the given
 * secret values shows up in the state, the run logs or what kx printed ("where: …context…").
 */
export function secretLeaks(w: Pick<HostsWorld, "stateDir" | "transcripts">, values: string[], extra: [string, string][] = []): string[] {
  const logs = join(w.stateDir, "logs");
  const places: [string, string][] = [
    ...readdirSync(w.stateDir).filter((f) => f.startsWith("state")).map((f) => [f, readFileSync(join(w.stateDir, f), "utf8")] as [string, string]),
    ...readdirSync(logs).map((f) => [`logs/${f}`, readFileSync(join(logs, f), "utf8")] as [string, string]),
    ...w.transcripts.map((t, i) => [`output ${i}`, t] as [string, string]),
    ...extra,
  ];
  return places.flatMap(([where, text]) =>
    [UNMASKED_PEM, /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/, UNMASKED_CLIENT_KEY, ...values].flatMap((pattern) => {
      const at = typeof pattern === "string" ? text.indexOf(pattern) : text.search(pattern);
      return at < 0 ? [] : [`${where}: …${text.slice(Math.max(0, at - 200), at + 60)}…`];
    }),
  );
}

/** The events of one type, read from their own lines only (for watching a run whose other lines may be broken). */
export function eventsOfType(stdout: string, type: string): Record<string, any>[] {
  return jsonEvents(
    stdout
      .slice(0, stdout.lastIndexOf("\n") + 1)
      .split("\n")
      .filter((l) => l.startsWith(`{"type":"${type}"`))
      .map((l) => `${l}\n`)
      .join(""),
  );
}

/** Polls until `check` holds; fails with `what` when the kx run ended first. */
async function until(check: () => boolean, ended: () => boolean, what: string): Promise<void> {
  while (!check()) {
    if (ended()) throw new Error(`kx ended before ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs kx (JSON events, --verbose for progress) and SIGKILLs it once `ready(stdout)` holds. */
export async function killWhen(w: Pick<HostsWorld, "spawn">, args: string[], ready: (stdout: string) => boolean, what: string, timeoutMs?: number): Promise<KxRun> {
  const run = w.spawn(["--output", "json", "--verbose", ...args], timeoutMs);
  let stdout = "";
  let ended = false;
  run.child.stdout!.on("data", (d) => (stdout += d));
  void run.done.then(() => (ended = true));
  try {
    await until(() => ready(stdout), () => ended, what);
  } catch (e) {
    if (!ended) throw e;
    throw new Error(`${(e as Error).message}\n${describeHostsRun(await run.done)}`);
  }
  run.child.kill("SIGKILL");
  return run.done;
}

/** The step-progress events of one step's subtask (kx emits them with --verbose). */
export const progressOf = (stdout: string, id: string, subtask: string) => eventsOfType(stdout, "step-progress").filter((e) => e.id === id && e.subtask === subtask);
