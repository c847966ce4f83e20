/**
 * Opening one authenticated SSH connection, with retries and backoff for what a retry
 * can fix (a booting machine refusing or timing out) and none for what it cannot: a
 * wrong key, a changed host key, an unreadable key file.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import type { Duplex } from "node:stream";
import { Client, type ConnectConfig } from "ssh2";
import { HostKeyError, isKxError, SshError } from "../engine/errors.js";
import { redact } from "../engine/secret.js";
import { hostKeyCheck } from "./host-keys.js";
import type { HostKeyStore, SshTarget } from "./types.js";

export interface ConnectSettings {
  hostKeys: HostKeyStore;
  /** Handshake + authentication deadline of one attempt. */
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Attempts after the first one, for errors a retry can fix. */
  retries: number;
  /** First pause between attempts; doubled each time, capped at 10 s. */
  backoffMs: number;
  signal?: AbortSignal;
}

export interface Connection {
  client: Client;
  /** The host key the server presented (OpenSSH line), verified. */
  hostKey: string;
  /** False once the connection dropped or was closed. */
  alive: boolean;
}

/** A failure no retry can fix. */
class Fatal extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

/**
 * Connects with retries. `transport` opens the byte stream when the connection goes
 * through a jump host (it is called again for every attempt).
 */
export async function connectWithRetry(
  target: SshTarget,
  settings: ConnectSettings,
  transport?: () => Promise<Duplex>,
): Promise<Connection> {
  const privateKey = await readPrivateKey(target);
  let delay = settings.backoffMs;
  let last: unknown;
  for (let attempt = 0; attempt <= settings.retries; attempt++) {
    if (attempt > 0) {
      await sleep(delay, settings.signal);
      delay = Math.min(delay * 2, 10_000);
    }
    try {
      return await connectOnce(target, settings, privateKey, transport);
    } catch (e) {
      if (e instanceof Fatal) throw e.error;
      last = e;
      if (settings.signal?.aborted) break;
    }
  }
  const where = target.via ? ` through ${target.via.name}` : "";
  throw new SshError(target.name, `cannot connect to ${target.address}:${target.port}${where}: ${describe(last)}`, {
    source: "user",
    hint: `Check that the host is up and that port ${target.port} is reachable${where}.`,
    cause: last,
  });
}

function connectOnce(
  target: SshTarget,
  settings: ConnectSettings,
  privateKey: Buffer,
  transport?: () => Promise<Duplex>,
): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const check = hostKeyCheck(target, settings.hostKeys);
    const client = new Client();
    let tunnel: Duplex | undefined;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      client.end();
      reject(error);
    };
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      client.off("end", cutOff);
      check.commit();
      const connection: Connection = { client, hostKey: check.presented ?? "", alive: true };
      const dead = () => {
        connection.alive = false;
      };
      client.on("close", dead);
      // The peer went away. Over a forwarded stream the socket never closes by itself, and
      // ssh2 fails pending channel requests only on close: close it.
      client.on("end", () => {
        dead();
        client.destroy();
        tunnel?.destroy();
      });
      client.on("error", dead); // after ready: a dropped connection; the next command reconnects
      resolve(connection);
    });
    client.on("error", (err: Error & { level?: string }) => {
      if (check.mismatch) {
        fail(new Fatal(new HostKeyError(target.name, check.mismatch.expected, check.mismatch.got)));
      } else if (err.level === "client-authentication") {
        fail(
          new Fatal(
            new SshError(target.name, `authentication failed for user ${target.user} with the key ${target.privateKeyFile}`, {
              source: "user",
              hint: "Check ssh.user and ssh.privateKeyFile (or the host's user/keyFile): the host does not accept this key.",
            }),
          ),
        );
      } else {
        fail(err);
      }
    });
    // ssh2 stops its ready timer when the socket ends, and a forwarded stream that ends
    // never closes by itself: without these an attempt cut off mid-handshake never settles.
    const cutOff = () => {
      tunnel?.destroy();
      fail(new Error("connection closed during the handshake"));
    };
    client.once("close", cutOff);
    client.once("end", cutOff);
    const deadline = setTimeout(() => {
      tunnel?.destroy();
      fail(new Error(`no SSH handshake within ${Math.round(settings.readyTimeoutMs / 1000)} s`));
    }, settings.readyTimeoutMs + 5_000);

    const config: ConnectConfig = {
      host: target.address,
      port: target.port,
      username: target.user,
      privateKey,
      readyTimeout: settings.readyTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: settings.keepaliveCountMax,
      hostVerifier: (key: Buffer) => check.verify(key),
    };
    if (!transport) {
      client.connect(config);
      return;
    }
    transport().then(
      (sock) => {
        tunnel = sock;
        client.connect({ ...config, sock });
      },
      // The jump host's own connect already retried what can be retried.
      (e: unknown) => fail(isKxError(e) ? new Fatal(e) : e instanceof Error ? e : new Error(String(e))),
    );
  });
}

const keyCache = new Map<string, Promise<Buffer>>();

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

async function readPrivateKey(target: SshTarget): Promise<Buffer> {
  const path = expandHome(target.privateKeyFile);
  let pending = keyCache.get(path);
  if (!pending) {
    pending = readFile(path);
    keyCache.set(path, pending);
    pending.catch(() => keyCache.delete(path));
  }
  let key: Buffer;
  try {
    key = await pending;
  } catch (e) {
    throw new SshError(target.name, `cannot read the SSH private key ${target.privateKeyFile}: ${describe(e)}`, {
      source: "user",
      hint: "Set ssh.privateKeyFile (or the host's keyFile) to a readable private key.",
    });
  }
  if (/ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(key.toString("latin1", 0, 200)) || isEncryptedOpenSshKey(key)) {
    throw new SshError(target.name, `the SSH private key ${target.privateKeyFile} is protected by a passphrase`, {
      source: "user",
      hint: "kx needs an unencrypted key file (keep it 0600), e.g. a dedicated deploy key.",
    });
  }
  return key;
}

/** An "openssh-key-v1" key whose cipher is not "none". */
function isEncryptedOpenSshKey(key: Buffer): boolean {
  const text = key.toString("utf8");
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(text)?.[1];
  if (!body) return false;
  const blob = Buffer.from(body.replace(/\s+/g, ""), "base64");
  const magic = "openssh-key-v1\0";
  if (blob.toString("latin1", 0, magic.length) !== magic) return false;
  const cipherLength = blob.readUInt32BE(magic.length);
  return blob.toString("latin1", magic.length + 4, magic.length + 4 + cipherLength) !== "none";
}

export function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return redact(code && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  return redact(String(e));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
