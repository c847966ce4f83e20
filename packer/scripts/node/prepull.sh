#!/usr/bin/env bash
# The control-plane images of this Kubernetes version, pulled into containerd now so
# that kubeadm init and join do not wait on the registry (and work without egress).
set -euo pipefail
# shellcheck source=../common/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
require_root
require_env K8S_VERSION

systemctl is-active --quiet containerd || die "containerd is not running"
log "pre-pulling the images of Kubernetes v${K8S_VERSION}"
kubeadm config images pull --kubernetes-version "v${K8S_VERSION}" \
  --cri-socket unix:///run/containerd/containerd.sock
