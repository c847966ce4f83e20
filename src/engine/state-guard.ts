/**
 * The last line of defence before the state is written: refuse any string that is, or
 * contains, a private key or a value registered as a Secret. The message names the
 * field, never the value.
 */
import { KxError } from "./errors.js";
import { containsKnownSecret } from "./secret.js";

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Serialises the state document (2-space JSON), throwing if a secret would be written. */
export function serialiseStateSafely(doc: unknown): string {
  // Round-trip first so toJSON (Secret → "***") is applied exactly as it will be written.
  const text = JSON.stringify(doc, null, 2);
  const offending = findSecrets(JSON.parse(text) as unknown, "");
  if (offending.length > 0) {
    throw new KxError(`refusing to save the state: ${offending.join(", ")} hold${offending.length === 1 ? "s" : ""} a secret`, {
      hint: "This is a bug in kx: secrets belong in the secret store, never in the state file.",
    });
  }
  return `${text}\n`;
}

function findSecrets(value: unknown, path: string): string[] {
  if (typeof value === "string") {
    return PRIVATE_KEY.test(value) || containsKnownSecret(value) ? [path || "(root)"] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecrets(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(PRIVATE_KEY.test(k) || containsKnownSecret(k) ? [`a key of ${path || "(root)"}`] : []),
      ...findSecrets(v, path ? `${path}.${k}` : k),
    ]);
  }
  return [];
}
