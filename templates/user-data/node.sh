#!/bin/bash
# kx user data for etcd and control-plane instances of cluster {{cluster}}.
# kx configures these machines over SSH; at boot they only take their EC2 private DNS
# name as hostname, because Kubernetes node names and etcd certificates use it.
set -euo pipefail

# IMDSv2. AWS_EC2_METADATA_SERVICE_ENDPOINT is the AWS tools' own override (unset on EC2).
IMDS="${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}"
imds() {
  local token
  token=$(curl -sS --fail --retry 5 -X PUT "${IMDS%/}/latest/api/token" \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
  curl -sS --fail --retry 5 -H "X-aws-ec2-metadata-token: ${token}" "${IMDS%/}/latest/meta-data/$1"
}

name=$(imds local-hostname)
hostnamectl set-hostname "${name}"
