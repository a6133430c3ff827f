#!/usr/bin/env bash
# The enrollment server allocates with jemalloc (third_party/BUILD, "jemalloc"):
# the binary loads libjemalloc, before libc, so jemalloc's malloc/free/new are
# the ones every thread of the process uses (symbol lookup follows load order).
set -euo pipefail
bin="$1"
order="$(ldd "$bin" | awk '{print $1}')"
jemalloc_line="$(grep -n '^libjemalloc\.so' <<<"$order" | head -1 | cut -d: -f1)"
libc_line="$(grep -n '^libc\.so' <<<"$order" | head -1 | cut -d: -f1)"
if [ -z "$jemalloc_line" ]; then
  echo "FAIL: $bin does not load libjemalloc:" >&2
  ldd "$bin" >&2
  exit 1
fi
if [ -z "$libc_line" ] || [ "$jemalloc_line" -gt "$libc_line" ]; then
  echo "FAIL: $bin loads libjemalloc after libc (line $jemalloc_line vs $libc_line): glibc's malloc would win" >&2
  exit 1
fi
echo "PASS: libjemalloc loaded at position $jemalloc_line, libc at $libc_line"
