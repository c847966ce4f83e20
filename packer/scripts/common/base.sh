#!/usr/bin/env bash
# Common to every kx image: an up-to-date Ubuntu with the tools the boot scripts use,
# including the AWS CLI v2 (user-data reads its join parameters from SSM with it).
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

# The build instance is still booting when Packer connects: apt must wait for
# cloud-init, which also runs apt. Exit 2 means "done, with recoverable errors".
cloud-init status --wait >/dev/null || [[ $? -eq 2 ]]

log "updating the base image"
apt-get update
apt-get -y -o Dpkg::Options::=--force-confold dist-upgrade
apt_install ca-certificates curl gnupg jq tar gzip

# AWS CLI v2 from the AWS-published snap (signed by the Snap Store; no installer key
# to embed and rotate), held so the image stays what was built.
if ! snap list aws-cli >/dev/null 2>&1; then
  log "installing the AWS CLI v2"
  snap install aws-cli --classic
fi
snap refresh --hold aws-cli >/dev/null
# Boot scripts run with a minimal PATH that lacks /snap/bin.
ln -sfn /snap/bin/aws /usr/local/bin/aws
aws --version
