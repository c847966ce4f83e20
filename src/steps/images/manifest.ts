/**
 * The manifest post-processor's file: {"builds": [{"name", "builder_type",
 * "artifact_id": "region:ami-…", …}], "last_run_uuid"}. Packer appends a build per run,
 * so the newest is last.
 */
import { readFile } from "node:fs/promises";
import { amiForRegion } from "./packer-output.js";

interface ManifestBuild {
  name?: string;
  artifact_id?: string;
  packer_run_uuid?: string;
}
interface Manifest {
  builds?: ManifestBuild[];
  last_run_uuid?: string;
}

/** The AMI id the last build of the manifest produced in `region`, or undefined (no file, no build). */
export async function amiFromManifest(path: string, region: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  const manifest = JSON.parse(text) as Manifest;
  const builds = manifest.builds ?? [];
  const last =
    builds.filter((b) => manifest.last_run_uuid === undefined || b.packer_run_uuid === manifest.last_run_uuid).at(-1) ??
    builds.at(-1);
  return last?.artifact_id ? amiForRegion(last.artifact_id, region) : undefined;
}
