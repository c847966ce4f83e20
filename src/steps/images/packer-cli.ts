/**
 * Running the packer binary: found on PATH (or KX_PACKER), its version checked, and its
 * machine-readable output streamed line by line while it runs.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { KxError } from "../../engine/errors.js";
import { redact } from "../../engine/secret.js";
import { MIN_PACKER_VERSION } from "./catalog.js";
import { artifactId, parseMachineReadable, Tail, uiText } from "./packer-output.js";

const INSTALL_HINT =
  `Install Packer ${MIN_PACKER_VERSION} or newer (https://developer.hashicorp.com/packer/install, or HashiCorp's apt ` +
  "repository: `apt-get install packer`), put it on PATH or set KX_PACKER to its path; or give existing AMI ids " +
  "in the config (images.node, images.etcd).";

export interface PackerRun {
  /** The packer executable. */
  binary: string;
  /** Extra environment (AWS profile and region), on top of kx's own. */
  env: Record<string, string>;
  cwd: string;
  signal?: AbortSignal;
  /** Each line of Packer's UI output as it comes. */
  onLine?: (line: string) => void;
}

export interface PackerResult {
  /** The artifact ids Packer printed (`artifact,0,id,region:ami-…`). */
  artifactIds: string[];
}

/** The packer executable: KX_PACKER, else `packer` on PATH. A missing one is a user error saying how to install it. */
export function resolvePackerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.KX_PACKER;
  if (configured) {
    if (!isExecutable(configured)) {
      throw new KxError(`KX_PACKER is ${configured}, which is not an executable file`, { source: "user", hint: INSTALL_HINT });
    }
    return configured;
  }
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, "packer");
    if (isExecutable(candidate)) return candidate;
  }
  throw new KxError("kx builds its machine images with Packer, but no `packer` executable is on PATH", {
    source: "user",
    hint: INSTALL_HINT,
  });
}

/** Checks that the binary is a Packer new enough for the templates (Debian's 1.6.6 is not). */
export async function checkPackerVersion(binary: string, env: Record<string, string>, signal?: AbortSignal): Promise<string> {
  const result = await execa(binary, ["version"], { env, extendEnv: false, reject: false, cancelSignal: signal, timeout: 60_000 });
  const version = /Packer v?(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1];
  if (result.exitCode !== 0 || !version) {
    throw new KxError(`\`${binary} version\` did not report a Packer version (exit ${result.exitCode})`, {
      source: "user",
      hint: INSTALL_HINT,
    });
  }
  if (compareVersions(version, MIN_PACKER_VERSION) < 0) {
    throw new KxError(`${binary} is Packer ${version}; kx's image templates need Packer ${MIN_PACKER_VERSION} or newer`, {
      source: "user",
      hint: INSTALL_HINT,
    });
  }
  return version;
}

/** `packer init DIR`: installs the plugins the templates require. */
export async function packerInit(dir: string, run: PackerRun): Promise<void> {
  await runPacker(["init", dir], "packer init", run);
}

/** `packer build -machine-readable -var k=v… DIR`. */
export async function packerBuild(dir: string, variables: Record<string, string>, run: PackerRun): Promise<PackerResult> {
  const vars = Object.entries(variables).flatMap(([name, value]) => ["-var", `${name}=${value}`]);
  return runPacker(["build", "-machine-readable", ...vars, dir], "packer build", run);
}

async function runPacker(args: string[], what: string, run: PackerRun): Promise<PackerResult> {
  const tail = new Tail(20);
  const artifactIds: string[] = [];
  const subprocess = execa(run.binary, args, {
    cwd: run.cwd,
    env: run.env,
    extendEnv: false,
    all: true,
    buffer: false,
    reject: false,
    stdin: "ignore",
    cancelSignal: run.signal,
    // Packer cleans up (terminates the build instance, deletes the temporary key pair
    // and security group) on SIGINT; give it time to before killing it.
    killSignal: "SIGINT",
    forceKillAfterDelay: 300_000,
  });
  for await (const raw of subprocess.iterable({ from: "all" })) {
    const parsed = parseMachineReadable(raw);
    const id = parsed && artifactId(parsed);
    if (id) artifactIds.push(id);
    const lines = parsed ? uiText(parsed) : raw.trim() ? [raw.trimEnd()] : [];
    for (const line of lines) {
      const clean = redact(line);
      tail.push(clean);
      run.onLine?.(clean);
    }
  }
  const result = await subprocess;
  if (result.isCanceled) throw new KxError(`${what} was interrupted; Packer cleaned up what it had started`, { source: "user" });
  if (result.exitCode !== 0) {
    const last = tail.lines();
    throw new KxError(
      `${what} failed (${result.exitCode === undefined ? result.signal ?? "killed" : `exit ${result.exitCode}`})` +
        (last.length ? `; Packer's last lines:\n${last.map((l) => `    ${l}`).join("\n")}` : " with no output"),
      {
        source: "user",
        hint: "Fix the cause shown above and run again; a rebuild starts from scratch and leaves nothing behind.",
      },
    );
  }
  return { artifactIds };
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
