#!/bin/bash
# Runs stats_reference_main and checks every statistic it prints against
# numpy/scipy (Debian's python3-numpy and python3-scipy), see
# stats_reference_test.py.
set -euo pipefail

PYTHON=/usr/bin/python3

dir=""
for candidate in \
    "${TEST_SRCDIR:-}/${TEST_WORKSPACE:-}/services/survey" \
    "services/survey"; do
  if [[ -x "$candidate/stats_reference_main" && -f "$candidate/stats_reference_test.py" ]]; then
    dir="$candidate"
    break
  fi
done
if [[ -z "$dir" ]]; then
  echo "FAIL: stats_reference_main or stats_reference_test.py not found in runfiles" >&2
  exit 1
fi

if [[ ! -x "$PYTHON" ]]; then
  echo "FAIL: $PYTHON not found" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import numpy, scipy.stats' 2>/dev/null; then
  echo "FAIL: numpy/scipy cannot be imported by $PYTHON." >&2
  echo "      Install them: apt-get install -y --no-install-recommends python3-numpy python3-scipy" >&2
  exit 1
fi

exec "$PYTHON" "$dir/stats_reference_test.py" "$dir/stats_reference_main"
