/**
 * The state document: what kx remembers of a cluster between runs. Step records cache
 * outputs so a resumed run need not re-plan everything; `data` holds what other areas
 * keep (pinned host keys, certificate fingerprints, ...). Never a secret.
 */
import { KxError } from "./errors.js";
import type { JsonValue, StepRecord } from "./types.js";

export const STATE_SCHEMA_VERSION = 1;

export interface StateDoc {
  schemaVersion: 1;
  cluster: string;
  kxVersion: string;
  createdAt: string;
  updatedAt: string;
  steps: Record<string, StepRecord>;
  data: Record<string, JsonValue>;
}

export function newStateDoc(cluster: string, kxVersion: string, now = new Date()): StateDoc {
  const time = now.toISOString();
  return { schemaVersion: 1, cluster, kxVersion, createdAt: time, updatedAt: time, steps: {}, data: {} };
}

/**
 * Checks a parsed document's shape. A newer schema is refused rather than misread;
 * `where` names the file in messages.
 */
export function parseStateDoc(value: unknown, where: string): StateDoc {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new KxError(`${where} is not a kx state document`, { source: "user" });
  }
  const doc = value as Partial<StateDoc> & { schemaVersion?: unknown };
  if (doc.schemaVersion !== STATE_SCHEMA_VERSION) {
    const newer = typeof doc.schemaVersion === "number" && doc.schemaVersion > STATE_SCHEMA_VERSION;
    throw new StateVersionError(
      `${where} has state schema version ${JSON.stringify(doc.schemaVersion)}` +
        (doc.kxVersion ? ` (written by kx ${doc.kxVersion})` : "") +
        `; this kx reads version ${STATE_SCHEMA_VERSION}`,
      {
        source: "user",
        hint: newer ? "Upgrade kx to the version that wrote this state." : "The file is not a state kx can read; restore it from a backup.",
      },
    );
  }
  const bad = (field: string) =>
    new KxError(`${where} is damaged: "${field}" is missing or of the wrong type`, { source: "user" });
  if (typeof doc.cluster !== "string") throw bad("cluster");
  if (typeof doc.steps !== "object" || doc.steps === null || Array.isArray(doc.steps)) throw bad("steps");
  if (typeof doc.data !== "object" || doc.data === null || Array.isArray(doc.data)) throw bad("data");
  return {
    schemaVersion: 1,
    cluster: doc.cluster,
    kxVersion: typeof doc.kxVersion === "string" ? doc.kxVersion : "unknown",
    createdAt: typeof doc.createdAt === "string" ? doc.createdAt : new Date(0).toISOString(),
    updatedAt: typeof doc.updatedAt === "string" ? doc.updatedAt : new Date(0).toISOString(),
    steps: doc.steps,
    data: doc.data,
  };
}

/** The state was written in a schema this kx does not read (usually: by a newer kx). */
export class StateVersionError extends KxError {}

/** A typed key into `StateDoc.data`, declared once by the area that owns it. */
export interface StateDataKey<T extends JsonValue> {
  readonly key: string;
  /** Phantom member carrying T; never set. */
  readonly __type?: T;
}

export function stateDataKey<T extends JsonValue>(key: string): StateDataKey<T> {
  return { key };
}

export function getStateData<T extends JsonValue>(doc: StateDoc, key: StateDataKey<T>): T | undefined {
  return doc.data[key.key] as T | undefined;
}

export function setStateData<T extends JsonValue>(doc: StateDoc, key: StateDataKey<T>, value: T | undefined): void {
  if (value === undefined) delete doc.data[key.key];
  else doc.data[key.key] = value;
}
