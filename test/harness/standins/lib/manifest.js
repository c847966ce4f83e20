// @ts-check
/** Static pod manifests: the flags of a control-plane component, as the kubelet reads them. */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** @returns {{ image: string, version: string, flags: Record<string, string> }} */
export function readManifest(path) {
  const pod = parse(readFileSync(path, "utf8"));
  const container = pod?.spec?.containers?.[0];
  if (!container) throw new Error(`${path}: not a static pod manifest (no spec.containers)`);
  const flags = {};
  for (const arg of container.command.slice(1)) {
    const m = /^--([^=]+)=(.*)$/.exec(arg);
    if (m) flags[m[1]] = m[2];
  }
  const image = String(container.image);
  return { image, version: image.split(":").pop() ?? "", flags };
}

export function flagsToArgs(flags) {
  return Object.entries(flags).map(([k, v]) => `--${k}=${v}`);
}
