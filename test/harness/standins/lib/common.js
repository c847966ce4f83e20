// @ts-check
/** What the three stand-ins share: their version, flag parsing, and failing loudly. */
export { installedVersion } from "./packages.js";

/** Parses `--a=b`, `--a b` and bare words; flags named in `booleans` take no value. */
export function parseArgs(argv, booleans = []) {
  const flags = {};
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      words.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!m || /^-\d/.test(arg)) {
      words.push(arg);
      continue;
    }
    const [, name, value] = m;
    if (value !== undefined) flags[name] = value;
    else if (booleans.includes(name)) flags[name] = "true";
    else flags[name] = argv[++i] ?? "";
  }
  return { flags, words };
}

export function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function minorOf(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`couldn't parse version "${version}"`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}
