#!/usr/bin/env bash
# containerd 2.x and runc from their release artifacts (SHA-256 checked against the
# published sums): Kubernetes 1.36 no longer supports containerd 1.x, which is what
# Ubuntu 24.04 ships. Cgroups through systemd, as the kubelet's cgroupDriver expects.
set -euo pipefail
# shellcheck source=../common/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
require_root
require_env CONTAINERD_VERSION RUNC_VERSION

arch=$(deb_arch)
make_workdir

if [[ "$(containerd --version 2>/dev/null | awk '{ print $3 }')" != "v${CONTAINERD_VERSION}" ]]; then
  log "containerd ${CONTAINERD_VERSION}"
  base="https://github.com/containerd/containerd/releases/download/v${CONTAINERD_VERSION}"
  tarball="containerd-${CONTAINERD_VERSION}-linux-${arch}.tar.gz"
  fetch_verified "${base}/${tarball}" "${base}/${tarball}.sha256sum" "${WORKDIR}/${tarball}"
  tar -xzf "${WORKDIR}/${tarball}" -C /usr/local
fi

if [[ "$(runc --version 2>/dev/null | awk 'NR == 1 { print $3 }')" != "${RUNC_VERSION}" ]]; then
  log "runc ${RUNC_VERSION}"
  base="https://github.com/opencontainers/runc/releases/download/v${RUNC_VERSION}"
  fetch_verified "${base}/runc.${arch}" "${base}/runc.sha256sum" "${WORKDIR}/runc.${arch}"
  install -m 0755 "${WORKDIR}/runc.${arch}" /usr/local/sbin/runc
fi

write_file 0644 /etc/systemd/system/containerd.service <<'UNIT'
[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target local-fs.target

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
UNIT

# The sandbox (pause) image kubeadm expects for this Kubernetes version, so the
# kubelet and containerd agree and kubeadm's preflight does not warn.
pause_image=$(kubeadm config images list --kubernetes-version "v${K8S_VERSION:?}" 2>/dev/null | grep '/pause:' || true)
[[ -n "${pause_image}" ]] || die "kubeadm names no pause image for v${K8S_VERSION}"

write_file 0644 /etc/containerd/config.toml <<TOML
version = 3

[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = '${pause_image}'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true
TOML

write_file 0644 /etc/crictl.yaml <<'YAML'
runtime-endpoint: unix:///run/containerd/containerd.sock
image-endpoint: unix:///run/containerd/containerd.sock
YAML

systemctl daemon-reload
systemctl enable containerd
systemctl restart containerd
containerd config dump | grep -q 'SystemdCgroup = true' || die "containerd did not take SystemdCgroup = true"
