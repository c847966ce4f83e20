#!/usr/bin/env node
// @ts-check
/**
 * apt-get, apt-cache and apt-mark stand-ins (one file, linked under the three names) for
 * pkgs.k8s.io's kubeadm, kubelet and kubectl on a test host, over the host's private
 * package database (lib/packages.js). They check what apt checks:
 *
 *   apt-get update [-q|-qq]          every line of /etc/apt/sources.list.d/*.list must be a
 *                                     pkgs.k8s.io minor repository ("deb [signed-by=KEYRING] URL /")
 *                                     whose keyring holds the signing key (else NO_PUBKEY, exit
 *                                     100); a minor pkgs.k8s.io does not publish is a 404 (exit 100).
 *                                     The lists fetched are those of the listed minors only.
 *   apt-cache madison PKG…           one line per version in the lists, newest first; nothing
 *                                     before an update.
 *   apt-get install [-y] [-q] [--allow-change-held-packages] [--allow-downgrades] PKG[=VERSION]…
 *                                     the version must be in the lists ("E: Version … was not
 *                                     found", exit 100); a held package changes only with
 *                                     --allow-change-held-packages, a downgrade only with
 *                                     --allow-downgrades (with -y; without -y apt asks, and with
 *                                     no terminal it aborts).
 *   apt-mark hold|unhold PKG…, apt-mark showhold
 *
 * Anything else (another package, command or option) is refused loudly; nothing ever
 * reaches the machine's real apt.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename } from "node:path";
import { CATALOG, KEYRING_CONTENT, PACKAGES, SIGNING_KEY_ID, SOURCES_DIR, compareVersions, minorOfRepository, packageVersion, readPackageState, writePackageState } from "./lib/packages.js";

const tool = basename(process.argv[1] ?? "");
const argv = process.argv.slice(2);

/** apt's error: "E: …", exit 100. */
function die(message, code = 100) {
  process.stderr.write(`E: ${message}\n`);
  process.exit(code);
}

function state() {
  const s = readPackageState();
  if (!s) die(`Could not open file /var/lib/dpkg/status - open (2: No such file or directory) (the apt stand-in's package database was not seeded: installStandins)`);
  return /** @type {import("./lib/packages.js").PackageState} */ (s);
}

/** Splits options from words, refusing options this stand-in does not model. */
function options(allowed) {
  const flags = new Set();
  const words = [];
  for (const arg of argv) {
    if (arg === "--yes" || arg === "--assume-yes") flags.add("-y");
    else if (arg === "--quiet") flags.add("-q");
    else if (/^-[a-z]+$/.test(arg) && arg.length > 2 && !arg.startsWith("--")) for (const c of arg.slice(1)) flags.add(`-${c}`);
    else if (arg.startsWith("-")) flags.add(arg);
    else words.push(arg);
  }
  for (const f of flags) if (!allowed.includes(f)) die(`Command line option '${f.replace(/^-+/, "")}' [from ${f}] is not understood in combination with the other options.`);
  return { flags, words };
}

function requireModelled(pkg) {
  if (!PACKAGES.includes(pkg)) die(`Unable to locate package ${pkg} (the apt stand-in models only pkgs.k8s.io's ${PACKAGES.join(", ")})`);
}

/** The repositories of the sources lists: [{ url, minor, keyring }]. */
function sources() {
  const found = [];
  const files = existsSync(SOURCES_DIR) ? readdirSync(SOURCES_DIR).filter((f) => f.endsWith(".list")).sort() : [];
  for (const f of files) {
    const path = `${SOURCES_DIR}/${f}`;
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((raw, i) => {
        const line = raw.replace(/#.*/, "").trim();
        if (!line) return;
        const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
        if (!m) die(`Malformed entry ${i + 1} in list file ${path} (Component)`);
        const [, opts = "", url, suite, components] = m;
        const minor = minorOfRepository(url);
        if (!minor) die(`the apt stand-in models only pkgs.k8s.io's repositories, not ${url} (${path}:${i + 1})`);
        if (suite !== "/" || components) die(`Malformed entry ${i + 1} in list file ${path} (absolute Suite Component): pkgs.k8s.io is a flat repository ("${url} /")`);
        const keyring = /(?:^|\s)signed-by=(\S+)/.exec(opts)?.[1];
        found.push({ url: url.endsWith("/") ? url : `${url}/`, minor, keyring });
      });
  }
  return found;
}

/** The lists' line label of a repository: "https://pkgs.k8s.io/core:/stable:/v1.37/deb" */
const label = (url) => url.replace(/\/$/, "");

function update() {
  const extra = options(["-q", "-y"]).words.slice(1);
  if (extra.length) die("The update command takes no arguments");
  const s = state();
  const lists = {};
  let n = 0;
  let failed = false;
  for (const src of sources()) {
    n++;
    const key = src.keyring && existsSync(src.keyring) ? readFileSync(src.keyring, "utf8") : "";
    if (key !== KEYRING_CONTENT) {
      process.stdout.write(`Get:${n} ${label(src.url)}  InRelease [1,186 B]\nErr:${n} ${label(src.url)}  InRelease\n  The following signatures couldn't be verified because the public key is not available: NO_PUBKEY ${SIGNING_KEY_ID}\n`);
      process.stderr.write(`W: GPG error: ${label(src.url)}  InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY ${SIGNING_KEY_ID}\n`);
      process.stderr.write(`E: The repository '${label(src.url)}  InRelease' is not signed.\n`);
      failed = true;
      continue;
    }
    const published = CATALOG[src.minor];
    if (!published) {
      process.stdout.write(`Ign:${n} ${label(src.url)}  InRelease\nErr:${n} ${label(src.url)}  Release\n  404  Not Found [IP: 34.107.204.206 443]\n`);
      process.stderr.write(`E: The repository '${label(src.url)}  Release' does not have a Release file.\n`);
      failed = true;
      continue;
    }
    process.stdout.write(`Get:${n} ${label(src.url)}  InRelease [1,186 B]\nGet:${n + 1} ${label(src.url)}  Packages [${published.length * 1180} B]\n`);
    n++;
    lists[src.url] = published.map(packageVersion);
  }
  process.stdout.write("Reading package lists...\n");
  if (failed) {
    process.stderr.write("N: Updating from such a repository can't be done securely, and is therefore disabled by default.\n");
    process.exit(100);
  }
  writePackageState({ ...s, lists });
}

/** Versions of the lists of repositories still in the sources (apt ignores lists of removed entries). */
function available() {
  const s = state();
  const listed = new Set(sources().map((src) => src.url));
  return Object.entries(s.lists)
    .filter(([url]) => listed.has(url))
    .flatMap(([url, versions]) => versions.map((version) => ({ url, version })))
    .sort((a, b) => compareVersions(b.version, a.version));
}

function madison(pkgs) {
  if (pkgs.length === 0) die("No packages found");
  let any = false;
  for (const pkg of pkgs) {
    requireModelled(pkg);
    for (const { url, version } of available()) {
      any = true;
      process.stdout.write(`${pkg.padStart(10)} | ${version} | ${label(url)}  Packages\n`);
    }
  }
  const s = state();
  const unknown = pkgs.filter((p) => !s.installed[p]);
  if (!any && unknown.length) process.stderr.write(`N: Unable to locate package ${unknown[0]}\n`);
}

function install() {
  const { flags, words: [, ...words] } = options(["-y", "-q", "--allow-change-held-packages", "--allow-downgrades", "--no-install-recommends"]);
  const s = state();
  const versions = available();
  if (words.length === 0) die("Must specify at least one package to install");
  /** @type {{ pkg: string, from: string, to: string, held: boolean }[]} */
  const plan = [];
  for (const word of words) {
    const [pkg, wanted] = word.split("=");
    requireModelled(pkg);
    let to;
    if (wanted !== undefined) {
      if (!versions.some((v) => v.version === wanted)) die(`Version '${wanted}' for '${pkg}' was not found`);
      to = wanted;
    } else {
      to = versions[0]?.version ?? s.installed[pkg]?.version;
      if (!to) die(`Package '${pkg}' has no installation candidate`);
    }
    const from = s.installed[pkg]?.version ?? "";
    plan.push({ pkg, from, to, held: Boolean(s.installed[pkg]?.hold) });
  }
  const changed = plan.filter((p) => p.from !== p.to);
  const held = changed.filter((p) => p.held).map((p) => p.pkg);
  const downgraded = changed.filter((p) => p.from && compareVersions(p.to, p.from) < 0).map((p) => p.pkg);
  const upgraded = changed.filter((p) => p.from && compareVersions(p.to, p.from) > 0).map((p) => p.pkg);
  const fresh = changed.filter((p) => !p.from).map((p) => p.pkg);
  const out = ["Reading package lists...", "Building dependency tree...", "Reading state information..."];
  for (const p of plan.filter((x) => x.from === x.to)) out.push(`${p.pkg} is already the newest version (${p.to}).`);
  const group = (title, names) => (names.length ? [title, `  ${names.join(" ")}`] : []);
  out.push(...group("The following held packages will be changed:", held));
  out.push(...group("The following packages will be DOWNGRADED:", downgraded));
  out.push(...group("The following packages will be upgraded:", upgraded));
  out.push(...group("The following NEW packages will be installed:", fresh));
  out.push(`${upgraded.length} upgraded, ${fresh.length} newly installed, ${downgraded.length ? `${downgraded.length} downgraded, ` : ""}0 to remove and 0 not upgraded.`);
  process.stdout.write(`${out.join("\n")}\n`);
  if (held.length || downgraded.length) {
    if (!flags.has("-y")) {
      process.stdout.write("Do you want to continue? [Y/n] Abort.\n");
      process.exit(1);
    }
    if (held.length && !flags.has("--allow-change-held-packages")) die("Held packages were changed and -y was used without --allow-change-held-packages.");
    if (downgraded.length && !flags.has("--allow-downgrades")) die("Packages were downgraded and -y was used without --allow-downgrades.");
  }
  for (const p of changed) {
    process.stdout.write(`${p.from ? `Unpacking ${p.pkg} (${p.to}) over (${p.from}) ...` : `Unpacking ${p.pkg} (${p.to}) ...`}\nSetting up ${p.pkg} (${p.to}) ...\n`);
    // The hold mark is dpkg's selection: installing the package does not clear it.
    s.installed[p.pkg] = { version: p.to, hold: p.held };
  }
  writePackageState(s);
}

function aptGet() {
  const [command] = options(["-y", "-q", "--allow-change-held-packages", "--allow-downgrades", "--no-install-recommends"]).words;
  if (command === "update") return update();
  if (command === "install") return install();
  die(`the apt-get stand-in models only update and install, not "${command ?? ""}"`);
}

function aptCache() {
  const { words } = options([]);
  const [command, ...pkgs] = words;
  if (command === "madison") return madison(pkgs);
  die(`the apt-cache stand-in models only madison, not "${command ?? ""}"`);
}

function aptMark() {
  const { words } = options([]);
  const [command, ...pkgs] = words;
  const s = state();
  if (command === "showhold") {
    const held = Object.entries(s.installed).filter(([, i]) => i.hold).map(([p]) => p).sort();
    if (held.length) process.stdout.write(`${held.join("\n")}\n`);
    return;
  }
  if (command !== "hold" && command !== "unhold") die(`the apt-mark stand-in models only hold, unhold and showhold, not "${command ?? ""}"`);
  if (pkgs.length === 0) die("No packages found");
  for (const pkg of pkgs) {
    requireModelled(pkg);
    const installed = s.installed[pkg];
    if (!installed) die(`Unable to locate package ${pkg}`);
    const hold = command === "hold";
    if (installed.hold === hold) process.stdout.write(hold ? `${pkg} was already set on hold.\n` : `${pkg} was already not on hold.\n`);
    else process.stdout.write(hold ? `${pkg} set on hold.\n` : `Canceled hold on ${pkg}.\n`);
    installed.hold = hold;
  }
  writePackageState(s);
}

const tools = { "apt-get": aptGet, "apt-cache": aptCache, "apt-mark": aptMark };
const run = tools[tool];
if (!run) die(`the apt stand-in runs as apt-get, apt-cache or apt-mark, not "${tool}"`);
run();
