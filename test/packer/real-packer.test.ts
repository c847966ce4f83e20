/**
 * CI's check of the templates with the real Packer that Debian ships (1.6.6): every
 * image's assembled directory, minus the two files only Packer >= 1.7 understands,
 * passes `packer validate -syntax-only` with exactly the -var values kx passes (Packer
 * checks even then that each one is declared), and every folder is `packer fmt` clean.
 */
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { IMAGE_NAMES } from "../../src/steps/images/catalog.js";
import { buildVariables } from "../../src/steps/images/variables.js";
import { awsTestConfig } from "../steps/context.js";
import { TEMPLATES } from "../images/fixtures.js";
import { assembleImage } from "./assemble.js";

const HASH = "0123456789abcdef".repeat(4);

describe("the real packer (Debian's)", () => {
  it("is installed and is the real one", async () => {
    const { stdout } = await execa("packer", ["version"]);
    expect(stdout).toMatch(/^Packer v1\.\d+\.\d+/);
  });

  for (const image of IMAGE_NAMES) {
    it(`validates the ${image} image's templates (-syntax-only) with kx's -var values`, async () => {
      const { dir, cleanup } = await assembleImage(image, { legacyPacker: true });
      try {
        const vars = Object.entries(buildVariables(awsTestConfig(), image, "eu-west-1", HASH)).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
        const result = await execa("packer", ["validate", "-syntax-only", ...vars, dir], { reject: false });
        expect(result.stderr + result.stdout).toContain("Syntax-only check passed. Everything looks okay.");
        expect(result.exitCode).toBe(0);
      } finally {
        cleanup();
      }
    });

    it(`refuses a -var the ${image} templates do not declare (so the check above means something)`, async () => {
      const { dir, cleanup } = await assembleImage(image, { legacyPacker: true });
      try {
        const result = await execa("packer", ["validate", "-syntax-only", "-var", "no_such_variable=1", dir], { reject: false });
        expect(result.exitCode).toBe(1);
        expect(result.stderr + result.stdout).toContain('A "no_such_variable" variable was passed in');
      } finally {
        cleanup();
      }
    });
  }

  it("rejects the Packer >= 1.7-only files, which is why they live apart", async () => {
    const { dir, cleanup } = await assembleImage("etcd");
    try {
      const result = await execa("packer", ["validate", "-syntax-only", dir], { reject: false });
      expect(result.exitCode).toBe(1);
      expect(result.stderr + result.stdout).toMatch(/Unsupported Packer Core version|Blocks of type "(required_plugins|data)" are not expected here/);
    } finally {
      cleanup();
    }
  });

  for (const folder of ["", "common", "node", "etcd"]) {
    it(`finds packer/${folder} formatted (packer fmt -check)`, async () => {
      const result = await execa("packer", ["fmt", "-check", "-diff", `${TEMPLATES}/${folder}`], { reject: false });
      expect(result.stdout).toBe("");
      expect(result.exitCode).toBe(0);
    });
  }
});
