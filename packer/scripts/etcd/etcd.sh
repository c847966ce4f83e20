#!/usr/bin/env bash
# etcd, etcdctl and etcdutl from the etcd release tarball, its SHA-256 checked against
# the release's SHA256SUMS, run as the unprivileged etcd user. kx writes the unit,
# certificates and configuration over SSH when it forms the cluster.
set -euo pipefail
# shellcheck source=../common/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
require_root
require_env ETCD_VERSION

if ! id -u etcd >/dev/null 2>&1; then
  log "etcd user"
  useradd --system --user-group --home-dir /var/lib/etcd --no-create-home --shell /usr/sbin/nologin etcd
fi
install -d -m 0700 -o etcd -g etcd /var/lib/etcd
install -d -m 0755 /etc/etcd
install -d -m 0750 -o root -g etcd /etc/etcd/pki

if [[ "$(etcd --version 2>/dev/null | awk '/^etcd Version:/ { print $3 }')" == "${ETCD_VERSION}" ]]; then
  log "etcd ${ETCD_VERSION} already installed"
else
  log "etcd ${ETCD_VERSION}"
  arch=$(deb_arch)
  base="https://github.com/etcd-io/etcd/releases/download/v${ETCD_VERSION}"
  dir="etcd-v${ETCD_VERSION}-linux-${arch}"
  make_workdir
  fetch_verified "${base}/${dir}.tar.gz" "${base}/SHA256SUMS" "${WORKDIR}/${dir}.tar.gz"
  tar -xzf "${WORKDIR}/${dir}.tar.gz" -C "${WORKDIR}"
  for binary in etcd etcdctl etcdutl; do
    install -m 0755 "${WORKDIR}/${dir}/${binary}" "/usr/local/bin/${binary}"
  done
fi

etcd --version
etcdctl version
etcdutl version
