/**
 * Renders the user-data scripts in templates/user-data/. Placeholders are {{name}}; every
 * one must be given and every value must be shell-safe (they land inside single quotes
 * and comments), so a config value can never inject shell.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KxError } from "../../engine/errors.js";

/** templates/ sits three levels above this file both in src/steps/machines and dist/steps/machines. */
const TEMPLATES = fileURLToPath(new URL("../../../templates/user-data/", import.meta.url));
const SAFE_VALUE = /^[A-Za-z0-9._-]+$/;

export type UserDataTemplate = "node.sh" | "worker.sh";

export function renderUserData(template: UserDataTemplate, values: Record<string, string>): string {
  const text = readFileSync(`${TEMPLATES}${template}`, "utf8");
  for (const [key, value] of Object.entries(values)) {
    if (!SAFE_VALUE.test(value)) throw new KxError(`user data ${template}: value of ${key} is not shell-safe: ${JSON.stringify(value)}`);
  }
  return text.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new KxError(`user data ${template} needs a value for {{${key}}}`);
    return value;
  });
}

/** RunInstances and launch templates take user data base64-encoded. */
export function encodeUserData(script: string): string {
  return Buffer.from(script, "utf8").toString("base64");
}
