#!/usr/bin/env bash
# The issue-18 benchmark in one command (docs/benchmarks.md, "Performance"):
# builds the servers, load_demo_data, mint_token and kaizen_bench with -c opt,
# copies them to a temporary directory, and runs kaizen_bench, which starts
# every server itself on free ports (port files), loads the FY2022 demo data,
# measures, and stops them. Prints a Markdown report on stdout (machine,
# command, raw measurements, targets with PASS/FAIL); progress on stderr.
#
#   tools/bench/run.sh                               # 3 repetitions of 5 s
#   tools/bench/run.sh --seconds=2 --repetitions=3   # a quicker check
#   BAZEL_STARTUP="--output_base=/tmp/bazel-bench" tools/bench/run.sh
#
# Extra arguments go to kaizen_bench (flags in tools/bench/kaizen_bench.cc).
# BAZEL_STARTUP holds Bazel startup options, so the build can run beside
# other builds with its own output base; BAZEL names the bazel binary;
# BENCH_SOURCE describes the source when the tree is not a git checkout.
# Everything started is stopped at the end, also on failure or Ctrl-C; the
# working directory (databases, logs) is removed after a successful run and
# kept, with its path printed, after a failed one.
set -euo pipefail
cd "$(dirname "$0")/../.."
BAZEL="${BAZEL:-bazel}"
read -r -a startup <<<"${BAZEL_STARTUP:-}"
command_line="tools/bench/run.sh${*:+ $*}"
[ -n "${BAZEL_STARTUP:-}" ] && command_line="BAZEL_STARTUP=\"$BAZEL_STARTUP\" $command_line"

targets=(//services/enrollment:enrollment_server //services/scheduling:scheduling_server
         //services/plans:plans_server //services/survey:survey_server
         //services/gateway:gateway_server //services/gateway:mint_token
         //tools/demo:load_demo_data //tools/bench:kaizen_bench)
echo "bench: building (-c opt)..." >&2
# No convenience symlinks: the binaries are found through `bazel info`, so a
# debug build elsewhere can never be benchmarked by mistake.
"$BAZEL" "${startup[@]}" build -c opt --symlink_prefix=/ "${targets[@]}" >&2
out="$("$BAZEL" "${startup[@]}" info -c opt bazel-bin 2>/dev/null)"

bin="$(mktemp -d /tmp/kaizen-bench-bin-XXXXXX)"
work="$(mktemp -d /tmp/kaizen-bench-XXXXXX)"
bench_pid=""
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    # kaizen_bench leads its own process group: stop it and its servers.
    kill -TERM -- "-$bench_pid" 2>/dev/null || true
    sleep 1
    kill -KILL -- "-$bench_pid" 2>/dev/null || true
  fi
  rm -rf "$bin"
  if [ "$code" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "bench: failed (exit $code); databases and logs kept in $work" >&2
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for t in services/enrollment/enrollment_server services/scheduling/scheduling_server \
         services/plans/plans_server services/survey/survey_server \
         services/gateway/gateway_server services/gateway/mint_token \
         tools/demo/load_demo_data tools/bench/kaizen_bench; do
  cp "$out/$t" "$bin/"
done

. /etc/os-release
cat <<EOF2
## Run of $(date -u '+%Y-%m-%d %H:%M UTC')

- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r), $PRETTY_NAME (Debian $(cat /etc/debian_version)); load average at start $(cut -d' ' -f1-3 /proc/loadavg)
- Source: $(if git rev-parse --git-dir >/dev/null 2>&1; then
  echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes')"
else echo "${BENCH_SOURCE:-not a git checkout}"; fi)
- Command: \`$command_line\`

EOF2
# setsid: kaizen_bench and the servers it starts form one process group,
# which cleanup stops as a whole if anything goes wrong.
setsid "$bin/kaizen_bench" --bin_dir="$bin" --work_dir="$work" "$@" &
bench_pid=$!
wait "$bench_pid"
