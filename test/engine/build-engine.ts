/**
 * Transpiles src/engine into a temp dir, for fixtures that run in a child process on
 * plain Node. The engine imports only Node and itself, so a per-file transpile (types are
 * checked by `tsc --noEmit` elsewhere) is enough: fast, independent of the rest of the
 * tree compiling, and it leaves the shared dist/ alone.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";

const ENGINE_SRC = resolve(import.meta.dirname, "../../src/engine");

export async function buildEngine(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), "kx-engine-build-"));
  const out = join(tmp, "engine");
  await mkdir(out);
  // A package.json so Node treats the .js files as ES modules.
  await writeFile(join(tmp, "package.json"), '{"type":"module"}\n');
  for (const file of await readdir(ENGINE_SRC)) {
    if (!file.endsWith(".ts")) continue;
    const source = await readFile(join(ENGINE_SRC, file), "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(join(out, file.replace(/\.ts$/, ".js")), outputText);
  }
  return { dir: out, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}
