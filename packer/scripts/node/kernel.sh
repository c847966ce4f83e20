#!/usr/bin/env bash
# Kernel settings Kubernetes and the add-ons need: the overlay and br_netfilter
# modules, forwarding, bridged traffic through iptables, no swap, and the map count
# Elasticsearch requires.
set -euo pipefail
# shellcheck source=../common/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
require_root

log "kernel modules and sysctls"
write_file 0644 /etc/modules-load.d/kx-kubernetes.conf <<'CONF'
overlay
br_netfilter
CONF
modprobe overlay
modprobe br_netfilter

write_file 0644 /etc/sysctl.d/90-kx-kubernetes.conf <<'CONF'
net.ipv4.ip_forward = 1
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
vm.max_map_count = 262144
fs.inotify.max_user_instances = 8192
fs.inotify.max_user_watches = 524288
CONF
sysctl --system >/dev/null
[[ "$(sysctl -n net.ipv4.ip_forward)" == 1 ]] || die "net.ipv4.ip_forward did not take effect"
[[ "$(sysctl -n vm.max_map_count)" == 262144 ]] || die "vm.max_map_count did not take effect"

# The kubelet refuses to start with swap on (cloud images have none, but be sure).
swapoff -a
sed -i -E '/^[^#].*\sswap\s/s/^/#/' /etc/fstab
