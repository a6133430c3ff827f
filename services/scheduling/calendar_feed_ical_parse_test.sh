#!/bin/bash
# What a calendar app subscribed to a secret feed URL receives, parsed with a
# real iCalendar parser (Debian's python3-icalendar): the output of the real
# ReadCalendarFeed (calendar_feed_sample) after a reschedule, a cancellation
# and a booked support session.
set -euo pipefail

PYTHON=/usr/bin/python3
bin=""
for candidate in \
    "${TEST_SRCDIR:-}/${TEST_WORKSPACE:-}/services/scheduling/calendar_feed_sample" \
    "services/scheduling/calendar_feed_sample"; do
  if [[ -x "$candidate" ]]; then bin="$candidate"; break; fi
done
if [[ -z "$bin" ]]; then
  echo "FAIL: calendar_feed_sample binary not found in runfiles" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import icalendar' 2>/dev/null; then
  echo "FAIL: python module 'icalendar' cannot be imported by $PYTHON" >&2
  exit 1
fi

out="${TEST_TMPDIR:-$(mktemp -d)}/feed.ics"
"$bin" > "$out"

"$PYTHON" - "$out" <<'EOF'
import datetime
import sys

import icalendar

raw = open(sys.argv[1], "rb").read()
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


check(raw.endswith(b"END:VCALENDAR\r\n"), "must end with END:VCALENDAR CRLF")
for i, line in enumerate(raw.split(b"\r\n")):
    check(len(line) <= 75, "line %d longer than 75 octets" % i)

cal = icalendar.Calendar.from_ical(raw)
check(str(cal.get("X-WR-CALNAME")) == "参加者1 の予定", "X-WR-CALNAME: %r" % cal.get("X-WR-CALNAME"))
events = {str(e.get("UID")): e for e in cal.walk("VEVENT")}
m1 = events.get("cohorts/fy2022/meetings/m1@kaizen")
m2 = events.get("cohorts/fy2022/meetings/m2@kaizen")
m3 = events.get("cohorts/fy2022/meetings/m3@kaizen")
check(m1 is not None and m2 is not None and m3 is not None, "meetings m1-m3 missing: %s" % sorted(events))
check(len([u for u in events if "/meetings/" in u]) == 3, "only dated meetings appear: %s" % sorted(events))
if m1 is not None and m2 is not None and m3 is not None:
    dt = m1.decoded("DTSTART")
    check((dt.year, dt.month, dt.day, dt.hour) == (2022, 7, 24, 9) and dt.utcoffset() == datetime.timedelta(hours=9),
          "m1 DTSTART %r" % dt)
    check(int(m1.get("SEQUENCE")) == 0 and str(m1.get("STATUS")) == "CONFIRMED", "m1 SEQUENCE/STATUS")
    # Moved once after its confirmation: SEQUENCE 1, the new date.
    check(int(m2.get("SEQUENCE")) == 1, "m2 SEQUENCE %r != 1" % m2.get("SEQUENCE"))
    check(m2.decoded("DTSTART").day == 28, "m2 DTSTART %r" % m2.decoded("DTSTART"))
    check(str(m2.get("STATUS")) == "CONFIRMED", "m2 STATUS %r" % m2.get("STATUS"))
    # Cancelled: kept, STATUS:CANCELLED with a higher SEQUENCE.
    check(str(m3.get("STATUS")) == "CANCELLED", "m3 STATUS %r" % m3.get("STATUS"))
    check(int(m3.get("SEQUENCE")) >= 1, "m3 SEQUENCE %r" % m3.get("SEQUENCE"))
sessions = [e for u, e in events.items() if "/supportSlots/" in u]
check(len(sessions) == 1, "expected one support session, got %d" % len(sessions))
if sessions:
    summary = str(sessions[0].get("SUMMARY"))
    check(summary == "アクションプラン作成個別支援（担当: 小川 恵美）", "session SUMMARY %r" % summary)
    check(str(sessions[0].get("DESCRIPTION")) == "担当: 小川 恵美", "session DESCRIPTION")
    check(sessions[0].decoded("DTSTART").hour == 19, "session DTSTART %r" % sessions[0].decoded("DTSTART"))

if failures:
    print("FAIL (icalendar %s):" % icalendar.__version__)
    for f in failures:
        print("  " + f)
    print(raw.decode("utf-8", "replace"))
    sys.exit(1)
print("OK: %d events" % len(events))
EOF
