/**
 * The etcd systemd unit, rendered from templates/etcd/etcd.service. Every placeholder
 * must be given and every value is checked, so a config value cannot inject a flag.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KxError } from "../../engine/errors.js";

/** templates/ sits three levels above this file in src/steps/etcd and dist/steps/etcd. */
const TEMPLATE = fileURLToPath(new URL("../../../templates/etcd/etcd.service", import.meta.url));
const SAFE_VALUE = /^[A-Za-z0-9._:/,=@\[\]-]+$/;

export interface EtcdUnitValues {
  cluster: string;
  name: string;
  ip: string;
  binDir: string;
  dataDir: string;
  pkiDir: string;
  listenClientUrls: string;
  initialCluster: string;
  initialClusterState: "new" | "existing";
  clusterToken: string;
  metricsAddress: string;
}

export function renderEtcdUnit(values: EtcdUnitValues): string {
  const text = readFileSync(TEMPLATE, "utf8");
  const map = values as unknown as Record<string, string>;
  for (const [key, value] of Object.entries(map)) {
    if (!SAFE_VALUE.test(value)) throw new KxError(`etcd unit: value of ${key} is not safe in a unit file: ${JSON.stringify(value)}`);
  }
  return text.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const value = map[key];
    if (value === undefined) throw new KxError(`etcd unit template needs a value for {{${key}}}`);
    return value;
  });
}

/** The --initial-cluster-state a unit was written with (kept on re-runs once the member has data). */
export function unitClusterState(unit: string | undefined): "new" | "existing" | undefined {
  const m = unit ? /--initial-cluster-state=(new|existing)\b/.exec(unit) : null;
  return (m?.[1] as "new" | "existing" | undefined) ?? undefined;
}
