/**
 * The shell script that moves kubeadm, kubelet or kubectl on a node to one version from
 * pkgs.k8s.io, the way kx's node image installed them (packer/scripts/node/kubernetes.sh)
 * and the Kubernetes install guide does: one apt repository per minor, signed by the
 * keyring already on the node, the packages held so no unattended upgrade moves them.
 */
import { minorOf, type Version } from "./versions.js";

export const K8S_KEYRING = "/etc/apt/keyrings/kubernetes-apt-keyring.gpg";
export const K8S_SOURCES = "/etc/apt/sources.list.d/kubernetes.list";

export type K8sPackage = "kubeadm" | "kubelet" | "kubectl";

export function packagesScript(version: Version, packages: readonly K8sPackage[]): string {
  const exact = `${version.major}.${version.minor}.${version.patch}`;
  const repo = `https://pkgs.k8s.io/core:/stable:/v${minorOf(version)}/deb/`;
  const first = packages[0]!;
  return [
    "set -eu",
    `keyring=${K8S_KEYRING}`,
    `repo="${repo}"`,
    `[ -s "$keyring" ] || { echo "no pkgs.k8s.io keyring at $keyring: this node's packages were not installed from pkgs.k8s.io" >&2; exit 1; }`,
    `printf 'deb [signed-by=%s] %s /\\n' "$keyring" "$repo" > ${K8S_SOURCES}`,
    "apt-get update -q",
    // The repository's package version carries a revision ("1.37.1-1.1").
    `pkg=$(apt-cache madison ${first} | awk -v v="${exact}-" 'index($3, v) == 1 { print $3; exit }')`,
    `[ -n "$pkg" ] || { echo "pkgs.k8s.io has no ${first} ${exact} in $repo" >&2; exit 1; }`,
    `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-change-held-packages --allow-downgrades ${packages.map((p) => `"${p}=$pkg"`).join(" ")}`,
    `apt-mark hold ${packages.join(" ")}`,
    "",
  ].join("\n");
}
