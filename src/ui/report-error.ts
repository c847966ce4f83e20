/**
 * The one place where an error becomes a message and an exit code. User errors print
 * one clear message and what to do; internal errors add the stack under --verbose.
 */
import { EXIT, isKxError } from "../engine/errors.js";
import { redact } from "../engine/secret.js";

export interface ErrorReportOptions {
  output?: "text" | "json";
  verbose?: boolean;
  /** Path of the run's full log, named at the end of a failure message. */
  logFile?: string;
}

const logFiles = new WeakMap<object, string>();

/** Remembers the run log that holds the details of this error, named at the end of its message. */
export function attachLogFile(error: unknown, path: string | undefined): void {
  if (path && typeof error === "object" && error !== null) logFiles.set(error, path);
}

export function reportError(error: unknown, options: ErrorReportOptions = {}, stderr: NodeJS.WritableStream = process.stderr): number {
  const kx = isKxError(error) ? error : undefined;
  const exitCode = kx?.exitCode ?? EXIT.failure;
  const logFile = options.logFile ?? (typeof error === "object" && error !== null ? logFiles.get(error) : undefined);
  const message = redact(error instanceof Error ? error.message : String(error));
  if (options.output === "json") {
    const event = {
      type: "error",
      time: new Date().toISOString(),
      source: kx?.source ?? "internal",
      error: kx ? kx.name : "Error",
      message,
      hint: kx?.hint ? redact(kx.hint) : undefined,
      exitCode,
      log: logFile,
    };
    stderr.write(`${JSON.stringify(event)}\n`);
    return exitCode;
  }
  let text = `Error: ${message}\n`;
  if (kx?.hint) text += `${redact(kx.hint)}\n`;
  if (!kx || kx.source === "internal") {
    if (options.verbose && error instanceof Error && error.stack) text += `${redact(error.stack)}\n`;
    else if (!kx) text += "This looks like a bug in kx; run again with --verbose for details and report it.\n";
  }
  if (logFile) text += `Full log: ${logFile}\n`;
  stderr.write(text);
  return exitCode;
}
