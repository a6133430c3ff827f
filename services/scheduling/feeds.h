// Renderers for the scheduling service's non-JSON outputs:
//  * iCalendar (RFC 5545) feeds: one VEVENT per meeting or booking, stable
//    UIDs, SEQUENCE for changes, times in Asia/Tokyo with a VTIMEZONE;
//  * CSV that opens correctly in Excel on Japanese Windows: UTF-8 with a BOM,
//    CRLF line ends, RFC 4180 quoting.
// Pure functions over plain structs: no storage, no protos.
#ifndef KAIZEN_SERVICES_SCHEDULING_FEEDS_H_
#define KAIZEN_SERVICES_SCHEDULING_FEEDS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "common/util/excel_csv.h"

namespace kaizen::scheduling {

struct CalendarEvent {
  // Stable forever for the same meeting/booking, e.g.
  // "cohorts/fy2022/meetings/m2@kaizen".
  std::string uid;
  // RFC 5545 SEQUENCE: bumped on every reschedule or cancellation.
  int sequence = 0;
  absl::Time start;
  absl::Time end;
  // When this version was made (DTSTAMP), UTC.
  absl::Time stamp;
  std::string summary;      // UTF-8, may contain Japanese, commas, newlines
  std::string description;  // UTF-8, may contain newlines
  std::string location;     // venue, or empty
  std::string url;          // online meeting URL, or empty
  bool cancelled = false;   // STATUS:CANCELLED (else STATUS:CONFIRMED)
};

// A VCALENDAR with PRODID "-//Kaizen//Scheduling//JA", VERSION 2.0,
// CALSCALE GREGORIAN, METHOD `method` (RFC 5546: "PUBLISH" for feeds and
// downloads, "REQUEST" / "CANCEL" for the .ics an e-mail carries),
// X-WR-CALNAME `name` (PUBLISH only: a feed's display name, not part of an
// invitation; `name` is unused otherwise), X-WR-TIMEZONE Asia/Tokyo, one
// VTIMEZONE for Asia/Tokyo (+0900, JST, no DST) and the events with
// DTSTART/DTEND;TZID=Asia/Tokyo local times. Text values escaped (\\ \; \,
// \n), lines folded at 75 octets without splitting a UTF-8 character, CRLF
// line ends.
std::string RenderICalendar(const std::string& name,
                            const std::vector<CalendarEvent>& events,
                            absl::string_view method = "PUBLISH");

// Excel-friendly CSV (common/util/excel_csv.h).
using ::kaizen::CsvTable;
using ::kaizen::RenderExcelCsv;

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_FEEDS_H_
