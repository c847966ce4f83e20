// @ts-check
import { createHash, generateKeyPairSync } from "node:crypto";

/**
 * The serial console cloud-init leaves behind: its fingerprint block and the
 * `-----BEGIN SSH HOST KEY KEYS-----` block that kx reads to pin a new instance's host key.
 */

/** A fresh ed25519 host key line for instances with no test host behind them. */
export function generatedHostKey() {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(/** @type {string} */ (publicKey.export({ format: "jwk" }).x), "base64url");
  const type = Buffer.from("ssh-ed25519");
  const blob = Buffer.concat([u32(type.length), type, u32(raw.length), raw]);
  return `ssh-ed25519 ${blob.toString("base64")}`;
}

/** @param {number} n */
function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** @param {string} line */
function fingerprint(line) {
  const [type, b64] = line.split(" ");
  const blob = Buffer.from(b64 ?? "", "base64");
  const sha = createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
  const label = { "ssh-ed25519": "ED25519", "ssh-rsa": "RSA", "ecdsa-sha2-nistp256": "ECDSA" }[type] ?? type.toUpperCase();
  const bits = type === "ssh-rsa" ? Math.round(((blob.length - 20) * 8) / 1024) * 1024 : 256;
  return `${bits} SHA256:${sha} root@HOST (${label})`;
}

/**
 * @param {{ privateIp: string, hostKeys: string[], launchTime: Date, id: string }} inst
 */
export function consoleText(inst) {
  const host = `ip-${inst.privateIp.replaceAll(".", "-")}`;
  const t = inst.launchTime;
  const stamp = t.toUTCString().slice(5, 25);
  const ci = (/** @type {string} */ s) => `<14>${stamp} cloud-init[1024]: ${s}`;
  return [
    `[    0.000000] Linux version 6.8.0-1018-aws (buildd@lcy02-amd64-050) (x86_64-linux-gnu-gcc-13) #19-Ubuntu SMP`,
    `[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=PARTUUID=6c7a2b0e-01 ro console=tty1 console=ttyS0`,
    `[    2.413201] EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode.`,
    `[  OK  ] Started cloud-init-local.service - Cloud-init: Local Stage (pre-network).`,
    `[  OK  ] Started cloud-init.service - Cloud-init: Network Stage.`,
    `Cloud-init v. 24.1.3 running 'init' at ${t.toUTCString()}. Up 6.12 seconds.`,
    `ci-info: ++++++++++++++++++++++++++++++++++++++Net device info++++++++++++++++++++++++++++++++++++++`,
    `ci-info: |  ens5  | True |  ${inst.privateIp}  | 255.255.255.0 | global | 0a:00:00:00:00:01 |`,
    `Generating public/private ed25519 key pair.`,
    `Your public key has been saved in /etc/ssh/ssh_host_ed25519_key.pub`,
    ci(`#############################################################`),
    ci(`-----BEGIN SSH HOST KEY FINGERPRINTS-----`),
    ...inst.hostKeys.map((k) => ci(fingerprint(k).replace("HOST", host))),
    ci(`-----END SSH HOST KEY FINGERPRINTS-----`),
    ci(`#############################################################`),
    `-----BEGIN SSH HOST KEY KEYS-----`,
    ...inst.hostKeys.map((k) => `${k.split(" ").slice(0, 2).join(" ")} root@${host}`),
    `-----END SSH HOST KEY KEYS-----`,
    `Cloud-init v. 24.1.3 running 'modules:final' at ${t.toUTCString()}. Up 14.80 seconds.`,
    `Cloud-init v. 24.1.3 finished at ${t.toUTCString()}. Datasource DataSourceEc2Local.  Up 15.02 seconds`,
    "",
    `Ubuntu 24.04.1 LTS ${host} ttyS0`,
    "",
    `${host} login: `,
  ].join("\r\n");
}

