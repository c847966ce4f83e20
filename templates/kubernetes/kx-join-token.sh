#!/bin/sh
# Renews the bootstrap token autoscaled workers join with, so a node the group starts
# weeks after the create still joins (cluster-api-provider-aws #2321). Installed by kx on
# every control-plane node and run by kx-join-token.timer every 12 hours: a fresh 48h
# token goes to SSM SecureString, written with the instance role.
set -eu
CLUSTER='{{cluster}}'
REGION='{{region}}'
PARAMETER="/kx/${CLUSTER}/join/token"

umask 077
tmp=$(mktemp /run/kx-join-token.XXXXXX)
trap 'rm -f "$tmp"' EXIT

kubeadm token create --ttl 48h --description "kx join token (kx-join-token.timer)" \
  --kubeconfig /etc/kubernetes/admin.conf >"$tmp"
grep -Eqx '[a-z0-9]{6}\.[a-z0-9]{16}' "$tmp" || { echo "kubeadm token create printed no token" >&2; exit 1; }
# The parameter holds the token alone, as kx publishes it: no trailing newline. (printf
# is a shell builtin: the token is on no process's command line.)
token=$(cat "$tmp")
printf '%s' "$token" >"$tmp"
# The value is read from the 0600 file: never on a command line, where ps would show it.
aws ssm put-parameter --region "$REGION" --name "$PARAMETER" --type SecureString \
  --overwrite --value "file://$tmp" >/dev/null
echo "renewed $PARAMETER"
