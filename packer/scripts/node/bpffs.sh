#!/usr/bin/env bash
# The BPF filesystem Cilium keeps its maps in, mounted by a systemd mount unit so the
# maps survive a restart of the Cilium agent.
set -euo pipefail
# shellcheck source=../common/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
require_root

log "sys-fs-bpf.mount"
write_file 0644 /etc/systemd/system/sys-fs-bpf.mount <<'UNIT'
[Unit]
Description=BPF filesystem for Cilium
Documentation=https://docs.cilium.io/
DefaultDependencies=no
Before=local-fs.target umount.target
After=swap.target

[Mount]
What=bpffs
Where=/sys/fs/bpf
Type=bpf
Options=rw,nosuid,nodev,noexec,relatime,mode=700

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable sys-fs-bpf.mount
mountpoint -q /sys/fs/bpf || systemctl start sys-fs-bpf.mount
