/** The keys the schema knows at a path, for "did you mean" on an unknown key. */
import { clusterSchema } from "./schema.js";

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
}
interface Schema {
  _zod: { def: Def };
}

const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "readonly", "catch"]);

function unwrap(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  while (s) {
    const def = s._zod.def;
    if (WRAPPERS.has(def.type)) s = def.innerType;
    else if (def.type === "pipe") s = def.in;
    else return s;
  }
  return undefined;
}

export function knownKeys(path: readonly PropertyKey[]): string[] {
  let s = unwrap(clusterSchema as unknown as Schema);
  for (const key of path) {
    const def = s?._zod.def;
    if (def?.type === "object" && typeof key === "string") s = unwrap(def.shape?.[key]);
    else if (def?.type === "array") s = unwrap(def.element);
    else return [];
  }
  const def = s?._zod.def;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/** The known key a typo most likely meant, if one is close enough. */
export function closestKey(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.toLowerCase() === lower ? 0 : editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(key.length / 3)) ? best.name : undefined;
}

/** Edits (insert, delete, replace, swap of neighbours) from a to b: "isito" is one swap from "istio". */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}
