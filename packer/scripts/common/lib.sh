# shellcheck shell=bash
# Helpers shared by the provisioning scripts; sourced, never run on its own.
# Every script that sources this is safe to run again on the same machine: files are
# rewritten whole, packages and users are only added when missing, and downloads are
# skipped when the pinned version is already installed.

export DEBIAN_FRONTEND=noninteractive

log() { printf '==> %s\n' "$*"; }

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# require_env NAME...: every named variable must be set and non-empty.
require_env() {
  local name
  for name in "$@"; do
    [[ -n "${!name:-}" ]] || die "${name} is not set (the Packer template passes it)"
  done
}

require_root() {
  [[ ${EUID} -eq 0 ]] || die "run as root (Packer runs this with sudo)"
}

# Debian architecture name: amd64 or arm64.
deb_arch() { dpkg --print-architecture; }

apt_install() {
  apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold "$@"
}

# fetch URL DEST: HTTPS only, retried, fails on any HTTP error.
fetch() {
  curl -fsSL --proto '=https' --tlsv1.2 --retry 5 --retry-delay 3 -o "$2" "$1"
}

# verify_sha256 FILE SUMS NAME: FILE must match the sum listed for NAME in SUMS, a
# sha256sum-style list ("<hex>  <name>") as the projects publish them.
verify_sha256() {
  local file=$1 sums=$2 name=$3 want got
  want=$(awk -v n="${name}" '$2 == n || $2 == "*" n || $2 == "./" n { print $1; exit }' "${sums}")
  [[ -n "${want}" ]] || die "no SHA-256 for ${name} in the published checksums"
  got=$(sha256sum "${file}" | awk '{ print $1 }')
  [[ "${want}" == "${got}" ]] || die "SHA-256 mismatch for ${name}: published ${want}, downloaded ${got}"
  log "SHA-256 of ${name} verified"
}

# fetch_verified URL SUMS_URL DEST: downloads URL to DEST and checks it against the
# checksum list at SUMS_URL.
fetch_verified() {
  local url=$1 sums_url=$2 dest=$3 sums
  sums=$(mktemp)
  fetch "${url}" "${dest}"
  fetch "${sums_url}" "${sums}"
  verify_sha256 "${dest}" "${sums}" "${url##*/}"
  rm -f "${sums}"
}

# write_file MODE DEST: writes stdin to DEST atomically (temp file + rename).
write_file() {
  local mode=$1 dest=$2 tmp
  install -d -m 0755 "$(dirname "${dest}")"
  tmp=$(mktemp "${dest}.XXXXXX")
  cat >"${tmp}"
  chmod "${mode}" "${tmp}"
  mv -f "${tmp}" "${dest}"
}

# A scratch directory removed when the script exits.
make_workdir() {
  WORKDIR=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: the trap must remove this directory
  trap "rm -rf '${WORKDIR}'" EXIT
}
