import { describe, expect, it, beforeAll } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKx } from "../helpers/kx.js";

/**
 * A module-loading hook that records every module URL the process loads, so the test
 * can assert that `kx --help` and `kx --version` load no AWS SDK or SSH code. ES modules
 * pass through the hook; CommonJS ones (kx requires the SDK's CJS build) are read from
 * the require cache when the process exits.
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
  writeFileSync(
    register,
    `import { createRequire, register } from "node:module";
import { appendFileSync } from "node:fs";
register(${JSON.stringify(`file://${hooks}`)});
const cache = createRequire(import.meta.url).cache;
process.on("exit", () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).map((f) => "file://" + f + "\\n").join("")));
`,
  );
  writeFileSync(log, "");
  return ["--import", register];
}

const HEAVY = /@aws-sdk|@smithy|\/ssh2\/|listr2|@peculiar|@inquirer/;

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
      const heavy = loaded.filter((u) => HEAVY.test(u));
      expect(heavy).toEqual([]);
    });
  }

  it("sees the SDK when a command does load it (the check above can fail)", async () => {
    const nodeArgs = loaderHook(dir);
    const env = { AWS_ACCESS_KEY_ID: "AKIDSTARTUP", AWS_SECRET_ACCESS_KEY: "x", AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_EC2_METADATA_DISABLED: "true" };
    await runKx(["create", "cluster", "-f", "examples/cluster.yaml", "--dry-run", "--state-dir", join(dir, "state")], { nodeArgs, env });
    const loaded = readFileSync(join(dir, "loaded.txt"), "utf8").split("\n").filter(Boolean);
    expect(loaded.filter((u) => /@aws-sdk\/client-sts\/dist-cjs/.test(u)).length).toBeGreaterThan(0);
  });
});
