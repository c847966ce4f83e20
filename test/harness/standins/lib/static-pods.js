// @ts-check
/**
 * The kube-apiserver static pod as a process of its own (kube-apiserver-pod.js), as the
 * container runtime keeps a container apart from the kubelet: restarting or stopping the
 * kubelet leaves it serving; the kubelet (re)creates it when its manifest changes or it
 * died, and `kubeadm reset` removes it (crictl rm). Its state is in /run/kx/pods (the
 * host's private /run/kx), its output in /var/log/kube-apiserver.log.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sleep } from "./common.js";

const POD_DIR = "/run/kx/pods";
const POD_MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "kube-apiserver-pod.js");

/** @typedef {{ pid: number, started: string, hash: string }} PodState */

/** The process's start time (field 22 of /proc/PID/stat), or "" when it is gone or a zombie. */
function startTime(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return fields[0] === "Z" ? "" : (fields[19] ?? "");
  } catch {
    return "";
  }
}

const stateFile = (name) => `${POD_DIR}/${name}.json`;

/** @returns {PodState | undefined} */
function readState(name) {
  return existsSync(stateFile(name)) ? JSON.parse(readFileSync(stateFile(name), "utf8")) : undefined;
}

/** The running pod of that name (a pid reused by another process is not it). */
export function runningPod(name) {
  const state = readState(name);
  return state && startTime(state.pid) === state.started ? state : undefined;
}

/** A pod started and no longer running: it crashed. */
export const crashedPod = (name) => readState(name) !== undefined && runningPod(name) === undefined;

export const manifestHash = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Starts the pod from its manifest; it outlives the kubelet that started it. */
export function startPod(name, manifestPath) {
  mkdirSync(POD_DIR, { recursive: true });
  const log = openSync(`/var/log/${name}.log`, "a");
  const child = spawn(process.execPath, [POD_MAIN, manifestPath], { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  const pid = /** @type {number} */ (child.pid);
  writeFileSync(stateFile(name), JSON.stringify({ pid, started: startTime(pid), hash: manifestHash(manifestPath) }));
}

/** Stops the pod and waits until it is gone (SIGKILL after 10 s). */
export async function stopPod(name) {
  const state = runningPod(name);
  rmSync(stateFile(name), { force: true });
  if (!state) return;
  process.kill(state.pid, "SIGTERM");
  for (let i = 0; i < 200 && startTime(state.pid) === state.started; i++) await sleep(50);
  if (startTime(state.pid) === state.started) process.kill(state.pid, "SIGKILL");
}

/** kubeadm reset's `crictl rm`: every pod of the node. */
export async function removeAllPods() {
  if (!existsSync(POD_DIR)) return;
  for (const f of readdirSync(POD_DIR).filter((x) => x.endsWith(".json"))) await stopPod(f.replace(/\.json$/, ""));
}

/** The last line a pod printed (why it died). */
export function lastLogLine(name) {
  const path = `/var/log/${name}.log`;
  if (!existsSync(path)) return "";
  return readFileSync(path, "utf8").trim().split("\n").at(-1) ?? "";
}
