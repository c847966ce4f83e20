/**
 * `kx ssh NODE [-- command…]`: a shell (or one command) on a node, through the bastion,
 * with the host keys kx pinned. It runs the system `ssh` (a real terminal, agent and
 * escape sequences as users expect) with a private config and known_hosts written for
 * this one call: StrictHostKeyChecking=yes, so a changed key stops it as it stops kx.
 *
 * A key known only by fingerprint (or not yet known) is first read and verified over
 * ssh2 and pinned in the store, so the known_hosts file always holds the full key.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { GlobalOptions } from "../cli.js";
import { UsageError } from "../engine/errors.js";
import { createSshPool } from "../ssh/pool.js";
import type { HostKeyStore, SshTarget } from "../ssh/types.js";
import type { Inventory, NodeHost } from "../steps/inventory.js";
import { contextFromState } from "../workflows/offline-context.js";
import { stateHostKeyStore } from "../workflows/host-key-store.js";
import { openSession } from "../workflows/session.js";
import { ioFor, loadClusterWithState, type ClusterSelector } from "./support/common.js";

export interface SshNodeOptions {
  /** Built by the caller from the config and the state (machines outputs, pinned keys). */
  inventory: Inventory;
  /** The state's data.hostKeys; a key read on first contact is pinned here (the caller saves it). */
  hostKeys: HostKeyStore;
  /** The ssh client to run (default "ssh" from PATH). */
  sshBinary?: string;
  /** Where the remote output goes instead of this terminal (tests, `--output json`). */
  io?: { stdout: Writable; stderr: Writable };
}

export interface SshCommandGlobals {
  verbose?: boolean;
}

/**
 * The command: the cluster from -f/--cluster, its machines and pinned keys from the
 * state. Resolves with ssh's exit status (the remote command's, or 255 for ssh errors).
 */
export async function run(node: string, command: string[] | undefined, options: ClusterSelector, globals: Partial<GlobalOptions>): Promise<number> {
  const io = ioFor(globals);
  const { config, stateDir, state } = await loadClusterWithState(options, globals, io);
  const session = await openSession({ config, stateDir, dryRun: true, globals, io, state });
  try {
    const ctx = contextFromState(session, io);
    // Keys met for the first time are trusted for this call only; a create run records them.
    return await sshToNode(node, command ?? [], { inventory: ctx.inventory, hostKeys: stateHostKeyStore(state) }, { verbose: globals.verbose });
  } finally {
    await session.close();
  }
}

/** ssh to a node of an inventory; resolves with ssh's exit status. */
export async function sshToNode(node: string, command: string[], options: SshNodeOptions, globals: SshCommandGlobals = {}): Promise<number> {
  const host = await findNode(options.inventory, node);
  const chain = host.ssh.via ? [host.ssh.via, host.ssh] : [host.ssh];
  const keys = await pinnedKeys(chain, options.hostKeys);

  const dir = await mkdtemp(join(tmpdir(), "kx-ssh-"));
  try {
    const knownHosts = join(dir, "known_hosts");
    await writeFile(knownHosts, chain.map((t, i) => `${alias(t, i, chain.length)} ${keys[i]}\n`).join(""), { mode: 0o600 });
    const config = join(dir, "config");
    await writeFile(config, sshConfig(chain, knownHosts, globals.verbose ?? false), { mode: 0o600 });
    const target = alias(host.ssh, chain.length - 1, chain.length);
    const args = ["-F", config, ...(command.length === 0 ? [] : ["-T"]), target, ...(command.length > 0 ? ["--", ...command] : [])];
    return await spawnSsh(options.sshBinary ?? "ssh", args, options.io);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function findNode(inventory: Inventory, node: string): Promise<NodeHost> {
  const all = [
    ...(await inventory.hosts("etcd")),
    ...(await inventory.hosts("control-plane")),
    ...(await inventory.hosts("worker")),
  ];
  const bastion = await inventory.bastion();
  if (bastion) all.push(bastion);
  const found = all.find((h) => h.name === node) ?? all.find((h) => h.nodeName === node || h.privateIp === node);
  if (found) return found;
  const names = [...new Set(all.map((h) => h.name))];
  throw new UsageError(
    `no node named ${node} in this cluster`,
    names.length > 0 ? `Known nodes: ${names.join(", ")}.` : "The cluster has no machines yet: run `kx create cluster` first.",
  );
}

/** The full OpenSSH key line of every hop, verified (and pinned on first contact) over ssh2. */
async function pinnedKeys(chain: SshTarget[], store: HostKeyStore): Promise<string[]> {
  const given = chain.map((t) => t.hostKey ?? store.get(t.name));
  if (given.every((k) => k !== undefined && !k.startsWith("SHA256:"))) return given.map((k) => keyOnly(k!));
  const pool = createSshPool({ hostKeys: store, connectRetries: 1 });
  try {
    const keys: string[] = [];
    for (const [i, target] of chain.entries()) {
      const hop = i === 0 ? target : { ...target, via: chain[0] };
      const session = await pool.session(hop);
      keys.push(await session.hostKey);
    }
    return keys;
  } finally {
    await pool.close();
  }
}

/** "ssh-ed25519 AAAA… comment" → "ssh-ed25519 AAAA…" (also drops a leading host pattern). */
function keyOnly(line: string): string {
  const fields = line.trim().split(/\s+/);
  const at = fields.findIndex((f) => /^(ssh-|ecdsa-|sk-)/.test(f));
  return fields.slice(at, at + 2).join(" ");
}

function alias(target: SshTarget, index: number, length: number): string {
  return index < length - 1 ? `kx-jump-${target.name}` : `kx-${target.name}`;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

function sshConfig(chain: SshTarget[], knownHosts: string, verbose: boolean): string {
  return chain
    .map((t, i) => {
      const name = alias(t, i, chain.length);
      const lines = [
        `Host ${name}`,
        `  HostName ${t.address}`,
        `  Port ${t.port}`,
        `  User ${t.user}`,
        `  IdentityFile "${expandHome(t.privateKeyFile)}"`,
        "  IdentitiesOnly yes",
        `  HostKeyAlias ${name}`,
        `  UserKnownHostsFile "${knownHosts}"`,
        "  GlobalKnownHostsFile /dev/null",
        "  StrictHostKeyChecking yes",
        "  UpdateHostKeys no",
        "  ServerAliveInterval 15",
        `  LogLevel ${verbose ? "VERBOSE" : "ERROR"}`,
      ];
      if (i > 0) lines.push(`  ProxyJump ${alias(chain[i - 1]!, i - 1, chain.length)}`);
      return lines.join("\n");
    })
    .join("\n\n")
    .concat("\n");
}

function spawnSsh(binary: string, args: string[], io?: SshNodeOptions["io"]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: io ? ["ignore", "pipe", "pipe"] : "inherit" });
    if (io) {
      child.stdout!.pipe(io.stdout, { end: false });
      child.stderr!.pipe(io.stderr, { end: false });
    }
    child.once("error", (e) => reject(new UsageError(`cannot run ${binary}: ${e.message}`, "Install the OpenSSH client (ssh).")));
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 255)));
  });
}
