// @ts-check
/**
 * Go's flag package as Packer's commands use it: "-name", "--name", "-name=value",
 * "-name value" for non-boolean flags, repeatable -var; parsing stops at the first
 * argument that is not a flag. An unknown flag is "flag provided but not defined".
 */

/** @typedef {{ bool?: string[], value?: string[], repeat?: string[] }} FlagSpec */

export class FlagError extends Error {}

/**
 * @param {string[]} args @param {FlagSpec} spec
 * @returns {{ flags: Record<string, string | boolean>, repeated: Record<string, string[]>, rest: string[] }}
 */
export function parseFlags(args, spec) {
  /** @type {Record<string, string | boolean>} */
  const flags = {};
  /** @type {Record<string, string[]>} */
  const repeated = {};
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    if (spec.bool?.includes(name)) {
      if (inline !== undefined && !["true", "false", "1", "0"].includes(inline)) throw new FlagError(`invalid boolean value "${inline}" for -${name}: parse error`);
      flags[name] = inline === undefined ? true : inline === "true" || inline === "1";
    } else if (spec.value?.includes(name) || spec.repeat?.includes(name)) {
      let value = inline;
      if (value === undefined) {
        if (i + 1 >= args.length) throw new FlagError(`flag needs an argument: -${name}`);
        value = args[++i];
      }
      if (spec.repeat?.includes(name)) (repeated[name] ??= []).push(value);
      else flags[name] = value;
    } else {
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
  }
  return { flags, repeated, rest: args.slice(i) };
}
