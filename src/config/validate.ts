/**
 * One validation, three callers: the loader (which adds YAML lines), the wizard (which
 * checks one answer at a time) and missingKeys (which keeps only what is missing).
 */
import type { z } from "zod";
import { ConfigError } from "../engine/errors.js";
import { closestKey, knownKeys } from "./known-keys.js";
import { formatPath } from "./rules.js";
import { clusterSchema, type ClusterConfig } from "./schema.js";

export interface PathIssue {
  path: PropertyKey[];
  message: string;
  /** A value with no default that was not given. */
  missing: boolean;
}

export type CheckResult = { success: true; config: ClusterConfig } | { success: false; issues: PathIssue[] };

export function checkConfig(data: unknown): CheckResult {
  const result = clusterSchema.safeParse(data, { error: requiredMessage, reportInput: true });
  if (result.success) return { success: true, config: result.data };
  return { success: false, issues: result.error.issues.flatMap(toPathIssues) };
}

/** Paths ("dns.zone", "images.node") of every value that has no default and was not given. */
export function missingKeys(partialConfig: unknown): string[] {
  const result = checkConfig(partialConfig);
  return result.success ? [] : [...new Set(result.issues.filter((i) => i.missing).map((i) => formatPath(i.path)))];
}

/** For `--yes`, CI and no TTY: one error naming every missing key (exit 2). */
export function missingKeysError(keys: string[], file?: string): ConfigError {
  return new ConfigError(
    keys.map((path) => ({ path, message: "is required and has no default; set it in the config file (or run kx at a terminal to be asked)" })),
    file,
  );
}

/** A field left out has no "received undefined" to explain: it is simply required. */
function requiredMessage(issue: z.core.$ZodRawIssue): string | undefined {
  return isMissing(issue) ? "is required" : undefined;
}

function toPathIssues(issue: z.core.$ZodIssue): PathIssue[] {
  // zod reports all unknown keys of an object as one issue; the user wants each key's line.
  if (issue.code === "unrecognized_keys")
    return issue.keys.map((key) => {
      const guess = closestKey(key, knownKeys(issue.path));
      return { path: [...issue.path, key], message: `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ""}`, missing: false };
    });
  const missing = isMissing(issue) || (issue.code === "custom" && (issue.params as { kind?: string } | undefined)?.kind === "missing");
  return [{ path: issue.path, message: issue.message, missing }];
}

function isMissing(issue: { code: string; input?: unknown }): boolean {
  return (issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined;
}
