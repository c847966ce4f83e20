/**
 * The provisioning scripts: shellcheck-clean (following `source`), strict mode, and the
 * checksum helper every download goes through, run for real in bash.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { REPO, TEMPLATES } from "../images/fixtures.js";

function scripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? scripts(path) : name.endsWith(".sh") ? [path] : [];
  });
}

const ALL = scripts(join(TEMPLATES, "scripts"));
const LIB = join(TEMPLATES, "scripts/common/lib.sh");

describe("provisioning scripts", () => {
  it("are there", () => {
    expect(ALL.map((p) => relative(TEMPLATES, p)).sort()).toEqual([
      "scripts/common/base.sh",
      "scripts/common/cleanup.sh",
      "scripts/common/lib.sh",
      "scripts/etcd/etcd.sh",
      "scripts/node/bpffs.sh",
      "scripts/node/containerd.sh",
      "scripts/node/helm.sh",
      "scripts/node/kernel.sh",
      "scripts/node/kubernetes.sh",
      "scripts/node/prepull.sh",
    ]);
  });

  for (const script of ALL) {
    const name = relative(TEMPLATES, script);
    it(`${name} passes shellcheck -x`, async () => {
      const result = await execa("shellcheck", ["-x", relative(REPO, script)], { cwd: REPO, reject: false });
      expect(result.stdout).toBe("");
      expect(result.exitCode).toBe(0);
    });

    if (script !== LIB) {
      it(`${name} runs under bash with set -euo pipefail and sources the helpers`, () => {
        const lines = readFileSync(script, "utf8").split("\n");
        expect(lines[0]).toBe("#!/usr/bin/env bash");
        expect(lines).toContain("set -euo pipefail");
        expect(lines.some((l) => /^source "\$\(dirname "\$\{BASH_SOURCE\[0\]\}"\)\/(\.\.\/common\/)?lib\.sh"$/.test(l))).toBe(true);
      });
    }
  }
});

describe("lib.sh verify_sha256", () => {
  const dir = mkdtempSync(join(tmpdir(), "kx-lib-sh-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const artifact = join(dir, "etcd-v3.6.5-linux-amd64.tar.gz");
  writeFileSync(artifact, "release bytes");
  const good = createHash("sha256").update("release bytes").digest("hex");

  const verify = (sums: string) => {
    writeFileSync(join(dir, "SHA256SUMS"), sums);
    return execa("bash", ["-c", `set -euo pipefail; source "$1"; verify_sha256 "$2" "$3" "$4"`, "_", LIB, artifact, join(dir, "SHA256SUMS"), "etcd-v3.6.5-linux-amd64.tar.gz"], {
      reject: false,
    });
  };

  it("accepts the file whose sum the release lists", async () => {
    const result = await verify(`${"0".repeat(64)}  etcd-v3.6.5-linux-arm64.tar.gz\n${good}  etcd-v3.6.5-linux-amd64.tar.gz\n`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("==> SHA-256 of etcd-v3.6.5-linux-amd64.tar.gz verified");
  });

  it("refuses a file whose sum differs", async () => {
    const result = await verify(`${"ab".repeat(32)}  etcd-v3.6.5-linux-amd64.tar.gz\n`);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: SHA-256 mismatch for etcd-v3.6.5-linux-amd64.tar.gz: published ${"ab".repeat(32)}, downloaded ${good}`);
  });

  it("refuses a file the release does not list", async () => {
    const result = await verify(`${good}  etcd-v3.6.5-linux-arm64.tar.gz\n`);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("error: no SHA-256 for etcd-v3.6.5-linux-amd64.tar.gz in the published checksums");
  });
});

describe("lib.sh write_file", () => {
  it("writes stdin atomically with the mode asked, and rewriting the same content is harmless", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kx-lib-sh-"));
    try {
      const target = join(dir, "etc/sysctl.d/90-test.conf");
      for (let i = 0; i < 2; i++) {
        const result = await execa("bash", ["-c", `set -euo pipefail; source "$1"; printf 'vm.max_map_count = 262144\\n' | write_file 0640 "$2"`, "_", LIB, target]);
        expect(result.exitCode).toBe(0);
      }
      expect(readFileSync(target, "utf8")).toBe("vm.max_map_count = 262144\n");
      expect(statSync(target).mode & 0o777).toBe(0o640);
      expect(readdirSync(join(dir, "etc/sysctl.d"))).toEqual(["90-test.conf"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
