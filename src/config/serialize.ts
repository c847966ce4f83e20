/**
 * The config a run used, as YAML, saved next to the state so CI can replay the run:
 * every default and derived value written out, and parseConfig gives back the same config.
 */
import { stringify } from "yaml";
import type { ClusterConfig } from "./schema.js";

export function serializeConfig(config: ClusterConfig): string {
  // A hosts: cluster without a region has no zones; written out, [] would fail the 3-zone rule.
  const { zones, ...rest } = config;
  const written = zones.length > 0 ? config : rest;
  return `# The cluster config kx used (defaults filled in). Replay: kx create cluster -f <this file> --yes\n${stringify(written, { lineWidth: 0 })}`;
}
