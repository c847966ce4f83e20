#!/bin/bash
# kx user data for the autoscaled workers of cluster {{cluster}}.
# Reads the API endpoint, the CA hash and a bootstrap token that kx keeps fresh in SSM
# (/kx/{{cluster}}/join/*), writes a kubeadm JoinConfiguration and joins. Workers start
# with the autoscaling group, possibly before the control plane exists, so it waits for
# the join parameters. Idempotent: a node that has joined (kubelet.conf) is left alone.
set -euo pipefail
# The AMI installs the AWS CLI as a snap; cloud-init's environment may lack /snap/bin.
export PATH="${PATH}:/snap/bin"

CLUSTER='{{cluster}}'
REGION='{{region}}'
KUBE_DIR="${KX_KUBE_DIR:-/etc/kubernetes}"
WAIT_SECONDS="${KX_JOIN_WAIT_SECONDS:-7200}"
RETRY_SECONDS="${KX_JOIN_RETRY_SECONDS:-20}"

if [ -f "${KUBE_DIR}/kubelet.conf" ]; then
  echo "kx: ${KUBE_DIR}/kubelet.conf exists, this node has joined already"
  exit 0
fi

# IMDSv2. AWS_EC2_METADATA_SERVICE_ENDPOINT is the AWS tools' own override (unset on EC2).
IMDS="${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}"
imds() {
  local token
  token=$(curl -sS --fail --retry 5 -X PUT "${IMDS%/}/latest/api/token" \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
  curl -sS --fail --retry 5 -H "X-aws-ec2-metadata-token: ${token}" "${IMDS%/}/latest/meta-data/$1"
}

join_param() {
  aws ssm get-parameter --region "${REGION}" --with-decryption \
    --name "/kx/${CLUSTER}/join/$1" --query Parameter.Value --output text
}

node_name=$(imds local-hostname)
node_ip=$(imds local-ipv4)

deadline=$(($(date +%s) + WAIT_SECONDS))
config="${KUBE_DIR}/kx-join.yaml"
mkdir -p "${KUBE_DIR}"
# The file holds the bootstrap token: readable by root only, removed when the script ends.
umask 077
trap 'rm -f "${config}"' EXIT

give_up() {
  echo "kx: $1" >&2
  exit 1
}

# Reads the join parameters, waiting until the control plane has published them.
read_join_params() {
  until endpoint=$(join_param endpoint 2>/dev/null) && ca_hash=$(join_param ca-hash 2>/dev/null) \
    && token=$(join_param token 2>/dev/null); do
    [ "$(date +%s)" -lt "${deadline}" ] || give_up "the join parameters /kx/${CLUSTER}/join/* did not appear in SSM within ${WAIT_SECONDS}s"
    echo "kx: waiting for the control plane to publish /kx/${CLUSTER}/join/*"
    sleep "${RETRY_SECONDS}"
  done
  case "${endpoint}" in
    *:*) ;;
    *) endpoint="${endpoint}:6443" ;;
  esac
}

write_join_config() {
  cat >"${config}" <<YAML
apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: "${endpoint}"
    token: "${token}"
    caCertHashes:
    - "${ca_hash}"
nodeRegistration:
  name: "${node_name}"
  criSocket: unix:///run/containerd/containerd.sock
  kubeletExtraArgs:
  - name: cloud-provider
    value: external
  - name: node-ip
    value: "${node_ip}"
YAML
}

# A join can fail while the API is still coming up or just after the token was renewed:
# undo what it did, read the parameters again and retry until the deadline.
until read_join_params && write_join_config && kubeadm join --config "${config}"; do
  kubeadm reset --force >/dev/null 2>&1 || true
  [ "$(date +%s)" -lt "${deadline}" ] || give_up "kubeadm join kept failing for ${WAIT_SECONDS}s"
  echo "kx: kubeadm join failed; retrying in ${RETRY_SECONDS}s"
  sleep "${RETRY_SECONDS}"
done
echo "kx: ${node_name} joined cluster ${CLUSTER}"
