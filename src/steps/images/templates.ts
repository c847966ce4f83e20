/**
 * The Packer templates of an image. Packer builds one directory and HCL has no
 * includes, so an image's directory is assembled from packer/: plugins.pkr.hcl,
 * common/*.pkr.hcl and <image>/*.pkr.hcl side by side, scripts/common and
 * scripts/<image> under scripts/. The same list is hashed (content-hash.ts) and staged,
 * so what is built is exactly what was hashed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { KxError } from "../../engine/errors.js";
import type { ImageName } from "./catalog.js";

export interface TemplateFile {
  /** Path inside the assembled directory, "/"-separated, e.g. "scripts/node/kernel.sh". */
  path: string;
  content: Buffer;
}

/**
 * Files only Packer >= 1.7 understands (required_plugins, data sources). Leaving them
 * out lets Debian's Packer 1.6.6 check the rest with `validate -syntax-only`.
 */
export const MODERN_PACKER_ONLY = ["plugins.pkr.hcl", "base-image.pkr.hcl"] as const;

/** packer/ at the top of the kx package, from src/steps/images or dist/steps/images alike. */
export function defaultTemplatesDir(): string {
  return fileURLToPath(new URL("../../../packer/", import.meta.url));
}

/** Every file of an image's assembled directory, sorted by path. */
export function imageFiles(templatesDir: string, image: ImageName): TemplateFile[] {
  if (!existsSync(join(templatesDir, "plugins.pkr.hcl"))) {
    throw new KxError(`the Packer templates are missing: ${join(templatesDir, "plugins.pkr.hcl")} does not exist`, {
      hint: "kx's packer/ directory must sit next to its src/ or dist/ directory; reinstall kx.",
    });
  }
  const own = hclFiles(join(templatesDir, image));
  if (own.length === 0) throw new KxError(`no Packer template (*.pkr.hcl) for the ${image} image in ${join(templatesDir, image)}`);
  const files: TemplateFile[] = [
    { path: "plugins.pkr.hcl", content: readFileSync(join(templatesDir, "plugins.pkr.hcl")) },
    ...hclFiles(join(templatesDir, "common")),
    ...own,
    ...treeFiles(join(templatesDir, "scripts", "common"), "scripts/common"),
    ...treeFiles(join(templatesDir, "scripts", image), `scripts/${image}`),
  ];
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) {
      throw new KxError(`two Packer templates of the ${image} image are both named ${file.path}`, {
        hint: "Files of packer/common and packer/<image> share one directory when built: give them distinct names.",
      });
    }
    seen.add(file.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes the files under `dir` (created), scripts executable. */
export async function stageFiles(files: readonly TemplateFile[], dir: string): Promise<void> {
  for (const file of files) {
    const target = join(dir, ...file.path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.path.endsWith(".sh") ? 0o755 : 0o644 });
  }
}

function hclFiles(dir: string): TemplateFile[] {
  if (!existsSync(dir)) throw new KxError(`the Packer template directory ${dir} does not exist`);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".pkr.hcl") && statSync(join(dir, name)).isFile())
    .map((name) => ({ path: name, content: readFileSync(join(dir, name)) }));
}

function treeFiles(dir: string, prefix: string): TemplateFile[] {
  if (!existsSync(dir)) return [];
  const out: TemplateFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...treeFiles(path, posix.join(prefix, entry.name)));
    else if (entry.isFile()) out.push({ path: posix.join(prefix, entry.name), content: readFileSync(path) });
  }
  return out;
}
