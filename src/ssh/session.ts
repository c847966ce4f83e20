/**
 * The one session of a host: connects on first use, reconnects once for the next command
 * when the connection dropped, runs commands (sudo, stdin, timeout, streamed output) and
 * writes files atomically.
 */
import { createHash, randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { Duplex } from "node:stream";
import type { ClientChannel, SFTPWrapper } from "ssh2";
import { SshError } from "../engine/errors.js";
import { redact, Secret } from "../engine/secret.js";
import { describe, type Connection } from "./connect.js";
import { Limiter } from "./limiter.js";
import { remoteCommand, shellQuote } from "./shell.js";
import type { ExecOptions, ExecResult, SshSession, SshTarget, UploadOptions } from "./types.js";

/**
 * OpenSSH allows 10 sessions per connection by default (MaxSessions) and frees one a
 * little after its channel closed: stay well below (a refused open is retried anyway).
 */
const CHANNELS_PER_CONNECTION = 4;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const STDERR_TAIL_LINES = 20;

export interface SessionHooks {
  /** Opens a fresh connection (with retries). */
  connect(): Promise<Connection>;
  /** Bounds the pool's simultaneous commands. */
  limiter: Limiter;
  /** Every output line, redacted. */
  onOutput?(host: string, line: string, label?: string): void;
  /** Called for every command and upload, `write` false for read-only commands. */
  onCommand?(host: string, write: boolean): void;
}

/** The connection went away while a command ran: its outcome is unknown. */
export class SshConnectionLostError extends SshError {
  constructor(host: string, command: string) {
    super(host, `the connection dropped while running: ${redact(command)}`, { command: redact(command) });
  }
}

/** The connection was found dead before the command started: safe to run it on a new one. */
class NotStartedError extends SshConnectionLostError {}

/** The server refused a new channel (no free session slot): nothing ran. */
class ChannelRefusedError extends SshError {
  constructor(host: string, command: string) {
    super(host, `the server refused a new session for: ${redact(command)}`, { command: redact(command) });
  }
}

/** The server closed the command's channel without an exit status (its session process died). */
class NoExitStatusError extends SshError {}

export class PooledSession implements SshSession {
  #connection?: Promise<Connection>;
  #sftpChannel?: { connection: Connection; sftp: Promise<SFTPWrapper> };
  readonly #channels = new Limiter(CHANNELS_PER_CONNECTION);
  #closed = false;

  constructor(
    readonly target: SshTarget,
    private readonly hooks: SessionHooks,
  ) {}

  /** The verified host key of the current connection. */
  get hostKey(): Promise<string> {
    return this.connection().then((c) => c.hostKey);
  }

  /** The live connection, reconnecting when the last one dropped. */
  async connection(): Promise<Connection> {
    if (this.#closed) throw new SshError(this.target.name, "the SSH pool was closed");
    const current = this.#connection && (await this.#connection.catch(() => undefined));
    if (current?.alive) return current;
    if (current) this.hooks.onOutput?.(this.target.name, "the connection dropped; reconnecting");
    current?.client.end();
    const next = this.hooks.connect();
    this.#connection = next;
    next.catch(() => {
      if (this.#connection === next) this.#connection = undefined;
    });
    return next;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.hooks.onCommand?.(this.target.name, !options.readOnly);
    return this.hooks.limiter.run(() => this.#channels.run(() => this.#execWithReconnect(command, options)));
  }

  async #execOnFreeSlot(command: string, options: ExecOptions): Promise<ExecResult> {
    for (let refused = 0; ; refused++) {
      try {
        return await this.#execOnce(command, options);
      } catch (e) {
        // The server had no free session slot yet: nothing ran, try again shortly.
        if (!(e instanceof ChannelRefusedError) || refused >= 5) throw e;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** refused));
      }
    }
  }

  async #execWithReconnect(command: string, options: ExecOptions): Promise<ExecResult> {
    try {
      return await this.#execOnFreeSlot(command, options);
    } catch (e) {
      const unknownOutcome = e instanceof SshConnectionLostError || e instanceof NoExitStatusError;
      const retry = e instanceof NotStartedError || (unknownOutcome && options.retryOnDisconnect);
      if (!retry) throw e;
      this.hooks.onOutput?.(this.target.name, `${(e as Error).message}; running it again`, options.label);
      return this.#execOnFreeSlot(command, options);
    }
  }

  async #execOnce(command: string, options: ExecOptions): Promise<ExecResult> {
    const connection = await this.connection();
    const line = remoteCommand(command, { sudo: options.sudo, user: this.target.user });
    const result = await this.#run(connection, command, options, (cb) => connection.client.exec(line, cb));
    if (result.code !== 0 && !options.allowFailure) {
      throw new SshError(this.target.name, `command failed with exit code ${result.code}: ${redact(options.label ?? command)}`, {
        command: redact(command),
        exitCode: result.code,
        stderrTail: tail(result.stderr || result.stdout),
      });
    }
    return result;
  }

  /**
   * Opens a channel and collects the command's result. The listeners go on in the open
   * callback itself: ssh2 may deliver the exit status in the same read as the open
   * confirmation, and an 'exit' event with no listener yet is lost.
   */
  #run(
    connection: Connection,
    command: string,
    options: ExecOptions,
    open: (cb: (err: Error | undefined, channel: ClientChannel) => void) => void,
  ): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      try {
        open((err, channel) => {
          if (err) return reject(this.#openError(connection, command, err));
          this.#collect(connection, channel, command, options).then(resolve, reject);
        });
      } catch (e) {
        reject(this.#openError(connection, command, e));
      }
    });
  }

  /** A connection found dead when opening is marked so: nothing ran yet. */
  #openError(connection: Connection, command: string, e: unknown): Error {
    if (connection.alive && /open failed/i.test(describe(e))) return new ChannelRefusedError(this.target.name, command);
    if (connection.alive && !/Not connected|No response|ECONNRESET|closed/i.test(describe(e))) {
      return new SshError(this.target.name, `cannot start the command (${describe(e)}): ${redact(command)}`, { command: redact(command) });
    }
    connection.alive = false;
    return new NotStartedError(this.target.name, command);
  }

  #collect(connection: Connection, channel: ClientChannel, command: string, options: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const streamer = lineStreamer((l) => this.hooks.onOutput?.(this.target.name, redact(l), options.label));
      let code: number | undefined;
      let signal: string | undefined;
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        try {
          channel.signal("KILL");
        } catch {
          // best effort: not every server delivers signals
        }
        channel.close();
        reject(
          new SshError(this.target.name, `command timed out after ${Math.round(timeoutMs / 1000)} s: ${redact(options.label ?? command)}`, {
            command: redact(command),
            stderrTail: tail(Buffer.concat(err).toString("utf8")),
          }),
        );
      }, timeoutMs);
      channel.on("data", (d: Buffer) => {
        out.push(d);
        streamer.push(d);
      });
      channel.stderr.on("data", (d: Buffer) => {
        err.push(d);
        streamer.push(d);
      });
      channel.on("exit", (c: number | null, sig?: string) => {
        if (typeof c === "number") code = c;
        else signal = sig ?? "unknown signal";
      });
      channel.on("close", () => {
        clearTimeout(timer);
        streamer.flush();
        const stdout = Buffer.concat(out).toString("utf8");
        const stderr = Buffer.concat(err).toString("utf8");
        if (settled) {
          return;
        } else if (code !== undefined) {
          resolve({ code, stdout, stderr });
        } else if (signal !== undefined) {
          resolve({ code: 128 + signalNumber(signal), stdout, stderr: `${stderr}\nkilled by signal ${signal}` });
        } else {
          // No exit status: the connection went away under the command, or the server
          // closed this one channel. Give the connection's own close a moment to arrive.
          const settle = () => {
            clearTimeout(grace);
            connection.client.off("close", settle);
            connection.client.off("end", settle);
            if (!connection.alive) return reject(new SshConnectionLostError(this.target.name, command));
            reject(new NoExitStatusError(this.target.name, `the command ended without an exit status: ${redact(options.label ?? command)}`, {
              command: redact(command),
              stderrTail: tail(stderr),
            }));
          };
          const grace = setTimeout(settle, 1_000);
          connection.client.once("close", settle);
          connection.client.once("end", settle);
        }
      });
      const input = options.stdin instanceof Secret ? options.stdin.reveal() : options.stdin;
      channel.end(input ?? undefined);
    });
  }

  async upload(path: string, content: string | Buffer | Secret, options: UploadOptions): Promise<void> {
    this.hooks.onCommand?.(this.target.name, true);
    const data = content instanceof Secret ? Buffer.from(content.reveal()) : Buffer.from(content);
    const run = () => this.hooks.limiter.run(() => this.#channels.run(() => this.#upload(path, data, options)));
    try {
      await run();
    } catch (e) {
      // An upload is idempotent (temp file + rename): run it again on a fresh connection.
      if (!(e instanceof SshConnectionLostError)) throw e;
      await run();
    }
  }

  /**
   * SFTP writes the content to a private staging file (0600) in the login user's home;
   * one command (through sudo unless root) then installs it with its mode and owner as
   * a temp file next to the target and renames it over the target: atomic on the remote
   * side, and the same whether kx logs in as root or as a sudoer.
   */
  async #upload(path: string, data: Buffer, options: UploadOptions): Promise<void> {
    const dir = posix.dirname(path);
    const suffix = randomBytes(6).toString("hex");
    const connection = await this.connection();
    // Named after the target: a retry after a drop overwrites (and then removes) the
    // staging file an interrupted attempt may have left, rather than leaking a copy.
    const staging = `${await this.#home(connection)}/.kx-upload-${createHash("sha256").update(path).digest("hex").slice(0, 16)}`;
    await this.#sftpWrite(connection, staging, data);
    const mode = options.mode.toString(8).padStart(4, "0");
    const [user, group = user] = (options.owner ?? "root").split(":");
    const temp = `${dir}/.${posix.basename(path)}.kx-${suffix}`;
    const q = shellQuote;
    const command =
      `trap 'rm -f ${q(staging)} ${q(temp)}' EXIT; mkdir -p ${q(dir)} && ` +
      `install -m ${mode} -o ${q(user!)} -g ${q(group!)} ${q(staging)} ${q(temp)} && mv -f ${q(temp)} ${q(path)}`;
    await this.#execOnce(command, { sudo: true, label: `write ${path}` });
  }

  async #openSftp(connection: Connection): Promise<SFTPWrapper> {
    if (this.#sftpChannel?.connection !== connection) {
      const sftp = new Promise<SFTPWrapper>((resolve, reject) =>
        connection.client.sftp((err, s) => (err ? reject(err) : resolve(s))),
      );
      sftp.catch(() => undefined);
      this.#sftpChannel = { connection, sftp };
    }
    try {
      return await this.#sftpChannel.sftp;
    } catch (e) {
      this.#sftpChannel = undefined;
      if (!connection.alive || /Not connected|No response|closed/i.test(describe(e))) {
        connection.alive = false;
        throw new SshConnectionLostError(this.target.name, "sftp");
      }
      throw new SshError(this.target.name, `cannot open SFTP: ${describe(e)}`);
    }
  }

  async #sftpWrite(connection: Connection, path: string, data: Buffer): Promise<void> {
    const sftp = await this.#openSftp(connection);
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(path, data, { mode: 0o600 }, (err) => {
        if (!err) return resolve();
        if (!connection.alive) return reject(new SshConnectionLostError(this.target.name, `write ${path}`));
        reject(new SshError(this.target.name, `cannot write ${path}: ${describe(err)}`));
      }),
    );
  }

  #homeDir?: Promise<string>;
  async #home(connection: Connection): Promise<string> {
    const sftp = await this.#openSftp(connection);
    this.#homeDir ??= new Promise<string>((resolve, reject) => sftp.realpath(".", (err, p) => (err ? reject(err) : resolve(p))));
    return this.#homeDir.catch((e: unknown) => {
      this.#homeDir = undefined;
      throw new SshError(this.target.name, `cannot find the login user's home directory: ${describe(e)}`);
    });
  }

  async readFile(path: string, options: { sudo?: boolean } = {}): Promise<string | undefined> {
    const q = shellQuote(path);
    const result = await this.exec(`if [ -e ${q} ]; then cat ${q}; else exit 44; fi`, {
      sudo: options.sudo,
      readOnly: true,
      allowFailure: true,
      retryOnDisconnect: true,
      label: `read ${path}`,
    });
    if (result.code === 44) return undefined;
    if (result.code !== 0) {
      throw new SshError(this.target.name, `cannot read ${path}`, { exitCode: result.code, stderrTail: tail(result.stderr) });
    }
    return result.stdout;
  }

  /** Opens a TCP stream from this host to address:port (the bastion hop). */
  async forward(address: string, port: number): Promise<Duplex> {
    const connection = await this.connection();
    return new Promise((resolve, reject) =>
      connection.client.forwardOut("127.0.0.1", 0, address, port, (err, stream) =>
        err ? reject(new Error(`${this.target.name} could not open a tunnel to ${address}:${port}: ${describe(err)}`)) : resolve(stream),
      ),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connection = await this.#connection?.catch(() => undefined);
    if (connection?.alive) {
      await new Promise<void>((resolve) => {
        connection.client.once("close", () => resolve());
        connection.client.end();
        setTimeout(resolve, 2_000).unref();
      });
    }
  }
}

function tail(text: string): string {
  return redact(text.trimEnd().split("\n").slice(-STDERR_TAIL_LINES).join("\n"));
}

function lineStreamer(emit: (line: string) => void) {
  let partial = "";
  return {
    push(chunk: Buffer) {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) emit(l);
    },
    flush() {
      if (partial) emit(partial);
      partial = "";
    },
  };
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, ABRT: 6, KILL: 9, SEGV: 11, PIPE: 13, TERM: 15 };
function signalNumber(name: string): number {
  return SIGNALS[name.replace(/^SIG/, "")] ?? 0;
}
