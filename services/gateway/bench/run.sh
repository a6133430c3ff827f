#!/usr/bin/env bash
# Builds optimised binaries and runs the gateway benchmark (results as
# Markdown on stdout). Extra arguments go to gateway_bench, e.g.
#   services/gateway/bench/run.sh --seconds=10 --concurrency=1,4,16
# wrk and h2load (Debian: wrk, nghttp2-client) are used for a cross-check
# when installed.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bazel build -c opt //services/enrollment:enrollment_server //services/gateway:gateway_server \
  //services/gateway/bench:gateway_bench >&2
# bazel-bin follows the last build's configuration: copy the -c opt binaries.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp bazel-bin/services/enrollment/enrollment_server bazel-bin/services/gateway/gateway_server \
  bazel-bin/services/gateway/bench/gateway_bench "$out/"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")" >&2
"$out/gateway_bench" --enrollment_binary="$out/enrollment_server" \
  --gateway_binary="$out/gateway_server" "$@"
