/**
 * Typed errors. Every error kx raises on purpose is a KxError; the launcher maps
 * `exitCode` to the process exit status in one place (src/cli.ts → bin/kx.js).
 * Errors are recognised by a brand, not instanceof, so copies of this module loaded
 * twice (tests, bundlers) still agree.
 */
export type ErrorSource = "user" | "internal";

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

const BRAND = Symbol.for("kx.error");

export interface KxErrorOptions {
  source?: ErrorSource;
  exitCode?: number;
  /** What the user can do about it; printed after the message. */
  hint?: string;
  cause?: unknown;
}

export class KxError extends Error {
  readonly [BRAND] = true;
  readonly source: ErrorSource;
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: KxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.source = options.source ?? "internal";
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.hint = options.hint;
  }
}

export function isKxError(e: unknown): e is KxError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** Bad flags or arguments. Nothing was touched. */
export class UsageError extends KxError {
  constructor(message: string, hint?: string) {
    super(message, { source: "user", exitCode: EXIT.usage, hint });
  }
}

export interface ConfigIssue {
  /** YAML path, e.g. "workers.min" or "hosts[2].address" */
  path: string;
  message: string;
  /** 1-based line in the file, when known */
  line?: number;
}

/** An invalid cluster config: every problem at once. Nothing was touched. */
export class ConfigError extends KxError {
  readonly issues: ConfigIssue[];
  readonly file?: string;
  constructor(issues: ConfigIssue[], file?: string) {
    const where = file ? ` in ${file}` : "";
    const lines = issues.map((i) => `  - ${i.path || "(root)"}${i.line ? ` (line ${i.line})` : ""}: ${i.message}`);
    super(`${issues.length} problem${issues.length === 1 ? "" : "s"}${where}:\n${lines.join("\n")}`, {
      source: "user",
      exitCode: EXIT.usage,
      hint: "Fix the fields listed above; `kx schema` prints the JSON Schema of the config for your editor.",
    });
    this.issues = issues;
    this.file = file;
  }
}

/** Missing or expired credentials, an unknown region: nothing was created. */
export class CredentialsError extends KxError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { source: "user", exitCode: EXIT.usage, hint, cause });
  }
}

/** An AWS API call failed; names the resource and the AWS error code. */
export class AwsError extends KxError {
  readonly code: string;
  readonly resource?: string;
  constructor(message: string, code: string, resource?: string, options: KxErrorOptions = {}) {
    super(`${message}${resource ? ` (${resource})` : ""}: ${code}`, options);
    this.code = code;
    this.resource = resource;
  }
}

/** A remote command or connection failed; names the host, the command and stderr's tail. */
export class SshError extends KxError {
  readonly host: string;
  readonly command?: string;
  readonly remoteExitCode?: number;
  readonly stderrTail?: string;
  constructor(
    host: string,
    message: string,
    details: { command?: string; exitCode?: number; stderrTail?: string } & KxErrorOptions = {},
  ) {
    const tail = details.stderrTail ? `\n${indent(details.stderrTail)}` : "";
    super(`${host}: ${message}${tail}`, details);
    this.host = host;
    this.command = details.command;
    this.remoteExitCode = details.exitCode;
    this.stderrTail = details.stderrTail;
  }
}

/** A host presented a key other than the pinned one. Never retried. */
export class HostKeyError extends KxError {
  constructor(host: string, expected: string, got: string) {
    super(
      `${host}: the host key changed (expected ${expected}, got ${got}). ` +
        "This may be an attack (someone intercepting the connection), so kx stopped.",
      {
        source: "user",
        exitCode: EXIT.failure,
        hint:
          `If the machine was really replaced or reinstalled, forget its old key with ` +
          `\`kx forget-host-key ${host}\` (or remove hostKey from its entry in the config) and run again.`,
      },
    );
  }
}

/** A step failed; wraps the cause with the step id. */
export class StepError extends KxError {
  readonly stepId: string;
  constructor(stepId: string, cause: unknown) {
    const inner = cause instanceof Error ? cause.message : String(cause);
    super(`step ${stepId} failed: ${inner}`, {
      cause,
      source: isKxError(cause) ? cause.source : "internal",
      exitCode: isKxError(cause) && cause.exitCode !== EXIT.usage ? cause.exitCode : EXIT.failure,
      hint: isKxError(cause) ? cause.hint : undefined,
    });
    this.stepId = stepId;
  }
}

/** SIGINT/SIGTERM: in-flight work finished, state saved. */
export class InterruptedError extends KxError {
  constructor(message = "interrupted; the state was saved, run the same command again to resume") {
    super(message, { source: "user", exitCode: EXIT.interrupted });
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
