#!/usr/bin/env bash
# Installs the Debian 12 packages Palisade needs to build, test, demo and
# benchmark, skipping those already present. Needs root when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang llvm lld
  libbpf-dev bpftool libelf-dev zlib1g-dev
  libseccomp-dev libcap-dev libyaml-dev libjansson-dev libssl-dev libsodium-dev
  libmicrohttpd-dev libcurl4-openssl-dev libnats-dev libzstd-dev libarchive-dev
  # tests
  libcmocka-dev bats valgrind libclang-rt-14-dev afl++ strace jq
  iproute2 netcat-openbsd socat curl openssl util-linux procps psmisc
  busybox-static crun runc podman containerd skopeo umoci
  rsyslog rsyslog-openssl nats-server stress-ng python3
  # bench
  hyperfine
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run 'make deps' as root (or install them with apt-get) and retry" >&2
  exit 1
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
