#!/usr/bin/env bash
# Runs the notifications suite (issue #13) with Debian's Python, which has
# grpcio, aiosmtpd and icalendar; the python3 first on PATH may be another
# build without them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-kaizen}"
exec /usr/bin/python3 "$here/notifications_test.py"
