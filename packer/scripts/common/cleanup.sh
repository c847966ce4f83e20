#!/usr/bin/env bash
# Last step of every image: forget everything that must be unique per instance, so
# each machine started from the image gets its own SSH host keys (printed on the
# console by cloud-init, where kx pins them), machine id and cloud-init run.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

log "cleaning up"
apt-get -y autoremove --purge
apt-get clean
rm -rf /var/lib/apt/lists/*
rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub
cloud-init clean --logs --machine-id
rm -f /root/.bash_history /home/ubuntu/.bash_history
