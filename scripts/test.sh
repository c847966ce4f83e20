#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs it.
# The tests use real OpenSSH servers, real etcd, the real packer (for template
# validation), shellcheck and the AWS CLI, so they come from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(openssh-server openssh-client etcd-server etcd-client packer shellcheck awscli openssl iproute2 util-linux procps ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts nothing here, but make sure no packaged etcd or sshd holds the ports the tests use.
systemctl stop etcd ssh 2>/dev/null || true

npm ci --no-audit --no-fund
npm test
