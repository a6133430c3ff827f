#!/usr/bin/env bash
# Builds optimised binaries and runs the gateway benchmark (results as
# Markdown on stdout). Extra arguments go to gateway_bench, e.g.
#   services/gateway/bench/run.sh --seconds=10 --concurrency=1,4,16
# BAZEL_STARTUP holds Bazel startup options (e.g. "--output_base=/tmp/x").
# wrk and h2load (Debian: wrk, nghttp2-client) are used for a cross-check
# when installed. tools/bench/run.sh runs the whole issue-18 benchmark,
# which includes the gateway targets.
set -euo pipefail
cd "$(dirname "$0")/../../.."
read -r -a startup <<<"${BAZEL_STARTUP:-}"
bazel "${startup[@]}" build -c opt --symlink_prefix=/ //services/enrollment:enrollment_server \
  //services/gateway:gateway_server //services/gateway/bench:gateway_bench >&2
# Ask Bazel where the -c opt outputs are (bazel-bin follows the last build).
bin=$(bazel "${startup[@]}" info -c opt bazel-bin 2>/dev/null)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp "$bin/services/enrollment/enrollment_server" "$bin/services/gateway/gateway_server" \
  "$bin/services/gateway/bench/gateway_bench" "$out/"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")" >&2
"$out/gateway_bench" --enrollment_binary="$out/enrollment_server" \
  --gateway_binary="$out/gateway_server" "$@"
