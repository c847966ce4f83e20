/**
 * What the images tests share: a private copy of packer/ (tests change scripts in it,
 * never in the repository), the stand-in packer and the environment it runs in.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const TEMPLATES = join(REPO, "packer");
export const STANDIN_PACKER = join(REPO, "test/harness/standins/packer");

export interface PackerSandbox {
  dir: string;
  templatesDir: string;
  /** Where the stand-in logs each invocation. */
  logFile: string;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** The packer subcommands run so far, e.g. ["version", "init", "build"]. */
  commands(): string[];
  cleanup(): void;
}

export function packerSandbox(options: { endpoint?: string } = {}): PackerSandbox {
  const dir = mkdtempSync(join(tmpdir(), "kx-images-test-"));
  const templatesDir = join(dir, "packer");
  cpSync(TEMPLATES, templatesDir, { recursive: true });
  const logFile = join(dir, "packer.log");
  return {
    dir,
    templatesDir,
    logFile,
    env: (extra = {}) => ({
      PATH: process.env.PATH,
      HOME: dir,
      KX_PACKER: STANDIN_PACKER,
      PACKER_PLUGIN_PATH: join(dir, "plugins"),
      KX_FAKE_PACKER_LOG: logFile,
      AWS_ACCESS_KEY_ID: "AKIAFAKETESTKEY00001",
      AWS_SECRET_ACCESS_KEY: "fake-secret-for-tests",
      ...(options.endpoint ? { AWS_ENDPOINT_URL: options.endpoint } : {}),
      ...extra,
    }),
    commands: () =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8")
            .trim()
            .split("\n")
            .map((l) => (JSON.parse(l) as { argv: string[] }).argv[0] ?? "")
        : [],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
