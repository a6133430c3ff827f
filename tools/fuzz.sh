#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang-14, ASan + UBSan:
# `--config=fuzz` in .bazelrc) and runs each one, starting from its checked-in
# corpus. Any crash, sanitizer report, failed property or timeout fails the
# script; libFuzzer saves the input as crash-*/leak-*/timeout-* in the work
# directory and the log shows the stack.
#
#   bash tools/fuzz.sh                 CI: the ci_fuzz targets (all), 5 s each, -O0
#   bash tools/fuzz.sh --seconds=600   longer, every target, -O1
#   bash tools/fuzz.sh --runs=2000000 path_template_fuzzer jwt_fuzzer
#   FUZZ_OUTPUT_BASE=... bazel output base (default: bazel's own)
#
# The corpus in the checkout is never written: new inputs go to a scratch
# directory (kept with --keep, e.g. to minimise and check in with -merge=1).
# Results of the documented long run: docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

# CI's brief run: 5 s per target (the cold CI run must stay under 15 minutes;
# docs/fuzzing.md); --seconds for longer.
seconds=5
runs=""
all=false
keep=false
targets=()
for arg in "$@"; do
  case "$arg" in
    --seconds=*) seconds="${arg#*=}"; all=true ;;
    --runs=*) runs="${arg#*=}"; all=true ;;
    --keep) keep=true ;;
    -*) echo "fuzz.sh: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done

bazel_cmd=(bazel)
if [ -n "${FUZZ_OUTPUT_BASE:-}" ]; then bazel_cmd+=(--output_base="$FUZZ_OUTPUT_BASE"); fi

if [ ${#targets[@]} -eq 0 ]; then
  # CI runs the targets tagged ci_fuzz; a longer run takes every target.
  tag=$([ "$all" = true ] && echo fuzzer || echo ci_fuzz)
  mapfile -t targets < <("${bazel_cmd[@]}" query --noshow_progress \
    "attr(tags, '\\b${tag}\\b', //tests/fuzz:*)" 2>/dev/null | sed 's|^//tests/fuzz:||')
fi
if [ ${#targets[@]} -eq 0 ]; then echo "fuzz.sh: no fuzz targets found" >&2; exit 1; fi

labels=()
for t in "${targets[@]}"; do labels+=("//tests/fuzz:$t"); done
# The brief runs (CI) build at -O0 (--config=fuzz_quick: half the compile
# time); --seconds and --runs build at -O1 (--config=fuzz), as fuzzing for
# long wants fast executions.
config=$([ "$all" = true ] && echo fuzz || echo fuzz_quick)
echo "fuzz.sh: building ${#labels[@]} target(s) with --config=$config" >&2
start=$(date +%s)
"${bazel_cmd[@]}" build --config="$config" "${labels[@]}"
echo "fuzz.sh: build took $(( $(date +%s) - start )) s" >&2
bin="$("${bazel_cmd[@]}" info --config="$config" bazel-bin 2>/dev/null)/tests/fuzz"

work=$(mktemp -d)
if [ "$keep" = true ]; then echo "fuzz.sh: keeping new inputs in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
budget=(-max_total_time="$seconds")
if [ -n "$runs" ]; then budget=(-runs="$runs"); fi

# The targets run side by side, one per core (KAIZEN_FUZZ_JOBS overrides):
# each is single-threaded, so on the CI's 2 cores eleven 5 s runs take about
# 30 s rather than a minute. Each keeps its own log; results are printed in order.
jobs="${KAIZEN_FUZZ_JOBS:-$(nproc)}"
run_one() {
  local t="$1"
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  # -timeout: one input taking longer is a finding (the HTTP target waits
  # up to 10 s for the gateway itself). The checked-in corpus is read-only
  # input: new inputs go to the scratch corpus (the first directory).
  if (cd "$work/$t" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bin/$t" "${budget[@]}" -timeout=25 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
        "$work/$t/corpus" "$repo/tests/fuzz/corpus/$t") >"$work/$t/log" 2>&1; then
    echo 0 >"$work/$t/rc"
  else
    echo 1 >"$work/$t/rc"
  fi
}
running=0
for t in "${targets[@]}"; do
  echo "fuzz.sh: $t ${budget[*]}" >&2
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

failed=()
for t in "${targets[@]}"; do
  log="$work/$t/log"
  if [ "$(cat "$work/$t/rc" 2>/dev/null)" = 0 ]; then
    echo "fuzz.sh: $t: $(grep -E '^#[0-9]+.*DONE' "$log" | tail -n 1)" \
      "$(grep -E '^stat::(number_of_executed_units|new_units_added)' "$log" | tr '\n' ' ')"
  else
    failed+=("$t")
    echo "fuzz.sh: $t FAILED; last lines of its log ($log):" >&2
    tail -n 60 "$log" >&2
    ls "$work/$t/artifacts" >&2 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  trap - EXIT
  echo "fuzz.sh: inputs and logs kept in $work" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s) ran clean"
