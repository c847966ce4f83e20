/** Files rendered from templates/kubernetes/ ({{name}} placeholders, every one required). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KxError } from "../../engine/errors.js";

/** templates/ at the top of the kx package, from src/steps/kubernetes or dist/steps/kubernetes alike. */
const TEMPLATES = new URL("../../../templates/kubernetes/", import.meta.url);

export function renderTemplate(name: string, values: Record<string, string>): string {
  const text = readFileSync(fileURLToPath(new URL(name, TEMPLATES)), "utf8");
  return text.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new KxError(`template ${name}: no value for {{${key}}}`);
    if (/['\n]/.test(value)) throw new KxError(`template ${name}: {{${key}}} may not contain quotes or newlines`);
    return value;
  });
}
