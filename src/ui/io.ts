/**
 * The IO layer: every line kx prints goes through one Io. It alone decides stdout vs
 * stderr, colours, TTY vs CI, text vs JSON, and it copies everything (verbose, redacted)
 * into the run's log file. Steps never print; they log through ctx.log, which the
 * runner turns into events that reach Io.event().
 */
import type { RunnerEvent } from "../engine/events.js";
import { redact } from "../engine/secret.js";
import { LogFile } from "./log-file.js";
import { colours, type Colours } from "./colours.js";

export type OutputMode = "tty" | "plain" | "json";

export interface IoOptions {
  output?: "text" | "json";
  verbose?: boolean;
  color?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

/** Renders runner events: listr2 on a TTY, plain lines in CI, JSON lines with -o json. */
export interface ProgressRenderer {
  event(e: RunnerEvent): void;
  /** Stops live redrawing (before a prompt or the final summary). */
  stop(): Promise<void>;
}

export class Io {
  readonly mode: OutputMode;
  readonly verbose: boolean;
  readonly c: Colours;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  #log?: LogFile;
  #renderer?: ProgressRenderer;

  constructor(options: IoOptions = {}) {
    const env = options.env ?? process.env;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.verbose = options.verbose ?? false;
    // "On some CI systems output still reports as a TTY": CI=true forces plain lines.
    const interactive = Boolean(this.stdout.isTTY) && !isCi(env) && env.TERM !== "dumb";
    this.mode = options.output === "json" ? "json" : interactive ? "tty" : "plain";
    const colour = options.color !== false && env.NO_COLOR === undefined && this.mode === "tty";
    this.c = colours(colour);
  }

  /** Whether kx may ask questions: a terminal, not CI. */
  get interactive(): boolean {
    return this.mode === "tty";
  }

  /** Copies everything printed from now on (plus debug lines) into a log file. */
  async openLog(path: string): Promise<void> {
    this.#log = await LogFile.open(path);
  }

  get logPath(): string | undefined {
    return this.#log?.path;
  }

  /** The primary result of a command (a report, a schema): stdout, as is. */
  result(text: string): void {
    this.#log?.line(text);
    this.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A structured result in JSON mode. */
  json(value: unknown): void {
    // Redacted string by string: masking the serialised line can swallow a JSON escape and break the line.
    const line = JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? redact(v) : v));
    this.#log?.line(line);
    this.stdout.write(`${line}\n`);
  }

  info(message: string): void {
    this.#say("info", message);
  }
  warn(message: string): void {
    this.#say("warn", message);
  }
  debug(message: string): void {
    this.#say("debug", message);
  }

  #say(level: "info" | "warn" | "debug", message: string): void {
    const text = redact(message);
    this.#log?.line(`${level.toUpperCase()} ${text}`);
    if (level === "debug" && !this.verbose) return;
    if (this.mode === "json") {
      this.stdout.write(`${JSON.stringify({ type: "message", time: new Date().toISOString(), level, message: text })}\n`);
      return;
    }
    const prefix = level === "warn" ? this.c.yellow("warning: ") : level === "debug" ? this.c.dim("debug: ") : "";
    (level === "warn" ? this.stderr : this.stdout).write(`${prefix}${text}\n`);
  }

  /** Progress of a run; the renderer is chosen from the mode on first use. */
  async progress(factory: (io: Io) => ProgressRenderer | Promise<ProgressRenderer>): Promise<void> {
    this.#renderer = await factory(this);
  }

  event(e: RunnerEvent): void {
    this.#log?.line(JSON.stringify(e, (k, v) => (k === "cause" ? undefined : v)));
    this.#renderer?.event(e);
  }

  async stopProgress(): Promise<void> {
    await this.#renderer?.stop();
    this.#renderer = undefined;
  }

  async close(): Promise<void> {
    await this.stopProgress();
    await this.#log?.close();
  }
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
}
