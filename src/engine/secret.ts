/**
 * Secrets are a type: their string and JSON forms are masked, so a secret that slips
 * into a log line, an error or the state file shows as "***". Every secret's value is
 * also registered with the process-wide redactor, which scrubs it from any text that
 * is printed or logged (stderr tails of remote commands, SDK errors, ...).
 */
const MASK = "***";
const known = new Set<string>();

export class Secret<T extends string = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
    registerSecret(value);
  }
  /** The clear value. Call only where it leaves kx on purpose (SSM, a 0600 file, stdin). */
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return MASK;
  }
  toJSON(): string {
    return MASK;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Secret(${MASK})`;
  }
}

/** Remember a value that must never be printed. Short values are ignored (too many false hits). */
export function registerSecret(value: string): void {
  if (value.length < 6) return;
  known.add(value);
  // A PEM may be logged line by line: register each body line too.
  if (value.includes("\n")) {
    for (const line of value.split("\n")) if (line.length >= 24 && !line.startsWith("-----")) known.add(line);
  }
}

const PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, // kubeadm bootstrap tokens
  /(client-key-data|token|password|secret)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
];

/** Replace every known secret and anything that looks like one. */
export function redact(text: string): string {
  let out = text;
  for (const value of known) if (out.includes(value)) out = out.split(value).join(MASK);
  out = out.replace(PATTERNS[0]!, "-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----");
  out = out.replace(PATTERNS[1]!, MASK);
  out = out.replace(PATTERNS[2]!, (_m, key: string, sep: string) => `${key}${sep}${MASK}`);
  return out;
}

/** True when the text holds a registered secret value (used to refuse writing it to the state). */
export function containsKnownSecret(text: string): boolean {
  for (const value of known) if (text.includes(value)) return true;
  return false;
}
