#!/bin/bash
# The .ics attachments of scheduling's meeting messages (issue 13), parsed with
# a real iCalendar parser (Debian's python3-icalendar): one UID throughout,
# SEQUENCE 0, 1, 2, 3 over confirm, move, cancel, reinstate; METHOD:REQUEST,
# or METHOD:CANCEL with STATUS:CANCELLED; content types that say the same; no
# X-WR-CALNAME (a feed's property, not an invitation's).
set -euo pipefail

PYTHON=/usr/bin/python3
bin=""
for candidate in \
    "${TEST_SRCDIR:-}/${TEST_WORKSPACE:-}/services/scheduling/meeting_ics_sample" \
    "services/scheduling/meeting_ics_sample"; do
  if [[ -x "$candidate" ]]; then bin="$candidate"; break; fi
done
if [[ -z "$bin" ]]; then
  echo "FAIL: meeting_ics_sample binary not found in runfiles" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import icalendar' 2>/dev/null; then
  echo "FAIL: python module 'icalendar' cannot be imported by $PYTHON" >&2
  exit 1
fi

out="${TEST_TMPDIR:-$(mktemp -d)}/attachments.txt"
"$bin" > "$out"

"$PYTHON" - "$out" <<'EOF'
import sys

import icalendar

raw = open(sys.argv[1], "rb").read()
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


blocks = []
for part in raw.split(b"=== ")[1:]:
    head, _, body = part.partition(b"\n")
    kind, _, ctype = head.decode().partition(" ")
    blocks.append((kind, ctype, body))
want = [
    ("meeting_confirmed", "REQUEST", 0, "CONFIRMED"),
    ("meeting_rescheduled", "REQUEST", 1, "CONFIRMED"),
    ("meeting_cancelled", "CANCEL", 2, "CANCELLED"),
    ("meeting_confirmed", "REQUEST", 3, "CONFIRMED"),
]
check(len(blocks) == len(want), "expected %d attachments, got %d" % (len(want), len(blocks)))
for (kind, ctype, body), (wkind, method, seq, status) in zip(blocks, want):
    check(kind == wkind, "kind %s != %s" % (kind, wkind))
    check(ctype == "text/calendar; charset=UTF-8; method=" + method, "%s content type %r" % (kind, ctype))
    check(body.endswith(b"END:VCALENDAR\r\n"), "%s: must end with END:VCALENDAR CRLF" % kind)
    for i, line in enumerate(body.split(b"\r\n")):
        check(len(line) <= 75, "%s: line %d longer than 75 octets" % (kind, i))
    cal = icalendar.Calendar.from_ical(body)
    check(str(cal.get("METHOD")) == method, "%s METHOD %r" % (kind, cal.get("METHOD")))
    # An invitation, not a feed: no calendar display name.
    check(cal.get("X-WR-CALNAME") is None, "%s: X-WR-CALNAME in an invitation" % kind)
    events = list(cal.walk("VEVENT"))
    check(len(events) == 1, "%s: %d events" % (kind, len(events)))
    if events:
        e = events[0]
        check(str(e.get("UID")) == "cohorts/fy2022/meetings/m1@kaizen", "%s UID %r" % (kind, e.get("UID")))
        check(int(e.get("SEQUENCE")) == seq, "%s SEQUENCE %r != %d" % (kind, e.get("SEQUENCE"), seq))
        check(str(e.get("STATUS")) == status, "%s STATUS %r" % (kind, e.get("STATUS")))
        start = e.decoded("DTSTART")
        want_day = 24 if seq == 0 else 30
        check((start.month, start.day) == (7, want_day), "%s DTSTART %r" % (kind, start))
        check(e.get("DTSTAMP") is not None, "%s: DTSTAMP missing" % kind)

if failures:
    print("FAIL (icalendar %s):" % icalendar.__version__)
    for f in failures:
        print("  " + f)
    print(raw.decode("utf-8", "replace"))
    sys.exit(1)
print("OK: %d attachments" % len(blocks))
EOF
