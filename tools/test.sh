#!/usr/bin/env bash
# Runs every Kaizen test: installs what is missing (tools/setup.sh), then
# `bazel build //...`, then `bazel test //...` beside the deploy and fuzz
# stages. Extra arguments go to bazel (e.g. --nocache_test_results).
# In CI (CI=true) test results are never taken from the cache: every test runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

extra=()
if [ "${CI:-}" = "true" ]; then extra+=(--nocache_test_results); fi

# The deploy stage's base image (deploy/images/base.sh: debootstrap, 1-4 min,
# network- and disk-bound; nothing when it exists) is built in the background
# while `bazel build` (CPU-bound) runs; the deploy stage waits for it.
base_pid=""
base_log="${KAIZEN_DEPLOY_STATE:-/tmp/kaizen-deploy}/base-image.log"
if [ "${KAIZEN_SKIP_DEPLOY_TEST:-0}" != 1 ]; then
  mkdir -p "$(dirname "$base_log")"
  bash deploy/images/base.sh </dev/null >"$base_log" 2>&1 &
  base_pid=$!
fi

log=$(mktemp)
stage_dir=$(mktemp -d)
trap 'rm -rf "$log" "$stage_dir"' EXIT

# ---- build, then the tests beside the deploy (issue 17) and fuzz (issue 16) stages
# `bazel build //...` first (CPU-bound: every compile). Then three things run
# side by side, each with its own log, printed whole at the end:
#   tests:  `bazel test //...` (everything is built: it runs the tests);
#   deploy: images, compose and `podman kube play` end to end (deploy/test.sh),
#           from the binaries just built, copied out first (it calls no Bazel,
#           which would wait for the `bazel test` beside it); bound by podman
#           and the disk, it mostly waits;
#   fuzz:   the ci_fuzz libFuzzer targets, clang + ASan + UBSan, briefly each
#           from their corpus (tools/fuzz.sh; docs/fuzzing.md), in its own Bazel
#           output base (its clang outputs never replace the -c opt ones);
#           every corpus is also replayed by the *_replay tests.
# They share the two cores (the tests took ~70 s alone, ~155 s beside the
# others in a cold run); the fuzz stage ends last, podman's waiting and the
# tests' are hidden under its build.
# KAIZEN_SKIP_DEPLOY_TEST=1 / KAIZEN_SKIP_FUZZ=1 skip those stages locally
# (CI sets neither). If the build fails, `bazel test` alone reports it.
build_status=0
bazel build //... "${extra[@]}" "$@" || build_status=$?
base_status=0
if [ -n "$base_pid" ]; then wait "$base_pid" || base_status=$?; fi
deploy_pid=""; fuzz_pid=""
if [ "$build_status" = 0 ] && [ "${KAIZEN_SKIP_DEPLOY_TEST:-0}" != 1 ]; then
  if [ "$base_status" != 0 ]; then
    { echo "deploy: building the base image (deploy/images/base.sh) failed with exit $base_status; the end of $base_log:"
      tail -n 25 "$base_log"; } >"$stage_dir/deploy.log" 2>&1
    echo 1 >"$stage_dir/deploy.rc"
  # Copied now: the fuzz build below repoints the checkout's bazel-bin link.
  elif ! (source deploy/lib.sh && kaizen_stage_binaries "$stage_dir/bin" "$(readlink -f bazel-bin)") \
      >"$stage_dir/deploy.log" 2>&1; then
    echo 1 >"$stage_dir/deploy.rc"
  else
    ( rc=0
      KAIZEN_DEPLOY_BINARIES="$stage_dir/bin" bash deploy/test.sh </dev/null \
        >"$stage_dir/deploy.log" 2>&1 || rc=$?
      echo "$rc" >"$stage_dir/deploy.rc" ) &
    deploy_pid=$!
  fi
fi
if [ "$build_status" = 0 ] && [ "${KAIZEN_SKIP_FUZZ:-0}" != 1 ]; then
  ( rc=0
    FUZZ_OUTPUT_BASE="${FUZZ_OUTPUT_BASE:-$HOME/.cache/kaizen-bazel-fuzz}" \
      bash tools/fuzz.sh </dev/null >"$stage_dir/fuzz.log" 2>&1 || rc=$?
    echo "$rc" >"$stage_dir/fuzz.rc" ) &
  fuzz_pid=$!
fi
status=0
bazel test //... "${extra[@]}" "$@" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}
if [ -n "$deploy_pid" ]; then wait "$deploy_pid" || true; fi
if [ -n "$fuzz_pid" ]; then wait "$fuzz_pid" || true; fi
deploy_passed=0; deploy_failed=0; fuzz_passed=0; fuzz_failed=0
for stage in deploy fuzz; do
  [ -f "$stage_dir/$stage.rc" ] || continue
  echo "---- stage: $stage ----"
  cat "$stage_dir/$stage.log"
  if [ "$(cat "$stage_dir/$stage.rc")" = 0 ]; then
    eval "${stage}_passed=1"
  else
    echo "---- stage $stage FAILED (exit $(cat "$stage_dir/$stage.rc")) ----"
    eval "${stage}_failed=1"; status=1
  fi
done
# ---- end of the deploy and fuzz stages -----------------------------------

# A plain closing line: test targets passed / failed (or not built).
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log" || true)
# A `flaky = True` target that failed and then passed (services/gateway:tests): a pass, named.
flaky=$(grep -cE '^//[^ ]+ +FLAKY' "$log" || true)
passed=$((passed + flaky))
failed=$(grep -cE '^//[^ ]+ +(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)
passed=$((passed + deploy_passed))
failed=$((failed + deploy_failed))
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))
echo "tests: ${passed} passed, ${failed} failed${flaky:+$([ "$flaky" != 0 ] && echo " ($flaky flaky: passed on a retry)")}"

# Don't leave a Bazel server idling for hours after CI.
if [ "${CI:-}" = "true" ]; then
  bazel shutdown >/dev/null 2>&1 || true
  bazel --output_base="${FUZZ_OUTPUT_BASE:-$HOME/.cache/kaizen-bazel-fuzz}" shutdown >/dev/null 2>&1 || true
fi
exit "$status"
