/**
 * An image's identity: sha256 over its assembled files (path and content) and the
 * variables that change what it holds. Equal hashes mean an equal image, so an AMI
 * tagged with the hash is reused instead of built again.
 */
import { createHash } from "node:crypto";
import type { ImageName } from "./catalog.js";
import type { TemplateFile } from "./templates.js";
import type { PackerVariables } from "./variables.js";

/** Bump when the way the hash is computed changes, so old images are not mistaken for new ones. */
const SCHEME = "kx-image-hash/v1";

export function contentHash(image: ImageName, files: readonly TemplateFile[], variables: PackerVariables): string {
  const lines = [SCHEME, `image ${image}`];
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    lines.push(`file ${file.path} ${createHash("sha256").update(file.content).digest("hex")}`);
  }
  for (const name of Object.keys(variables).sort()) lines.push(`var ${name}=${JSON.stringify(variables[name])}`);
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}
