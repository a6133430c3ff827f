#!/usr/bin/env bash
# The flags tools/pch/BUILD gives the precompiled headers must be the flags
# .bazelrc gives the files that use them (clang does not notice every
# difference: pch.bzl). Arguments: .bazelrc, the test sources' flags, the fuzz
# flags and what the quick fuzz build adds (comma-separated, as BUILD joins
# them).
set -euo pipefail
bazelrc="$1" test_copts="$2" fuzz_copts="$3" fuzz_quick_copts="$4"
failed=0
expect() {
  if ! grep -qxF -- "$1" "$bazelrc"; then
    echo "FAIL: .bazelrc has no line" >&2
    echo "  $1" >&2
    echo "  (tools/pch/BUILD and .bazelrc disagree: change both)" >&2
    failed=1
  fi
}
expect "build --per_file_copt=.*_test\\.cc\$@${test_copts}"
expect "build:fuzz --per_file_copt=.*,-.*\\.pb\\.cc\$@${fuzz_copts}"
expect "build:fuzz_quick --config=fuzz --per_file_copt=.*,-.*\\.pb\\.cc\$@${fuzz_quick_copts}"
expect "build:fuzz --define=kaizen_pch=fuzz"
expect "build:fuzz_quick --define=kaizen_pch=fuzz_quick"
# The mirror image: a per-file flag for test or fuzz sources that BUILD does not know.
n=$(grep -cE '^build(:fuzz|:fuzz_quick)? (--config=fuzz )?--per_file_copt=(\.\*_test|\.\*,)' "$bazelrc" || true)
if [ "$n" != 3 ]; then
  echo "FAIL: expected 3 --per_file_copt lines for test or fuzz sources in .bazelrc, found $n" >&2
  failed=1
fi
[ "$failed" = 0 ] && echo "pch_flags_test: .bazelrc and tools/pch/BUILD agree"
exit "$failed"
