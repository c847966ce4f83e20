/**
 * One end-to-end world: a fresh fake AWS endpoint, a temp HOME with an SSH key made by
 * ssh-keygen, a state directory, and the cluster config of examples/cluster.yaml with
 * the AMIs registered in the fake. `kx(...)` runs the real binary against it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { startFakeAws, type FakeAws, type TestHost } from "../../harness/fake-aws/index.js";
import type { KxRun } from "../../helpers/kx.js";
import { spawnKx, type RunningKx } from "./spawn-kx.js";
import { sshEd25519PublicKey } from "../../steps/machines/keys.js";
import { REPO } from "./build.js";

export const CLUSTER = "lab";
export const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] as const;
/** What the issue calls "the infrastructure": the host steps need real machines and are tested elsewhere. */
export const INFRA_ONLY = ["--only", "images,network,security,edge,machines,optional"];
export const ACCESS_KEY = "AKIAE2ETESTKEY000001";

export interface WorldOptions {
  latencyScale?: number;
  /** The machines instances are mapped to (default: exampleHosts(), addresses and host keys only). */
  hosts?: TestHost[];
  /** Changes to the example config (dotted paths), after the test's own (AMIs, key). */
  config?: Record<string, unknown>;
}

export interface KxOptions {
  /** Another endpoint than the fake's own (a proxy in front of it). */
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface World {
  fake: FakeAws;
  dir: string;
  home: string;
  stateDir: string;
  configFile: string;
  /** Where kx is pointed (the fake, or a proxy in front of it). */
  endpoint: string;
  env: NodeJS.ProcessEnv;
  kx(args: string[], options?: KxOptions): Promise<KxRun>;
  /** kx started, not awaited: for tests that kill it. */
  start(args: string[], options?: KxOptions): RunningKx;
  /** `kx create cluster` of the infrastructure, never asking. */
  createArgs: string[];
  create(extra?: string[], options?: KxOptions): Promise<KxRun>;
  close(): Promise<void>;
}

/** The Name tag (a glob) of the instances of each machine of the example config. */
export const INSTANCE_NAME = { bastion: "lab-bastion", worker: "lab-worker", etcd: (letter: string) => `etcd-${letter}`, master: (letter: string) => `master-${letter}` };

/** A host for every machine the example config launches, so each gets an address and host keys. */
export function exampleHosts(): TestHost[] {
  const machine = (namePattern: string, address: string): TestHost => ({ address, namePattern, hostKeys: [sshEd25519PublicKey()] });
  return [
    machine(INSTANCE_NAME.bastion, "10.0.0.10"),
    ...["a", "b", "c"].flatMap((letter, i) => [
      machine(INSTANCE_NAME.etcd(letter), `10.0.${64 * (i + 1)}.10`),
      machine(INSTANCE_NAME.master(letter), `10.0.${64 * (i + 1)}.20`),
      machine(INSTANCE_NAME.worker, `10.0.${64 * (i + 1)}.30`),
    ]),
  ];
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const fake = await startFakeAws({ latencyScale: options.latencyScale ?? 0, hosts: options.hosts ?? exampleHosts() });
  const dir = mkdtempSync(join(tmpdir(), "kx-e2e-"));
  const home = join(dir, "home");
  const stateDir = join(dir, "state");
  execFileSync("mkdir", ["-p", join(home, ".ssh")]);
  const keyFile = join(home, ".ssh", "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "kx-e2e", "-f", keyFile]);

  const configFile = join(dir, "cluster.yaml");
  writeFileSync(
    configFile,
    exampleConfig({
      "images.build": false,
      "images.node": fake.registerImage({ name: "kx-node-e2e" }),
      "images.etcd": fake.registerImage({ name: "kx-etcd-e2e" }),
      "ssh.privateKeyFile": keyFile,
      ...options.config,
    }),
  );

  const env: NodeJS.ProcessEnv = {
    HOME: home,
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: "e2e-fake-secret",
    AWS_REGION: "eu-west-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
    // The fake settles resources at once; kx's first poll need not wait AWS's 2 s.
    KX_AWS_POLL_MS: "5",
    KX_AWS_RETRY_DELAY_SCALE: "0.02",
    CI: "true",
  };
  const world: World = {
    fake,
    dir,
    home,
    stateDir,
    configFile,
    endpoint: fake.url,
    env,
    start: (args, o = {}) =>
      spawnKx(["--state-dir", stateDir, ...args], { ...env, ...(o.endpoint ? { AWS_ENDPOINT_URL: o.endpoint } : {}), ...o.env }, dir, o.timeoutMs),
    kx: (args, o) => world.start(args, o).done,
    createArgs: ["create", "cluster", "-f", configFile, "--yes", ...INFRA_ONLY],
    create: (extra = [], o) => world.kx([...world.createArgs, ...extra], o),
    close: async () => {
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** examples/cluster.yaml with the given dotted paths set (comments kept). */
export function exampleConfig(changes: Record<string, unknown>): string {
  const doc = parseDocument(readFileSync(join(REPO, "examples/cluster.yaml"), "utf8"));
  for (const [path, value] of Object.entries(changes)) doc.setIn(path.split("."), value);
  return doc.toString();
}

/** A readable account of a failed run, for assertion messages. */
export function describeRun(run: KxRun): string {
  return `exit ${run.code}${run.signal ? ` (${run.signal})` : ""}\n--- stdout\n${run.stdout.slice(-4000)}\n--- stderr\n${run.stderr.slice(-4000)}`;
}
