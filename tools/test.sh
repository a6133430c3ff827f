#!/usr/bin/env bash
# Runs every Kaizen test: installs what is missing (tools/setup.sh), then
# `bazel test //...`. Extra arguments go to bazel (e.g. --nocache_test_results).
# In CI (CI=true) test results are never taken from the cache: every test runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

extra=()
if [ "${CI:-}" = "true" ]; then extra+=(--nocache_test_results); fi

# The deploy stage's base image (deploy/images/base.sh: debootstrap, 1-4 min,
# network- and disk-bound; nothing when it exists) is built in the background
# while `bazel test` (CPU-bound) runs; the deploy stage waits for it.
base_pid=""
base_log="${KAIZEN_DEPLOY_STATE:-/tmp/kaizen-deploy}/base-image.log"
if [ "${KAIZEN_SKIP_DEPLOY_TEST:-0}" != 1 ]; then
  mkdir -p "$(dirname "$base_log")"
  bash deploy/images/base.sh </dev/null >"$base_log" 2>&1 &
  base_pid=$!
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
bazel test //... "${extra[@]}" "$@" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}

# ---- stage: deploy (issue 17) ----------------------------------------------
# Images, compose and `podman kube play` end to end (deploy/test.sh; about
# 2-3 min warm, longer on a fresh machine). Runs after a green bazel test
# only; KAIZEN_SKIP_DEPLOY_TEST=1 skips it locally (CI never sets it).
deploy_passed=0
deploy_failed=0
base_status=0
if [ -n "$base_pid" ]; then wait "$base_pid" || base_status=$?; fi
if [ "$status" = 0 ] && [ "${KAIZEN_SKIP_DEPLOY_TEST:-0}" != 1 ]; then
  if [ "$base_status" != 0 ]; then
    echo "deploy: building the base image (deploy/images/base.sh) failed with exit $base_status; the end of $base_log:" >&2
    tail -n 25 "$base_log" >&2
    deploy_failed=1; status=1
  elif bash deploy/test.sh; then deploy_passed=1; else deploy_failed=1; status=1; fi
fi
# ---- end of stage: deploy --------------------------------------------------

# ---- stage: fuzz (issue 16) ------------------------------------------------
# The cheap libFuzzer targets (tag ci_fuzz) built with clang + ASan + UBSan and
# run 20 s each from their corpus (tools/fuzz.sh; docs/fuzzing.md has the split
# and the cost). Every corpus is also replayed by the *_replay tests above.
# After a green bazel test only; KAIZEN_SKIP_FUZZ=1 skips it locally.
fuzz_passed=0
fuzz_failed=0
if [ "$status" = 0 ] && [ "${KAIZEN_SKIP_FUZZ:-0}" != 1 ]; then
  if bash tools/fuzz.sh; then fuzz_passed=1; else fuzz_failed=1; status=1; fi
fi
# ---- end of stage: fuzz ----------------------------------------------------

# A plain closing line: test targets passed / failed (or not built).
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log" || true)
failed=$(grep -cE '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)
passed=$((passed + deploy_passed))
failed=$((failed + deploy_failed))
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))
echo "tests: ${passed} passed, ${failed} failed"

# Don't leave a Bazel server idling for hours after CI.
if [ "${CI:-}" = "true" ]; then bazel shutdown >/dev/null 2>&1 || true; fi
exit "$status"
