#!/usr/bin/env bash
# Runs the end-to-end suite with Debian's Python (which has grpcio); the
# python3 first on PATH may be another build without it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-kaizen}"
exec /usr/bin/python3 "$here/e2e_test.py"
