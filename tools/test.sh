#!/usr/bin/env bash
# Runs every Kaizen test: installs what is missing (tools/setup.sh), then
# `bazel test //...`. Extra arguments go to bazel (e.g. --nocache_test_results).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
status=0
bazel test //... "$@" || status=$?
# Don't leave a Bazel server idling for hours after CI.
if [ "${CI:-}" = "true" ]; then bazel shutdown >/dev/null 2>&1 || true; fi
exit $status
