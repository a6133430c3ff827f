#!/usr/bin/env bash
# Prints, one per line and sorted, the Debian packages that own the shared
# libraries the given binaries load (ldd + dpkg -S on this build machine, which
# is Debian 12 like the image). Fails, naming the library, when ldd cannot
# resolve one or no package owns it: an image must not miss a library.
#
#   deploy/images/runtime_packages.sh BINARY...
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 BINARY..." >&2; exit 2; }
libs=()
for bin in "$@"; do
  if ldd "$bin" | grep -q 'not found'; then
    echo "runtime_packages: $bin: $(ldd "$bin" | grep 'not found' | head -1)" >&2
    exit 1
  fi
  while read -r lib; do libs+=("$lib"); done < <(
    ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
done
mapfile -t libs < <(printf '%s\n' "${libs[@]}" | sort -u)
# dpkg knows each file under one spelling (usrmerge: /lib or /usr/lib): ask
# for every spelling in one call (dpkg -S is slow) and keep what it knows.
spellings=()
for lib in "${libs[@]}"; do
  spellings+=("$lib" "/usr$lib" "${lib#/usr}" "$(readlink -f "$lib")")
done
owners=$(dpkg -S "${spellings[@]}" 2>/dev/null | grep -v '^diversion' || true)
for lib in "${libs[@]}"; do
  pkg=""
  for c in "$lib" "/usr$lib" "${lib#/usr}" "$(readlink -f "$lib")"; do
    pkg=$(awk -v p="$c" '{path = $NF} path == p {sub(/:.*/, "", $1); print $1; exit}' <<<"$owners")
    [ -n "$pkg" ] && break
  done
  [ -n "$pkg" ] || { echo "runtime_packages: no Debian package owns $lib" >&2; exit 1; }
  echo "${pkg%,}"
done | sort -u
