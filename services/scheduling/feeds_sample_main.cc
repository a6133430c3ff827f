// Prints a sample iCalendar feed to stdout, for feeds_ical_parse_test.sh
// (which parses it with a real iCalendar parser).
#include <iostream>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/scheduling/feeds.h"

namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0),
                         absl::UTCTimeZone());
}

// 200 characters (600 UTF-8 octets), so the DESCRIPTION line is folded many
// times, always between characters.
std::string LongDescription() {
  const std::string unit = "神山町でのジブンガタリ研修";  // 13 characters
  std::string out;
  for (int i = 0; i < 15; ++i) out += unit;  // 195 characters
  out += "持ち物：筆";                         // 5 characters
  return out;
}

}  // namespace

int main() {
  using kaizen::scheduling::CalendarEvent;
  std::vector<CalendarEvent> events(3);

  events[0].uid = "cohorts/fy2022/meetings/m1@kaizen";
  events[0].sequence = 0;
  events[0].start = Utc(2022, 7, 24, 0, 0);  // 09:00 Asia/Tokyo
  events[0].end = Utc(2022, 7, 24, 2, 0);
  events[0].stamp = Utc(2022, 7, 1, 0, 0);
  events[0].summary = "第1回, ジブンガタリ; 準備\n持ち物";
  events[0].description = LongDescription();
  events[0].location = "神山町役場 大会議室";

  events[1].uid = "cohorts/fy2022/meetings/m2@kaizen";
  events[1].sequence = 2;
  events[1].start = Utc(2022, 7, 31, 1, 0);
  events[1].end = Utc(2022, 7, 31, 3, 0);
  events[1].stamp = Utc(2022, 7, 20, 0, 0);
  events[1].summary = "第2回 ふりかえり（中止）";
  events[1].cancelled = true;

  events[2].uid = "cohorts/fy2022/bookings/b7@kaizen";
  events[2].sequence = 1;
  events[2].start = Utc(2022, 8, 7, 5, 30);
  events[2].end = Utc(2022, 8, 7, 6, 0);
  events[2].stamp = Utc(2022, 7, 21, 12, 0);
  events[2].summary = "個別面談";
  events[2].url = "https://meet.example.com/kaizen?room=b7,x;y";

  std::cout << kaizen::scheduling::RenderICalendar("Kaizen 研修 FY2022", events);
  return std::cout.good() ? 0 : 1;
}
