/** openssl as the independent judge of what src/pki makes. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), "kx-pki-"));
  write(name: string, content: string): string {
    const file = join(this.path, name);
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** `openssl verify -CAfile ca leaf`; returns [ok, output]. */
export function verifyChain(dir: TempDir, caPem: string, leafPem: string, purpose?: string): [boolean, string] {
  const ca = dir.write(`ca-${Math.random()}.crt`, caPem);
  const leaf = dir.write(`leaf-${Math.random()}.crt`, leafPem);
  try {
    const out = openssl(["verify", ...(purpose ? ["-purpose", purpose] : []), "-CAfile", ca, leaf]);
    return [true, out];
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return [false, `${err.stdout ?? ""}${err.stderr ?? ""}`];
  }
}

/** kubeadm's documented way to compute --discovery-token-ca-cert-hash. */
export function opensslCaHash(caPem: string): string {
  const pub = openssl(["x509", "-pubkey", "-noout"], caPem);
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
  const hex = execFileSync("sha256sum", { input: der, encoding: "utf8" }).split(" ")[0];
  return `sha256:${hex}`;
}
