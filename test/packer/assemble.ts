/** An image's directory as kx assembles it, optionally without the Packer >= 1.7-only files. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImageName } from "../../src/steps/images/catalog.js";
import { imageFiles, MODERN_PACKER_ONLY, stageFiles } from "../../src/steps/images/templates.js";
import { TEMPLATES } from "../images/fixtures.js";

export async function assembleImage(image: ImageName, options: { legacyPacker?: boolean; templatesDir?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), `kx-packer-${image}-`));
  const dir = join(root, image);
  const files = imageFiles(options.templatesDir ?? TEMPLATES, image).filter(
    (f) => !options.legacyPacker || !(MODERN_PACKER_ONLY as readonly string[]).includes(f.path),
  );
  await stageFiles(files, dir);
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
