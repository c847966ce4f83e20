/**
 * The SSH connection pool: one connection per host for the whole run, reused by every
 * step; hosts behind a jump host are reached through the jump host's own pooled
 * connection (forwardOut, like `ssh -J`).
 */
import { connectWithRetry, type ConnectSettings } from "./connect.js";
import { recordHostKeyStore } from "./host-keys.js";
import { Limiter } from "./limiter.js";
import { PooledSession } from "./session.js";
import type { HostKeyStore, SshPool, SshPoolStats, SshSession, SshTarget } from "./types.js";

export interface SshPoolOptions {
  /** Keys pinned on first contact (the state's data.hostKeys); in-memory when omitted. */
  hostKeys?: HostKeyStore;
  /** Simultaneous commands/uploads over all hosts. */
  maxConcurrency?: number;
  /** Simultaneous connection attempts. */
  maxConnecting?: number;
  /** Attempts after the first, for errors a retry can fix (default 8, about a minute). */
  connectRetries?: number;
  connectBackoffMs?: number;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** Output lines of remote commands, already redacted (the progress view under --verbose). */
  onOutput?(host: string, line: string, label?: string): void;
  signal?: AbortSignal;
}

export interface KxSshPool extends SshPool {
  session(target: SshTarget): Promise<PooledSession>;
  stats(): SshPoolStats;
}

export function createSshPool(options: SshPoolOptions = {}): KxSshPool {
  const settings: ConnectSettings = {
    hostKeys: options.hostKeys ?? recordHostKeyStore(),
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: 4,
    retries: options.connectRetries ?? 8,
    backoffMs: options.connectBackoffMs ?? 1_000,
    signal: options.signal,
  };
  const limiter = new Limiter(options.maxConcurrency ?? 32);
  const connecting = new Limiter(options.maxConnecting ?? 16);
  const sessions = new Map<string, PooledSession>();
  const stats: SshPoolStats = { connections: {}, commands: {}, writes: {} };
  const bump = (counter: Record<string, number>, host: string) => {
    counter[host] = (counter[host] ?? 0) + 1;
  };

  const sessionOf = (target: SshTarget): PooledSession => {
    const key = targetKey(target);
    let session = sessions.get(key);
    if (session) return session;
    const jump = target.via ? sessionOf(target.via) : undefined;
    session = new PooledSession(target, {
      limiter,
      onOutput: options.onOutput,
      onCommand: (host, write) => {
        bump(stats.commands, host);
        if (write) bump(stats.writes, host);
      },
      connect: async () => {
        const connection = await connecting.run(() =>
          connectWithRetry(target, settings, jump ? () => jump.forward(target.address, target.port) : undefined),
        );
        bump(stats.connections, target.name);
        return connection;
      },
    });
    sessions.set(key, session);
    return session;
  };

  return {
    async session(target) {
      const session = sessionOf(target);
      await session.connection();
      return session;
    },
    async close() {
      // Hosts behind a jump host first: their streams run through its connection.
      const all = [...sessions.values()];
      await Promise.all(all.filter((s) => s.target.via).map((s) => s.close()));
      await Promise.all(all.filter((s) => !s.target.via).map((s) => s.close()));
      sessions.clear();
    },
    stats: () => structuredClone(stats),
  };
}

function targetKey(target: SshTarget): string {
  const self = `${target.name}=${target.user}@${target.address}:${target.port}`;
  return target.via ? `${self} via ${targetKey(target.via)}` : self;
}

export type { SshSession };
