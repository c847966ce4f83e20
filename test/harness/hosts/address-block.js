// @ts-check
/**
 * A random 127.X.Y.0/24 block per test run, so concurrent test files (and developers on
 * the same machine) never collide: reserved with an atomic mkdir, refused when anything
 * already listens in it, released by stop().
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomInt } from "node:crypto";

const LOCKS = "/tmp/kx-test-hosts-locks";

/** @returns {{ prefix: string, release(): void }} prefix like "127.23.117" */
export function reserveAddressBlock() {
  mkdirSync(LOCKS, { recursive: true });
  for (let attempt = 0; attempt < 50; attempt++) {
    // 127.0.x is where the machine's own names live (127.0.0.1, Debian's 127.0.1.1).
    const prefix = `127.${randomInt(1, 255)}.${randomInt(0, 256)}`;
    const lock = `${LOCKS}/${prefix}`;
    if (!tryLock(lock)) continue;
    if (listenersIn(prefix)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    return { prefix, release: () => rmSync(lock, { recursive: true, force: true }) };
  }
  throw new Error("test hosts: no free 127.X.Y.0/24 block after 50 tries");
}

function tryLock(lock) {
  try {
    mkdirSync(lock);
  } catch {
    // Held: reclaim it only when its owner is gone.
    let owner = 0;
    try {
      owner = Number(readFileSync(`${lock}/pid`, "utf8"));
    } catch {
      return false;
    }
    if (owner && processAlive(owner)) return false;
    rmSync(lock, { recursive: true, force: true });
    try {
      mkdirSync(lock);
    } catch {
      return false;
    }
  }
  writeFileSync(`${lock}/pid`, String(process.pid));
  return true;
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when any TCP socket is bound in prefix.0/24 (from /proc/net/tcp, little-endian hex). */
function listenersIn(prefix) {
  const [a, b, c] = prefix.split(".").map(Number);
  const hex = [c, b, a].map((n) => n.toString(16).padStart(2, "0").toUpperCase()).join("");
  const table = readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1);
  return table.some((line) => {
    const local = line.trim().split(/\s+/)[1];
    return local !== undefined && local.slice(2, 8) === hex;
  });
}
