/**
 * The stand-in packer refuses what the real Packer refuses, and prints and writes what
 * the real one does. Where Debian's real Packer can run the same command (flag parsing,
 * undeclared -var), both are run and compared.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { buildVariables } from "../../src/steps/images/variables.js";
import { parseMachineReadable } from "../../src/steps/images/packer-output.js";
import { awsTestConfig } from "../steps/context.js";
import { STANDIN_PACKER } from "../images/fixtures.js";
import { assembleImage } from "./assemble.js";

const HASH = "00112233445566778899aabbccddeeff".repeat(2);
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function etcdDir(options: { legacyPacker?: boolean } = {}) {
  const { dir, cleanup } = await assembleImage("etcd", options);
  cleanups.push(cleanup);
  return dir;
}
const env = (dir: string, extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: dir, PACKER_PLUGIN_PATH: join(dir, "..", "plugins"), ...extra });
const varsOf = (vars: Record<string, string>) => Object.entries(vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
const etcdVars = () => buildVariables(awsTestConfig(), "etcd", "eu-west-1", HASH);
const standin = (args: string[], dir: string, extra: Record<string, string> = {}) =>
  execa(STANDIN_PACKER, args, { env: env(dir, extra), extendEnv: false, reject: false });

describe("the stand-in packer", () => {
  it("treats an unknown flag as the real Packer does: usage on stdout, exit 1", async () => {
    const dir = await etcdDir();
    const real = await execa("packer", ["build", "-no-such-flag", dir], { reject: false });
    const fake = await standin(["build", "-no-such-flag", dir], dir);
    expect(fake.exitCode).toBe(real.exitCode);
    expect(fake.stdout.split("\n")[0]).toBe(real.stdout.split("\n")[0]);
    expect(fake.stderr).toBe("flag provided but not defined: -no-such-flag");
  });

  it("refuses an undeclared -var as the real Packer does", async () => {
    const dir = await etcdDir();
    const legacy = await etcdDir({ legacyPacker: true });
    const real = await execa("packer", ["validate", "-syntax-only", "-var", "bogus=1", legacy], { reject: false });
    await standin(["init", dir], dir);
    const fake = await standin(["build", ...varsOf(etcdVars()), "-var", "bogus=1", dir], dir);
    expect(real.exitCode).toBe(1);
    expect(fake.exitCode).toBe(1);
    for (const out of [real.stderr + real.stdout, fake.stderr]) {
      expect(out).toContain("Error: Undefined -var variable");
      expect(out).toContain('A "bogus" variable was passed in');
    }
  });

  it("needs packer init first", async () => {
    const dir = await etcdDir();
    const result = await standin(["build", ...varsOf(etcdVars()), dir], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("Error: Missing plugins");
    expect(result.stderr).toContain("Did you run packer init for this project ?");
  });

  it("refuses an unset variable and a value its validation rule rejects", async () => {
    const dir = await etcdDir();
    await standin(["init", dir], dir);
    const { etcd_version: _, ...withoutVersion } = etcdVars();
    const unset = await standin(["build", ...varsOf(withoutVersion), dir], dir);
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toContain('Error: Unset variable "etcd_version"');

    const invalid = await standin(["build", ...varsOf({ ...etcdVars(), kx_content_hash: "not-a-hash" }), dir], dir);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toContain("The kx_content_hash variable must be 64 lower-case hex digits (a sha256).");
  });

  it("fails the build on a provisioning script with a syntax error, as bash on the instance would", async () => {
    const dir = await etcdDir();
    appendFileSync(join(dir, "scripts/etcd/etcd.sh"), "if true; then\n");
    await standin(["init", dir], dir);
    const result = await standin(["build", "-machine-readable", ...varsOf(etcdVars()), dir], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("Script exited with non-zero exit status: 2");
    expect(existsSync(join(dir, "manifest.json"))).toBe(false);
  });

  it("prints machine-readable lines, escapes commas, and writes the manifest as the post-processor does", async () => {
    const dir = await etcdDir();
    expect((await standin(["init", dir], dir)).stdout).toMatch(/^Installed plugin github.com\/hashicorp\/amazon v\d+\.\d+\.\d+ in /);
    const result = await standin(["build", "-machine-readable", ...varsOf(etcdVars()), dir], dir, { KX_FAKE_PACKER_COPY_REGIONS: "us-east-1" });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split("\n");
    for (const line of lines) expect(line).toMatch(/^\d{10},[^,]*,[a-z-]+(,|$)/);
    const id = lines.find((l) => l.includes(",artifact,0,id,"))!;
    expect(id).toMatch(/,etcd\.amazon-ebs\.etcd,artifact,0,id,eu-west-1:ami-[0-9a-f]{17}%!\(PACKER_COMMA\)us-east-1:ami-[0-9a-f]{17}$/);
    expect(parseMachineReadable(id)!.data[2]).toMatch(/^eu-west-1:ami-[0-9a-f]+,us-east-1:ami-[0-9a-f]+$/);

    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(manifest).toEqual({
      builds: [
        {
          name: "etcd",
          builder_type: "amazon-ebs",
          build_time: expect.any(Number),
          files: null,
          artifact_id: parseMachineReadable(id)!.data[2],
          packer_run_uuid: manifest.last_run_uuid,
          custom_data: { role: "etcd", content_hash: HASH, etcd_version: "3.6.5" },
        },
      ],
      last_run_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });
});
