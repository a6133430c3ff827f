#include "services/scheduling/feeds.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/util/ics_fold.h"

namespace kaizen::scheduling {
namespace {

constexpr absl::string_view kCrlf = "\r\n";

// RFC 5545 3.3.11 TEXT escaping: \ ; , and newline are escaped; CR is dropped
// (so CRLF and LF both become "\n").
std::string EscapeText(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

// URI values are not text-escaped, but a raw CR or LF would end the content
// line and let the value inject properties; a valid URI never has them.
std::string SanitizeUri(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

// Appends one content line, folded (RFC 5545 3.1: common/util/ics_fold.h).
void AppendLine(std::string* out, absl::string_view line) {
  absl::StrAppend(out, FoldIcsLine(line, kCrlf), kCrlf);
}

void AppendProperty(std::string* out, absl::string_view name,
                    absl::string_view value) {
  AppendLine(out, absl::StrCat(name, ":", value));
}

std::string UtcStamp(absl::Time t) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone());
}

std::string TokyoLocal(absl::Time t) {
  return absl::FormatTime("%Y%m%dT%H%M%S", t, kaizen::TokyoTimeZone());
}

void AppendEvent(std::string* out, const CalendarEvent& e) {
  AppendLine(out, "BEGIN:VEVENT");
  AppendProperty(out, "UID", EscapeText(e.uid));
  AppendProperty(out, "SEQUENCE", absl::StrCat(e.sequence));
  AppendProperty(out, "DTSTAMP", UtcStamp(e.stamp));
  AppendProperty(out, "DTSTART;TZID=Asia/Tokyo", TokyoLocal(e.start));
  AppendProperty(out, "DTEND;TZID=Asia/Tokyo", TokyoLocal(e.end));
  AppendProperty(out, "SUMMARY", EscapeText(e.summary));
  if (!e.description.empty()) {
    AppendProperty(out, "DESCRIPTION", EscapeText(e.description));
  }
  if (!e.location.empty()) {
    AppendProperty(out, "LOCATION", EscapeText(e.location));
  }
  if (!e.url.empty()) {
    AppendProperty(out, "URL", SanitizeUri(e.url));
  }
  AppendProperty(out, "STATUS", e.cancelled ? "CANCELLED" : "CONFIRMED");
  AppendLine(out, "END:VEVENT");
}

}  // namespace

std::string RenderICalendar(const std::string& name,
                            const std::vector<CalendarEvent>& events,
                            absl::string_view method) {
  std::string out;
  AppendLine(&out, "BEGIN:VCALENDAR");
  AppendLine(&out, "VERSION:2.0");
  AppendLine(&out, "PRODID:-//Kaizen//Scheduling//JA");
  AppendLine(&out, "CALSCALE:GREGORIAN");
  AppendProperty(&out, "METHOD", method);
  // The calendar's display name is a property of a subscribed feed; in an
  // invitation (REQUEST / CANCEL, RFC 5546 iTIP) some clients would take it
  // as a calendar to create rather than an event to update.
  if (method == "PUBLISH") AppendProperty(&out, "X-WR-CALNAME", EscapeText(name));
  AppendLine(&out, "X-WR-TIMEZONE:Asia/Tokyo");
  AppendLine(&out, "BEGIN:VTIMEZONE");
  AppendLine(&out, "TZID:Asia/Tokyo");
  AppendLine(&out, "BEGIN:STANDARD");
  AppendLine(&out, "DTSTART:19700101T000000");
  AppendLine(&out, "TZOFFSETFROM:+0900");
  AppendLine(&out, "TZOFFSETTO:+0900");
  AppendLine(&out, "TZNAME:JST");
  AppendLine(&out, "END:STANDARD");
  AppendLine(&out, "END:VTIMEZONE");
  for (const CalendarEvent& e : events) AppendEvent(&out, e);
  AppendLine(&out, "END:VCALENDAR");
  return out;
}


}  // namespace kaizen::scheduling
