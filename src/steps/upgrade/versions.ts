/**
 * Kubernetes versions and the upgrade path kubeadm allows: never down, at most one
 * minor up, within the minors kx supports.
 */
import { SUPPORTED_K8S_MINORS } from "../../config/constants.js";
import { KxError, UsageError } from "../../engine/errors.js";

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

const PATTERN = /^v?(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(text: string, what: string): Version {
  const m = PATTERN.exec(text.trim());
  if (!m) throw new UsageError(`${what} "${text}" is not a Kubernetes version such as 1.37.1`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** "v1.37.1": the form kubeadm, kubectl and the API server print. */
export const withV = (v: Version) => `v${v.major}.${v.minor}.${v.patch}`;
/** "1.37": the minor, as pkgs.k8s.io names its repositories. */
export const minorOf = (v: Version) => `${v.major}.${v.minor}`;

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export const sameVersion = (a: string, b: string) => {
  const [x, y] = [PATTERN.exec(a.trim()), PATTERN.exec(b.trim())];
  return Boolean(x && y && x.slice(1).join(".") === y.slice(1).join("."));
};

/**
 * Checks that the cluster can go from `current` (the version in kubeadm's
 * ClusterConfiguration) to `target`; the message says what to do instead.
 */
export function checkUpgradePath(current: Version, target: Version): void {
  if (!SUPPORTED_K8S_MINORS.includes(minorOf(target) as (typeof SUPPORTED_K8S_MINORS)[number])) {
    throw new UsageError(`kx supports Kubernetes ${SUPPORTED_K8S_MINORS.join(", ")}; ${withV(target)} is not one of them`);
  }
  if (compareVersions(target, current) < 0) {
    throw new KxError(`the cluster runs ${withV(current)}: kubeadm does not downgrade it to ${withV(target)}`, {
      source: "user",
      exitCode: 2,
      hint: "Give --to a version at or above the cluster's. A downgrade means restoring etcd from a backup taken before the upgrade.",
    });
  }
  if (target.major !== current.major || target.minor > current.minor + 1) {
    const next = `${current.major}.${current.minor + 1}`;
    throw new KxError(`the cluster runs ${withV(current)}: Kubernetes upgrades one minor at a time, so ${withV(target)} is too far`, {
      source: "user",
      exitCode: 2,
      hint: `Upgrade to the newest ${next}.x first (kx upgrade --to ${next}.N), then to ${minorOf(target)}.`,
    });
  }
}
