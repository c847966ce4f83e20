/** An image's files and the content hash they and the config give it. */
import type { ClusterConfig } from "../../config/schema.js";
import type { ImageName } from "./catalog.js";
import { contentHash } from "./content-hash.js";
import { defaultTemplatesDir, imageFiles, type TemplateFile } from "./templates.js";
import { contentVariables } from "./variables.js";

export function imageContent(
  config: ClusterConfig,
  image: ImageName,
  templatesDir = defaultTemplatesDir(),
): { files: TemplateFile[]; hash: string } {
  const files = imageFiles(templatesDir, image);
  return { files, hash: contentHash(image, files, contentVariables(config, image)) };
}

/** The hash the current templates and config give an image (what `kx images list` compares with). */
export function currentContentHash(config: ClusterConfig, image: ImageName, templatesDir?: string): string {
  return imageContent(config, image, templatesDir).hash;
}
