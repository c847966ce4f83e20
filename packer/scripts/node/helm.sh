#!/usr/bin/env bash
# Helm from its release tarball, SHA-256 checked: an exact pinned version (the one kx
# is tested with) and no third-party apt repository or key on every node.
set -euo pipefail
# shellcheck source=../common/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
require_root
require_env HELM_VERSION

if [[ "$(helm version --template '{{ .Version }}' 2>/dev/null)" == "v${HELM_VERSION}" ]]; then
  log "helm ${HELM_VERSION} already installed"
  exit 0
fi

log "helm ${HELM_VERSION}"
arch=$(deb_arch)
tarball="helm-v${HELM_VERSION}-linux-${arch}.tar.gz"
make_workdir
fetch_verified "https://get.helm.sh/${tarball}" "https://get.helm.sh/${tarball}.sha256sum" "${WORKDIR}/${tarball}"
tar -xzf "${WORKDIR}/${tarball}" -C "${WORKDIR}" "linux-${arch}/helm"
install -m 0755 "${WORKDIR}/linux-${arch}/helm" /usr/local/bin/helm
helm version
