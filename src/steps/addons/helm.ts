/**
 * Helm releases, driven over SSH on the first control-plane node with the admin
 * kubeconfig (the node image carries a pinned helm). A release is described by a typed
 * spec; its values are rendered to YAML, written next to the kubeadm configs, and given
 * to `helm upgrade --install`, which is idempotent. Planning reads `helm status`: a
 * release is up to date when it is deployed from the same chart version with the same
 * values.
 */
import { stringify } from "yaml";
import { KxError } from "../../engine/errors.js";
import { stableStringify } from "../../engine/stable-json.js";
import type { SshSession } from "../../ssh/types.js";
import { shellQuote } from "../../ssh/shell.js";
import { ADMIN_CONF, KX_DIR, placeFile, run } from "../kubernetes/remote.js";

export interface HelmRelease {
  release: string;
  chart: string;
  repo: string;
  version: string;
  namespace: string;
  values: Record<string, unknown>;
}

export type ReleaseState = { kind: "absent" } | { kind: "current" } | { kind: "differs"; why: string };

const HELM = `helm --kubeconfig ${ADMIN_CONF}`;

export function valuesPath(r: HelmRelease): string {
  return `${KX_DIR}/addons/${r.release}.yaml`;
}

export function renderValues(r: HelmRelease): string {
  return `# kx: values of the ${r.chart} ${r.version} release ${r.namespace}/${r.release}\n${stringify(r.values)}`;
}

interface HelmStatus {
  version?: number;
  info?: { status?: string };
  chart?: { metadata?: { name?: string; version?: string } };
  config?: Record<string, unknown>;
}

export async function releaseState(session: SshSession, r: HelmRelease): Promise<ReleaseState> {
  const res = await session.exec(`${HELM} status ${shellQuote(r.release)} --namespace ${shellQuote(r.namespace)} -o json`, {
    sudo: true,
    allowFailure: true,
    readOnly: true,
  });
  if (res.code !== 0) {
    if (/release: not found/.test(res.stderr)) return { kind: "absent" };
    throw new Error(`helm status ${r.release} failed: ${res.stderr.trim().split("\n").slice(-3).join(" ")}`);
  }
  const status = JSON.parse(res.stdout) as HelmStatus;
  const chart = status.chart?.metadata;
  if (status.info?.status !== "deployed") return { kind: "differs", why: `release is ${status.info?.status ?? "in an unknown state"}` };
  if (chart?.name !== r.chart || chart?.version !== r.version) return { kind: "differs", why: `chart ${chart?.name} ${chart?.version} → ${r.chart} ${r.version}` };
  if (stableStringify(status.config ?? {}) !== stableStringify(r.values)) return { kind: "differs", why: "values changed" };
  return { kind: "current" };
}

/** helm upgrade --install with kx's values file; waits for the release's workloads. */
export async function installRelease(session: SshSession, r: HelmRelease): Promise<void> {
  const helm = await session.exec("command -v helm", { sudo: true, allowFailure: true, readOnly: true });
  if (helm.code !== 0) {
    throw new KxError(`helm is not installed on ${session.target.name}: kx installs the add-ons with it from the first control-plane node`, {
      source: "user",
      hint: "kx's node image has it; on your own machines install helm 3 (https://helm.sh/docs/intro/install/) on the first control-plane host, then run kx again.",
    });
  }
  await placeFile(session, valuesPath(r), renderValues(r), 0o600);
  const command = [
    HELM,
    "upgrade --install",
    shellQuote(r.release),
    shellQuote(r.chart),
    `--repo ${shellQuote(r.repo)}`,
    `--version ${shellQuote(r.version)}`,
    `--namespace ${shellQuote(r.namespace)} --create-namespace`,
    `--values ${shellQuote(valuesPath(r))}`,
    "--wait --timeout 10m0s",
  ].join(" ");
  await run(session, command, `helm upgrade --install ${r.release}`, 11 * 60_000);
}

export interface ReleaseSummary {
  name: string;
  namespace: string;
  chart: string;
  status: string;
}

/** Every release in the cluster, as `helm list -A` reports them. */
export async function listReleases(session: SshSession): Promise<ReleaseSummary[]> {
  const r = await session.exec(`${HELM} list --all-namespaces -o json`, { sudo: true, readOnly: true, timeoutMs: 30_000 });
  const rows = JSON.parse(r.stdout || "[]") as { name: string; namespace: string; chart: string; status: string }[];
  return rows.map(({ name, namespace, chart, status }) => ({ name, namespace, chart, status }));
}
