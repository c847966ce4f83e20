#!/usr/bin/env bash
# kubelet, kubeadm and kubectl at exactly K8S_VERSION from pkgs.k8s.io (one apt
# repository per minor), held so no apt upgrade moves them: kx upgrades nodes by
# replacing them, or with `kx upgrade`, never behind its back.
set -euo pipefail
# shellcheck source=../common/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
require_root
require_env K8S_VERSION

minor=${K8S_VERSION%.*}
keyring=/etc/apt/keyrings/kubernetes-apt-keyring.gpg
repo="https://pkgs.k8s.io/core:/stable:/v${minor}/deb/"

log "pkgs.k8s.io repository for Kubernetes ${minor}"
make_workdir
fetch "${repo}Release.key" "${WORKDIR}/Release.key"
install -d -m 0755 /etc/apt/keyrings
gpg --dearmor --yes -o "${WORKDIR}/keyring.gpg" "${WORKDIR}/Release.key"
install -m 0644 "${WORKDIR}/keyring.gpg" "${keyring}"
write_file 0644 /etc/apt/sources.list.d/kubernetes.list <<LIST
deb [signed-by=${keyring}] ${repo} /
LIST
apt-get update

# The repository's package version carries a revision ("1.36.1-1.1"): take the one
# published for exactly this Kubernetes version.
pkg_version=$(apt-cache madison kubeadm | awk -v v="${K8S_VERSION}-" 'index($3, v) == 1 { print $3; exit }' || true)
[[ -n "${pkg_version}" ]] || die "pkgs.k8s.io has no kubeadm ${K8S_VERSION} in ${repo}"

log "kubelet, kubeadm and kubectl ${pkg_version}"
apt_install --allow-change-held-packages --allow-downgrades \
  "kubelet=${pkg_version}" "kubeadm=${pkg_version}" "kubectl=${pkg_version}" \
  conntrack socat ethtool iptables
apt-mark hold kubelet kubeadm kubectl
systemctl enable kubelet

installed=$(kubeadm version -o short)
[[ "${installed}" == "v${K8S_VERSION}" ]] || die "kubeadm reports ${installed}, expected v${K8S_VERSION}"
