/**
 * SecretStore for a `hosts:` cluster without AWS: one file per secret under
 * <stateDir>/secrets/ (directory 0700, files 0600), written atomically (temp file in the
 * same directory, fsync, rename) so a crash never leaves half a key behind.
 */
import { mkdir, readFile, readdir, rm, chmod, stat } from "node:fs/promises";
import { join, relative, sep, dirname } from "node:path";
import { Secret } from "../engine/secret.js";
import { TEMP_MARK, writePrivateFile } from "../engine/private-file.js";
import type { SecretStore } from "./store.js";

const NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

export class LocalSecretStore implements SecretStore {
  readonly root: string;

  constructor(stateDir: string) {
    this.root = join(stateDir, "secrets");
  }

  async get(name: string): Promise<Secret | undefined> {
    try {
      return new Secret(await readFile(this.path(name), "utf8"));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async put(name: string, value: Secret | string): Promise<void> {
    const path = this.path(name);
    await this.ensureDir(dirname(path));
    const text = typeof value === "string" ? value : value.reveal();
    await writePrivateFile(path, text);
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    await this.walk(this.root, names);
    return names.filter((n) => n.startsWith(prefix)).sort();
  }

  async delete(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  private path(name: string): string {
    if (!NAME.test(name) || name.split("/").some((part) => part === "." || part === "..")) {
      throw new Error(`invalid secret name "${name}"`);
    }
    return join(this.root, ...name.split("/"));
  }

  /** Creates the directories 0700 and tightens an existing root that is looser. */
  private async ensureDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (let d = dir; d.startsWith(this.root); d = dirname(d)) {
      const { mode } = await stat(d);
      if ((mode & 0o077) !== 0) await chmod(d, 0o700);
      if (d === this.root) break;
    }
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(full, out);
      else if (entry.isFile() && !entry.name.includes(TEMP_MARK)) out.push(relative(this.root, full).split(sep).join("/"));
    }
  }
}

function isNotFound(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "ENOENT";
}
