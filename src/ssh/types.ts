/** The SSH layer's contract, used by host steps through ctx.ssh. */
import type { Secret } from "../engine/secret.js";

export interface SshTarget {
  /** Name used in messages and as the key of the pinned host key. */
  name: string;
  address: string;
  port: number;
  user: string;
  /** Path of the private key file (~ expanded by the pool). */
  privateKeyFile: string;
  /**
   * The host key this host must present, as an OpenSSH public key line
   * ("ssh-ed25519 AAAA...") or a fingerprint ("SHA256:..."). When absent the key is
   * pinned on first contact through the pool's HostKeyStore.
   */
  hostKey?: string;
  /** Jump host: the connection is forwarded through it (ssh -J). */
  via?: SshTarget;
}

export interface ExecOptions {
  sudo?: boolean;
  timeoutMs?: number;
  /** Fed to the command's stdin (secrets go here, never on the command line). */
  stdin?: string | Secret;
  /** Return a non-zero exit instead of throwing SshError. */
  allowFailure?: boolean;
  /** Label for the progress view ("kubeadm init"). */
  label?: string;
  /** The command only reads (facts for a plan): not counted as a write. */
  readOnly?: boolean;
  /**
   * The command is idempotent: when the connection drops while it runs (or the server
   * closes its channel without an exit status), run it again once, reconnecting if
   * needed. Otherwise SshConnectionLostError / SshError: its outcome is unknown.
   */
  retryOnDisconnect?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface UploadOptions {
  mode: number;
  owner?: string;
}

export interface SshSession {
  readonly target: SshTarget;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Atomic on the remote side: written to a temp file in the same directory, then renamed. */
  upload(path: string, content: string | Buffer | Secret, options: UploadOptions): Promise<void>;
  /** undefined when the file does not exist. */
  readFile(path: string, options?: { sudo?: boolean }): Promise<string | undefined>;
  /** The host key the host presented (OpenSSH line), verified; connects if needed. */
  readonly hostKey?: Promise<string>;
}

/** What a pool did, for tests and the run summary. */
export interface SshPoolStats {
  /** Connections opened per host name (1 per host for a run without drops). */
  connections: Record<string, number>;
  /** Commands and uploads per host name. */
  commands: Record<string, number>;
  /** Commands not marked readOnly, and uploads, per host name. */
  writes: Record<string, number>;
}

export interface SshPool {
  /** The one session of this host, connected on first use and reconnected if dropped. */
  session(target: SshTarget): Promise<SshSession>;
  close(): Promise<void>;
  /** Counters since the pool was created. */
  stats?(): SshPoolStats;
}

/** Where keys pinned on first contact are kept (the state file, via the workflow). */
export interface HostKeyStore {
  get(hostName: string): string | undefined;
  pin(hostName: string, key: string): void;
}
