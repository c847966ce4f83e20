/**
 * Provisioning scripts run twice in a sandbox (see sandbox.ts): the second run succeeds,
 * downloads nothing and changes nothing; a download whose checksum does not match the
 * published one stops the script before anything is installed.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { TEMPLATES } from "../images/fixtures.js";
import { scriptSandbox, type ScriptSandbox } from "./sandbox.js";

const script = (path: string) => join(TEMPLATES, "scripts", path);
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

let sandbox: ScriptSandbox;
afterEach(() => sandbox?.cleanup());

/** A release tarball holding `dir/<name>` executables that print `output`, in the sandbox's downloads. */
async function release(box: ScriptSandbox, tarball: string, dir: string, binaries: Record<string, string>): Promise<string> {
  const staging = join(box.root, "release", dir);
  mkdirSync(staging, { recursive: true });
  for (const [name, output] of Object.entries(binaries)) {
    writeFileSync(join(staging, name), `#!/bin/sh\nprintf '%s\\n' ${JSON.stringify(output)}\n`);
    chmodSync(join(staging, name), 0o755);
  }
  const path = join(box.downloads, tarball);
  await execa("tar", ["-czf", path, "-C", join(box.root, "release"), dir]);
  return path;
}

describe("etcd.sh", () => {
  const V = "3.6.5";
  const TARBALL = `etcd-v${V}-linux-amd64.tar.gz`;
  const binaries = { etcd: `etcd Version: ${V}`, etcdctl: `etcdctl version: ${V}`, etcdutl: `etcdutl version: ${V}` };

  it("installs etcd, etcdctl and etcdutl for an etcd user, and a second run changes nothing", async () => {
    sandbox = scriptSandbox();
    const tar = await release(sandbox, TARBALL, `etcd-v${V}-linux-amd64`, binaries);
    writeFileSync(join(sandbox.downloads, "SHA256SUMS"), `${"1".repeat(64)}  etcd-v${V}-linux-arm64.tar.gz\n${sha256(tar)}  ${TARBALL}\n`);
    // A fresh Ubuntu has no etcd user (this machine's Debian etcd package made one).
    const fresh = join(sandbox.root, "fresh.sh");
    writeFileSync(fresh, "userdel etcd 2>/dev/null || true\ngroupdel etcd 2>/dev/null || true\n! id -u etcd 2>/dev/null\n");
    expect((await sandbox.run(fresh)).exitCode).toBe(0);

    const first = await sandbox.run(script("etcd/etcd.sh"), { ETCD_VERSION: V });
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain(`==> SHA-256 of ${TARBALL} verified`);
    expect(first.calls.filter((c) => c.startsWith("curl "))).toEqual([
      `curl https://github.com/etcd-io/etcd/releases/download/v${V}/${TARBALL}`,
      `curl https://github.com/etcd-io/etcd/releases/download/v${V}/SHA256SUMS`,
    ]);
    for (const name of Object.keys(binaries)) expect(statSync(sandbox.upper(`/usr/local/bin/${name}`)).mode & 0o777).toBe(0o755);
    const passwd = () => readFileSync(sandbox.upper("/etc/passwd"), "utf8");
    expect(passwd()).toMatch(/^etcd:x:\d+:\d+::\/var\/lib\/etcd:\/usr\/sbin\/nologin$/m);
    expect(statSync(sandbox.upper("/var/lib/etcd")).mode & 0o777).toBe(0o700);

    const second = await sandbox.run(script("etcd/etcd.sh"), { ETCD_VERSION: V });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(`==> etcd ${V} already installed`);
    expect(second.calls.filter((c) => c.startsWith("curl "))).toEqual([]);
    expect(passwd().match(/^etcd:/gm)).toHaveLength(1);
  });

  it("stops before installing anything when the tarball does not match the published SHA-256", async () => {
    sandbox = scriptSandbox();
    await release(sandbox, TARBALL, `etcd-v${V}-linux-amd64`, binaries);
    writeFileSync(join(sandbox.downloads, "SHA256SUMS"), `${"2".repeat(64)}  ${TARBALL}\n`);
    const run = await sandbox.run(script("etcd/etcd.sh"), { ETCD_VERSION: V });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: SHA-256 mismatch for ${TARBALL.replaceAll(".", "\\.")}: published 2{64}, downloaded [0-9a-f]{64}$`));
    expect(() => statSync(sandbox.upper("/usr/local/bin/etcd"))).toThrow();
  });
});

describe("helm.sh", () => {
  it("installs the pinned helm after checking its SHA-256, and skips the download when it is there", async () => {
    sandbox = scriptSandbox();
    const tar = await release(sandbox, "helm-v3.19.0-linux-amd64.tar.gz", "linux-amd64", { helm: "v3.19.0" });
    writeFileSync(join(sandbox.downloads, "helm-v3.19.0-linux-amd64.tar.gz.sha256sum"), `${sha256(tar)}  helm-v3.19.0-linux-amd64.tar.gz\n`);
    const first = await sandbox.run(script("node/helm.sh"), { HELM_VERSION: "3.19.0" });
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    expect(first.calls.filter((c) => c.startsWith("curl "))).toHaveLength(2);
    const second = await sandbox.run(script("node/helm.sh"), { HELM_VERSION: "3.19.0" });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe("==> helm 3.19.0 already installed");
    expect(second.calls).toEqual([]);
  });
});

describe("kernel.sh", () => {
  it("writes the modules and sysctls Kubernetes needs, turns swap off in fstab, and a second run leaves the files as they were", async () => {
    sandbox = scriptSandbox();
    writeFileSync(sandbox.upper("/etc/fstab"), "LABEL=cloudimg-rootfs / ext4 discard,errors=remount-ro 0 1\n/swap.img none swap sw 0 0\n");
    const files = ["/etc/modules-load.d/kx-kubernetes.conf", "/etc/sysctl.d/90-kx-kubernetes.conf", "/etc/fstab"];

    const first = await sandbox.run(script("node/kernel.sh"));
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    expect(first.calls).toEqual(expect.arrayContaining(["modprobe overlay", "modprobe br_netfilter", "sysctl --system", "swapoff -a"]));
    const after = files.map((f) => readFileSync(sandbox.upper(f), "utf8"));
    expect(after[0]).toBe("overlay\nbr_netfilter\n");
    expect(after[1]).toContain("net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\n");
    expect(after[1]).toContain("vm.max_map_count = 262144\n");
    expect(after[2]).toBe("LABEL=cloudimg-rootfs / ext4 discard,errors=remount-ro 0 1\n#/swap.img none swap sw 0 0\n");

    const second = await sandbox.run(script("node/kernel.sh"));
    expect(second.exitCode).toBe(0);
    expect(files.map((f) => readFileSync(sandbox.upper(f), "utf8"))).toEqual(after);
  });
});
