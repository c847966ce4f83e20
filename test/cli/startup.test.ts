import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKx } from "../helpers/kx.js";

/**
 * A module-loading hook that records every module URL the process loads, so the test
 * can assert that `kx --help` and `kx --version` load no AWS SDK or SSH code.
 */
function loaderHook(dir: string): string[] {
  const log = join(dir, "loaded.txt");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }
`,
  );
  const register = join(dir, "register.mjs");
  writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(`file://${hooks}`)});\n`);
  writeFileSync(log, "");
  return ["--import", register];
}

describe("kx start-up", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kx-startup-"));
  });

  for (const args of [["--help"], ["--version"], ["create", "cluster", "--help"]]) {
    it(`kx ${args.join(" ")} loads no AWS SDK, SSH or listr2 module`, async () => {
      const nodeArgs = loaderHook(dir);
      const r = await runKx(args, { nodeArgs });
      expect(r.code).toBe(0);
      const loaded = readFileSync(join(dir, "loaded.txt"), "utf8").split("\n").filter(Boolean);
      expect(loaded.some((u) => u.includes("/dist/cli.js"))).toBe(true);
      const heavy = loaded.filter((u) => /@aws-sdk|@smithy|\/ssh2\/|listr2|@peculiar|@inquirer/.test(u));
      expect(heavy).toEqual([]);
    });
  }
});
