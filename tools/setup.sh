#!/usr/bin/env bash
# Installs every Debian 12 package Kaizen needs to build, test and run.
# Idempotent: quiet and fast when everything is present. Fails with a clear
# message when it cannot install.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-rules-java
  g++ git ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev
  libsqlitecpp-dev libsqlite3-dev
  libgtest-dev libgmock-dev
  libboost-dev
  libssl-dev
  libmecab-dev mecab-ipadic-utf8
  golang-github-gogo-googleapis-dev
  grpc-proto
  python3 python3-protobuf python3-grpcio python3-icalendar python3-jsonschema python3-numpy python3-scipy openapi-specification tzdata
  curl
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "kaizen setup: installing ${#missing[@]} Debian package(s): ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "kaizen setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq >/dev/null; then
  echo "kaizen setup: 'apt-get update' failed; is the Debian mirror reachable?" >&2
  exit 1
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "kaizen setup: 'apt-get install' failed for: ${missing[*]}" >&2
  echo "kaizen setup: this project needs Debian 12 (bookworm) packages." >&2
  exit 1
fi
echo "kaizen setup: done" >&2
