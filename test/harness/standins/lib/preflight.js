// @ts-check
/** kubeadm's preflight checks that matter here, failing with kubeadm's wording. */
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { EtcdStore } from "./etcd-store.js";

export class PreflightError extends Error {}

export class Preflight {
  /** @param {string[]} ignored names given to --ignore-preflight-errors */
  constructor(ignored = []) {
    this.errors = [];
    this.ignored = ignored.map((s) => s.toLowerCase());
  }

  error(name, message) {
    if (this.ignored.includes("all") || this.ignored.includes(name.toLowerCase())) {
      process.stderr.write(`\t[WARNING ${name}]: ${message}\n`);
    } else this.errors.push(`\t[ERROR ${name}]: ${message}`);
  }

  root() {
    if (process.getuid?.() !== 0) this.error("IsPrivilegedUser", "user is not running as root");
  }

  fileAvailable(path) {
    if (existsSync(path)) this.error(`FileAvailable-${path.replaceAll("/", "-")}`, `${path} already exists`);
  }

  async portFree(address, port) {
    const free = await new Promise((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, address, () => s.close(() => resolve(true)));
    });
    if (!free) this.error(`Port-${port}`, `Port ${port} is in use`);
  }

  /** ExternalEtcdClientCertificates + ExternalEtcdVersion. */
  async externalEtcd(external) {
    let filesOk = true;
    for (const f of [external.caFile, external.certFile, external.keyFile]) {
      if (f && !existsSync(f)) {
        this.error("ExternalEtcdClientCertificates", `${f} doesn't exist`);
        filesOk = false;
      }
    }
    if (!filesOk) return;
    for (const endpoint of external.endpoints ?? []) {
      try {
        await new EtcdStore({ ...external, endpoints: [endpoint] }).version();
      } catch (e) {
        this.error("ExternalEtcdVersion", /** @type {Error} */ (e).message);
      }
    }
  }

  /** @param {string} phase what kubeadm says before the errors (init and join: the preflight phase; upgrade: its health check) */
  finish(phase = "error execution phase preflight: ") {
    if (this.errors.length === 0) return;
    throw new PreflightError(
      `${phase}[preflight] Some fatal errors occurred:\n${this.errors.join("\n")}\n` +
        "[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`",
    );
  }
}
