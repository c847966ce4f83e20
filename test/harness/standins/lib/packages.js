// @ts-check
/**
 * The node's Debian packages of Kubernetes, as the stand-ins model them: pkgs.k8s.io (one
 * apt repository per minor, a catalog of published versions) and a per-host package
 * database in a private directory of the test host (installed versions, hold marks, and
 * the package lists the last `apt-get update` fetched). kubeadm, kubectl and kubelet
 * report the version installed here; the apt stand-in (apt.js) changes it.
 *
 * A host without the database (a stand-in run outside installStandins) reports
 * KX_STANDIN_VERSION, default v1.36.1. KX_STANDIN_VERSION set in a stand-in's own
 * environment stands for a binary of that version run in place of the package's.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const DEFAULT_VERSION = "v1.36.1";
/** The private directory of the stand-in package database (a PRIVATE_DIRS entry of the test hosts). */
export const PACKAGE_DB = "/var/lib/kx-standin-apt";
export const KEYRING = "/etc/apt/keyrings/kubernetes-apt-keyring.gpg";
export const SOURCES_DIR = "/etc/apt/sources.list.d";
export const SOURCES_LIST = `${SOURCES_DIR}/kubernetes.list`;
/** The packages modelled: pkgs.k8s.io's three. Anything else is refused. */
export const PACKAGES = ["kubeadm", "kubelet", "kubectl"];
/** pkgs.k8s.io's signing key (isv:kubernetes, the same for every minor), dearmored: what the keyring must hold. */
export const SIGNING_KEY_ID = "234654DA9A296436";
export const KEYRING_CONTENT = `kx stand-in OpenPGP public key ${SIGNING_KEY_ID} (isv:kubernetes OBS Project <isv:kubernetes@build.opensuse.org>)\n`;

/** Published Kubernetes versions per minor, oldest first. */
export const CATALOG = {
  "1.35": ["1.35.0", "1.35.1", "1.35.2", "1.35.3", "1.35.4"],
  "1.36": ["1.36.0", "1.36.1", "1.36.2", "1.36.3"],
  "1.37": ["1.37.0", "1.37.1"],
};

/** pkgs.k8s.io's package version of a Kubernetes version: "1.37.1" -> "1.37.1-1.1". */
export const packageVersion = (kubernetesVersion) => `${kubernetesVersion.replace(/^v/, "")}-1.1`;
/** "1.37.1-1.1" -> "v1.37.1" */
export const binaryVersion = (pkgVersion) => `v${pkgVersion.replace(/-.*$/, "")}`;
export const repositoryUrl = (minor) => `https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`;

/** The minor a pkgs.k8s.io repository URL serves ("1.37"), or undefined when it is not one. */
export function minorOfRepository(url) {
  const m = /^https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v(\d+\.\d+)\/deb\/?$/.exec(url);
  return m?.[1];
}

/** Debian version order for pkgs.k8s.io's versions (all of the form X.Y.Z-R.S). */
export function compareVersions(a, b) {
  const parts = (v) => v.split(/[.-]/).map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * @typedef {{ version: string, hold: boolean }} Installed
 * @typedef {{ installed: Record<string, Installed>, lists: Record<string, string[]> }} PackageState
 * lists: repository URL -> the package versions its Packages file lists (every modelled package has them all)
 */

/** @param {string} root "" inside a host; the host's directory from outside (installStandins) */
const statusFile = (root = "") => join(root, PACKAGE_DB, "status.json");

/** @returns {PackageState | undefined} */
export function readPackageState(root = "") {
  const file = statusFile(root);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/** @param {PackageState} state */
export function writePackageState(state, root = "") {
  const file = statusFile(root);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The version ("v1.37.1") of a package's binary on this host. */
export function installedVersion(pkg) {
  if (process.env.KX_STANDIN_VERSION) return process.env.KX_STANDIN_VERSION;
  const state = readPackageState();
  if (!state) return DEFAULT_VERSION;
  const installed = state.installed[pkg];
  if (!installed) throw new Error(`${pkg}: command not found (the ${pkg} package is not installed)`);
  return binaryVersion(installed.version);
}

/**
 * What the node image leaves behind (packer/scripts/node/kubernetes.sh): the three
 * packages at `version`, held; pkgs.k8s.io's keyring and the sources list of that minor.
 * @param {(path: string) => string} pathOnHost
 * @param {string} version "v1.36.1"
 */
export function seedNodeImage(pathOnHost, version) {
  const pkg = packageVersion(version);
  const minor = version.replace(/^v/, "").split(".").slice(0, 2).join(".");
  writePackageState({ installed: Object.fromEntries(PACKAGES.map((p) => [p, { version: pkg, hold: true }])), lists: {} }, pathOnHost("/"));
  mkdirSync(pathOnHost(dirname(KEYRING)), { recursive: true, mode: 0o755 });
  writeFileSync(pathOnHost(KEYRING), KEYRING_CONTENT, { mode: 0o644 });
  mkdirSync(pathOnHost(SOURCES_DIR), { recursive: true });
  writeFileSync(pathOnHost(SOURCES_LIST), `deb [signed-by=${KEYRING}] ${repositoryUrl(minor)} /\n`);
}
