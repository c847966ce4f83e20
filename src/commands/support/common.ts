/** Plumbing every command shares: its Io, the state directory, the config it acts on. */
import { homedir } from "node:os";
import { join } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import type { GlobalOptions } from "../../cli.js";
import { KxError, UsageError } from "../../engine/errors.js";
import { LocalStateStore } from "../../engine/state.js";
import { expandHome, loadConfigFile, type ParsedConfig } from "../../config/load.js";
import { Io } from "../../ui/io.js";

export function ioFor(globals: Partial<GlobalOptions>): Io {
  return new Io({ output: globals.output, verbose: globals.verbose, color: globals.color });
}

/** ~/.kx/<cluster>, or --state-dir / KX_STATE_DIR. */
export function stateDirFor(globals: Partial<GlobalOptions>, cluster: string): string {
  return globals.stateDir ? expandHome(globals.stateDir) : join(homedir(), ".kx", cluster);
}

export function kxVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export interface ClusterSelector {
  file?: string;
  cluster?: string;
}

/**
 * The config a day-2 command acts on: `-f FILE`, or `--cluster NAME` (the config saved
 * next to that cluster's state by the last create), or the only config in --state-dir.
 */
export async function loadSelectedConfig(selector: ClusterSelector, globals: Partial<GlobalOptions>, io: Io): Promise<ParsedConfig> {
  let file = selector.file;
  if (!file && selector.cluster) {
    file = join(stateDirFor(globals, selector.cluster), "config.yaml");
    if (!existsSync(file)) {
      throw new UsageError(
        `no cluster named ${selector.cluster}: ${file} does not exist`,
        "Give the config with -f FILE, or --state-dir if the cluster's state lives elsewhere.",
      );
    }
  }
  if (!file && globals.stateDir) file = join(expandHome(globals.stateDir), "config.yaml");
  if (!file) throw new UsageError("which cluster? give the config with -f FILE or the cluster's name with --cluster NAME");
  const parsed = await loadConfigFile(file);
  for (const w of parsed.warnings) io.warn(`${w.path}${w.line ? ` (line ${w.line})` : ""}: ${w.message}`);
  return parsed;
}

/** "a,b" and ["a", "b,c"] → ["a", "b", "c"]. */
export function splitList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

/** The config and saved state of an existing cluster, for day-2 commands; no state is a user error. */
export async function loadClusterWithState(selector: ClusterSelector, globals: Partial<GlobalOptions>, io: Io) {
  const { config } = await loadSelectedConfig(selector, globals, io);
  const stateDir = stateDirFor(globals, config.name);
  const state = await new LocalStateStore(stateDir, { warn: (m) => io.warn(m) }).load();
  if (!state) {
    throw new KxError(`cluster ${config.name} has no state in ${stateDir}: it was never created`, {
      source: "user",
      hint: "Create it with `kx create cluster -f FILE`, or point --state-dir at its state directory.",
    });
  }
  return { config, stateDir, state };
}
