#!/usr/bin/env bash
# Runs every Kaizen test: installs what is missing (tools/setup.sh), then
# `bazel test //...`. Extra arguments go to bazel (e.g. --nocache_test_results).
# In CI (CI=true) test results are never taken from the cache: every test runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

extra=()
if [ "${CI:-}" = "true" ]; then extra+=(--nocache_test_results); fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
bazel test //... "${extra[@]}" "$@" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}

# A plain closing line: test targets passed / failed (or not built).
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log" || true)
failed=$(grep -cE '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)
echo "tests: ${passed} passed, ${failed} failed"

# Don't leave a Bazel server idling for hours after CI.
if [ "${CI:-}" = "true" ]; then bazel shutdown >/dev/null 2>&1 || true; fi
exit "$status"
