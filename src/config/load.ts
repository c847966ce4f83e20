/**
 * Reads a cluster config: YAML with its node positions kept, so every problem (syntax,
 * unknown keys, wrong types, cross-field rules) is reported at once with its YAML path
 * and line, as one ConfigError (exit code 2, nothing touched).
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError, UsageError, type ConfigIssue } from "../engine/errors.js";
import { configWarnings, formatPath, type ConfigWarning } from "./rules.js";
import type { ClusterConfig } from "./schema.js";
import { checkConfig } from "./validate.js";

export interface ParsedConfig {
  config: ClusterConfig;
  /** Allowed but worth a look (e.g. a bastion open to 0.0.0.0/0). */
  warnings: ConfigWarning[];
}

/** Validates YAML text; throws a ConfigError listing every problem. */
export function parseConfig(text: string, file?: string): ParsedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const issues: ConfigIssue[] = doc.errors.map((e) => ({
    path: "",
    message: e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, ""),
    line: e.linePos?.[0].line,
  }));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    issues.push({ path: "", message: error instanceof Error ? error.message : String(error) });
    throw new ConfigError(issues, file);
  }
  if (data === null || data === undefined) {
    issues.push({ path: "", message: `the file is empty: a cluster config starts with "apiVersion: kx.dev/v1alpha1" and "kind: Cluster"` });
    throw new ConfigError(issues, file);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const what = Array.isArray(data) ? "a list" : `the ${typeof data} ${JSON.stringify(data)}`;
    issues.push({ path: "", message: `the file must be a mapping (apiVersion: ..., kind: ..., name: ...), not ${what}` });
    throw new ConfigError(issues, file);
  }
  const result = checkConfig(data);
  if (!result.success) issues.push(...result.issues.map((i) => locate(doc, lines, i)));
  if (!result.success || issues.length > 0) throw new ConfigError(sortByLine(issues), file);
  const config = result.config;
  return { config, warnings: configWarnings(config).map((w) => ({ ...w, line: lineOf(doc, lines, pathSegments(w.path)) })) };
}

/** Reads and validates a config file (its text is returned too, to save next to the state); a file that cannot be read is a usage error. */
export async function loadConfigFile(path: string): Promise<ParsedConfig & { text: string }> {
  let text: string;
  try {
    text = await readFile(expandHome(path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`config file ${path} does not exist`, "Check the path, or write an example with `kx config init -f " + path + "`.");
    if (code === "EISDIR") throw new UsageError(`${path} is a directory, not a config file`);
    throw new UsageError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  return { ...parseConfig(text, path), text };
}

/** "~" and "~/x" → the home directory; other paths unchanged. Use it wherever a config path is opened. */
export function expandHome(path: string, home: string = homedir()): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return `${home}${path.slice(1)}`;
  return path;
}

function locate(doc: Document, lines: LineCounter, issue: { path: PropertyKey[]; message: string }): ConfigIssue {
  return { path: formatPath(issue.path), message: issue.message, line: lineOf(doc, lines, issue.path) };
}

/**
 * The line of the deepest node of `path` that exists in the file: the key's line for a
 * map entry, the item's line for a sequence entry. Undefined when not even the first
 * segment is in the file (e.g. a required top-level key that is missing).
 */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key];
      offset = (node as { range?: [number, number, number] }).range?.[0];
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

function pathSegments(path: string): PropertyKey[] {
  return path.split(/\.|(?=\[)/).map((s) => (s.startsWith("[") ? Number(s.slice(1, -1)) : s));
}

function sortByLine(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.index - b.index)
    .map((x) => x.issue);
}
