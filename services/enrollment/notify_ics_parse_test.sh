#!/bin/bash
# A personalised invitation (notify_ics.h) parsed by Debian's python3-icalendar:
# one ORGANIZER and one ATTENDEE in the VEVENT with the right CN and mailto,
# RSVP=FALSE, the rest of the event untouched, every physical line <= 75
# octets and valid UTF-8 on its own (folds never split a character).
set -euo pipefail

PYTHON=/usr/bin/python3
bin=""
for candidate in \
    "${TEST_SRCDIR:-}/${TEST_WORKSPACE:-}/services/enrollment/notify_ics_sample" \
    "services/enrollment/notify_ics_sample"; do
  if [[ -x "$candidate" ]]; then bin="$candidate"; break; fi
done
if [[ -z "$bin" ]]; then
  echo "FAIL: notify_ics_sample binary not found in runfiles" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import icalendar' 2>/dev/null; then
  echo "FAIL: python module 'icalendar' cannot be imported by $PYTHON" >&2
  exit 1
fi
out="${TEST_TMPDIR:-$(mktemp -d)}/invite.ics"
"$bin" > "$out"

"$PYTHON" - "$out" <<'PY'
import sys

import icalendar

raw = open(sys.argv[1], "rb").read()
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


for i, line in enumerate(raw.split(b"\r\n")):
    check(len(line) <= 75, "line %d longer than 75 octets" % i)
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        failures.append("line %d is not valid UTF-8 on its own (a fold split a character)" % i)
cal = icalendar.Calendar.from_ical(raw)
events = list(cal.walk("VEVENT"))
check(len(events) == 1, "%d events" % len(events))
e = events[0]
org = e.get("ORGANIZER")
att = e.get("ATTENDEE")
check(not isinstance(att, list), "more than one ATTENDEE")
check(str(org) == "mailto:noreply@kaizen.localdomain", "ORGANIZER %r" % org)
check(org.params.get("CN") == "次世代改善リーダー事例研究会 事務局（令和四年度 第二期 運営担当）",
      "ORGANIZER CN %r" % org.params.get("CN"))
check(str(att) == "mailto:hanako@example.jp", "ATTENDEE %r" % att)
# RFC 6868: the quote is ^' (a parser without RFC 6868 keeps it as is).
cn = att.params.get("CN").replace("^'", '"')
check(cn == '山田 "はなこ" 花子（株式会社カイゼン製作所 生産技術部 改善推進課）', "ATTENDEE CN %r" % cn)
check(att.params.get("RSVP") == "FALSE", "RSVP %r" % att.params.get("RSVP"))
check(int(e.get("SEQUENCE")) == 2, "SEQUENCE %r" % e.get("SEQUENCE"))
check(str(e.get("UID")) == "cohorts/fy2022/meetings/m1@kaizen", "UID %r" % e.get("UID"))
check(str(cal.get("METHOD")) == "REQUEST", "METHOD %r" % cal.get("METHOD"))
# Round trip: icalendar writes it back with the same two properties.
again = icalendar.Calendar.from_ical(cal.to_ical())
check(str(list(again.walk("VEVENT"))[0].get("ATTENDEE")) == "mailto:hanako@example.jp", "round trip")
if failures:
    print("FAIL (icalendar %s):" % icalendar.__version__)
    for f in failures:
        print("  " + f)
    print(raw.decode("utf-8", "replace"))
    sys.exit(1)
print("OK")
PY
