#!/bin/bash
# Parses the output of feeds_sample with a real iCalendar parser (Debian's
# python3-icalendar) and checks what a calendar client would see.
set -euo pipefail

PYTHON=/usr/bin/python3

bin=""
for candidate in \
    "${TEST_SRCDIR:-}/${TEST_WORKSPACE:-}/services/scheduling/feeds_sample" \
    "services/scheduling/feeds_sample"; do
  if [[ -x "$candidate" ]]; then
    bin="$candidate"
    break
  fi
done
if [[ -z "$bin" ]]; then
  echo "FAIL: feeds_sample binary not found in runfiles" >&2
  exit 1
fi

if [[ ! -x "$PYTHON" ]]; then
  echo "FAIL: $PYTHON not found" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import icalendar' 2>/dev/null; then
  echo "FAIL: python module 'icalendar' cannot be imported by $PYTHON." >&2
  echo "      Install it: apt-get install -y --no-install-recommends python3-icalendar" >&2
  exit 1
fi

out="${TEST_TMPDIR:-$(mktemp -d)}/sample.ics"
"$bin" > "$out"

"$PYTHON" - "$out" <<'EOF'
import datetime
import sys

import icalendar

path = sys.argv[1]
with open(path, "rb") as f:
    raw = f.read()

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


# Raw-level checks a lenient parser would not catch.
check(raw.endswith(b"END:VCALENDAR\r\n"), "output must end with END:VCALENDAR CRLF")
check(b"\n" not in raw.replace(b"\r\n", b""), "bare LF found")
for i, line in enumerate(raw.split(b"\r\n")):
    check(len(line) <= 75, "line %d longer than 75 octets: %r" % (i, line))
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        failures.append("line %d is not valid UTF-8 on its own: %r" % (i, line))

# icalendar is lenient about unescaped commas/semicolons in TEXT, so check
# the escaping on the raw (unfolded) line as well.
unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
check("\r\nSUMMARY:第1回\\, ジブンガタリ\\; 準備\\n持ち物\r\n" in unfolded,
      "raw SUMMARY line not escaped as RFC 5545 3.3.11 requires")

cal = icalendar.Calendar.from_ical(raw)
check(str(cal.get("PRODID")) == "-//Kaizen//Scheduling//JA", "PRODID: %r" % cal.get("PRODID"))
check(str(cal.get("X-WR-CALNAME")) == "Kaizen 研修 FY2022", "X-WR-CALNAME: %r" % cal.get("X-WR-CALNAME"))

tzs = [c for c in cal.walk("VTIMEZONE")]
check(len(tzs) == 1 and str(tzs[0].get("TZID")) == "Asia/Tokyo", "expected one VTIMEZONE Asia/Tokyo")

events = cal.walk("VEVENT")
check(len(events) == 3, "expected 3 VEVENTs, got %d" % len(events))

expected = [
    # uid, sequence, status, start (UTC)
    ("cohorts/fy2022/meetings/m1@kaizen", 0, "CONFIRMED", datetime.datetime(2022, 7, 24, 0, 0)),
    ("cohorts/fy2022/meetings/m2@kaizen", 2, "CANCELLED", datetime.datetime(2022, 7, 31, 1, 0)),
    ("cohorts/fy2022/bookings/b7@kaizen", 1, "CONFIRMED", datetime.datetime(2022, 8, 7, 5, 30)),
]
utc = datetime.timezone.utc
for ev, (uid, seq, status, start_utc) in zip(events, expected):
    check(str(ev.get("UID")) == uid, "UID %r != %r" % (ev.get("UID"), uid))
    check(int(ev.get("SEQUENCE")) == seq, "%s: SEQUENCE %r != %d" % (uid, ev.get("SEQUENCE"), seq))
    check(str(ev.get("STATUS")) == status, "%s: STATUS %r != %s" % (uid, ev.get("STATUS"), status))
    dt = ev.decoded("DTSTART")
    if not isinstance(dt, datetime.datetime) or dt.tzinfo is None or dt.utcoffset() is None:
        failures.append("%s: DTSTART not a timezone-aware datetime: %r" % (uid, dt))
        continue
    check(dt.utcoffset() == datetime.timedelta(hours=9), "%s: DTSTART offset %r" % (uid, dt.utcoffset()))
    check(dt.astimezone(utc) == start_utc.replace(tzinfo=utc),
          "%s: DTSTART %r != %s UTC" % (uid, dt, start_utc))
    stamp = ev.decoded("DTSTAMP")
    check(stamp.tzinfo is not None and stamp.utcoffset() == datetime.timedelta(0),
          "%s: DTSTAMP not UTC: %r" % (uid, stamp))

first = events[0]
dt = first.decoded("DTSTART")
check((dt.year, dt.month, dt.day, dt.hour, dt.minute) == (2022, 7, 24, 9, 0),
      "first DTSTART local time %r is not 2022-07-24 09:00" % dt)
check(first.decoded("DTEND").astimezone(utc) == datetime.datetime(2022, 7, 24, 2, 0, tzinfo=utc),
      "first DTEND: %r" % first.decoded("DTEND"))
check(str(first.get("SUMMARY")) == "第1回, ジブンガタリ; 準備\n持ち物",
      "SUMMARY did not round-trip: %r" % str(first.get("SUMMARY")))
desc = str(first.get("DESCRIPTION"))
check(len(desc) == 200, "DESCRIPTION length %d != 200" % len(desc))
check(desc.startswith("神山町でのジブンガタリ研修") and desc.endswith("持ち物：筆"),
      "DESCRIPTION did not round-trip: %r" % desc)
check(str(first.get("LOCATION")) == "神山町役場 大会議室", "LOCATION: %r" % first.get("LOCATION"))
check(str(events[1].get("SUMMARY")) == "第2回 ふりかえり（中止）", "SUMMARY 2: %r" % events[1].get("SUMMARY"))
check(str(events[2].get("URL")) == "https://meet.example.com/kaizen?room=b7,x;y",
      "URL: %r" % events[2].get("URL"))

if failures:
    print("FAIL (icalendar %s):" % icalendar.__version__)
    for f in failures:
        print("  " + f)
    print("--- output ---")
    print(raw.decode("utf-8", "replace"))
    sys.exit(1)
print("OK: %d events parsed by icalendar %s" % (len(events), icalendar.__version__))
EOF
