/** Small remote operations the kubernetes steps share. */
import { createHash } from "node:crypto";
import { SshError } from "../../engine/errors.js";
import { Secret } from "../../engine/secret.js";
import type { SshSession } from "../../ssh/types.js";
import { shellQuote } from "../../ssh/shell.js";

export const ADMIN_CONF = "/etc/kubernetes/admin.conf";
export const KUBELET_CONF = "/etc/kubernetes/kubelet.conf";
export const KX_DIR = "/etc/kubernetes/kx";
export const KUBECTL = `kubectl --kubeconfig ${ADMIN_CONF}`;

export async function fileExists(session: SshSession, path: string): Promise<boolean> {
  const r = await session.exec(`test -e ${shellQuote(path)}`, { sudo: true, allowFailure: true, readOnly: true });
  return r.code === 0;
}

/** Writes the file only when its content differs (a re-run then writes nothing). Returns whether it wrote. */
export async function placeFile(session: SshSession, path: string, content: string | Secret, mode: number): Promise<boolean> {
  const text = typeof content === "string" ? content : content.reveal();
  const want = createHash("sha256").update(text).digest("hex");
  const r = await session.exec(`sha256sum ${shellQuote(path)} 2>/dev/null; stat -c %a ${shellQuote(path)} 2>/dev/null`, {
    sudo: true,
    allowFailure: true,
    readOnly: true,
  });
  const [sumLine = "", modeLine = ""] = r.stdout.trim().split("\n");
  if (sumLine.split(/\s+/)[0] === want && parseInt(modeLine, 8) === mode) return false;
  await session.upload(path, content, { mode, owner: "root:root" });
  return true;
}

/** Whether the API answers through the kubeconfig on this host (GET /readyz). */
export async function apiReady(session: SshSession, kubeconfig = ADMIN_CONF): Promise<{ ok: boolean; detail: string }> {
  const r = await session.exec(`kubectl --kubeconfig ${shellQuote(kubeconfig)} get --raw /readyz`, {
    sudo: true,
    allowFailure: true,
    readOnly: true,
    timeoutMs: 30_000,
  });
  return { ok: r.code === 0, detail: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ") };
}

/** A node's Kubernetes object as the API reports it, or undefined. */
export async function getNode(session: SshSession, nodeName: string): Promise<{ labels: Record<string, string> } | undefined> {
  const r = await session.exec(`${KUBECTL} get node ${shellQuote(nodeName)} -o json`, { sudo: true, allowFailure: true, readOnly: true });
  if (r.code !== 0) return undefined;
  const node = JSON.parse(r.stdout) as { metadata?: { labels?: Record<string, string> } };
  return { labels: node.metadata?.labels ?? {} };
}

/** Runs a command that must succeed; its failure names the host, the command and stderr's tail. */
export async function run(session: SshSession, command: string, label: string, timeoutMs = 10 * 60_000): Promise<string> {
  const r = await session.exec(command, { sudo: true, allowFailure: true, timeoutMs, label });
  if (r.code !== 0) {
    throw new SshError(session.target.name, `${label} failed (exit ${r.code})`, {
      command: label,
      exitCode: r.code,
      stderrTail: (r.stderr || r.stdout).trim().split("\n").slice(-15).join("\n"),
    });
  }
  return r.stdout;
}

export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
