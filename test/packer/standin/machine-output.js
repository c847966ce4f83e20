// @ts-check
/**
 * Packer's UI in both forms: human lines, or with -machine-readable
 * "timestamp,target,type,data…" lines with commas escaped as %!(PACKER_COMMA) and
 * newlines as a literal "\n".
 */
export function escapeField(s) {
  return String(s).replaceAll(",", "%!(PACKER_COMMA)").replaceAll("\r", "\\r").replaceAll("\n", "\\n");
}

/** @param {boolean} machine @param {NodeJS.WritableStream} [out] */
export function createUi(machine, out = process.stdout) {
  const now = () => Math.floor(Date.now() / 1000);
  /** @param {string} target @param {string} type @param {...(string|number)} data */
  const line = (target, type, ...data) => {
    if (machine) out.write(`${now()},${target},${type},${data.map(escapeField).join(",")}\n`);
  };
  return {
    machine,
    line,
    /** @param {string} text */
    say(text) {
      if (machine) line("", "ui", "say", text);
      else out.write(`${text}\n`);
    },
    /** @param {string} text */
    message(text) {
      if (machine) line("", "ui", "message", text);
      else out.write(`${text}\n`);
    },
    /** @param {string} text */
    error(text) {
      if (machine) line("", "ui", "error", text);
      else process.stderr.write(`${text}\n`);
    },
  };
}
