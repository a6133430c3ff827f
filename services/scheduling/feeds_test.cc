#include "services/scheduling/feeds.h"

#include "common/validation/validation.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling {
namespace feeds_test {

absl::Time Utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

CalendarEvent BasicEvent() {
  CalendarEvent e;
  e.uid = "cohorts/fy2022/meetings/m1@kaizen";
  e.sequence = 0;
  e.start = Utc(2022, 7, 24, 0, 0);
  e.end = Utc(2022, 7, 24, 2, 0);
  e.stamp = Utc(2022, 7, 1, 3, 4, 5);
  e.summary = "Kickoff";
  return e;
}

// Physical lines of an iCalendar body; fails if any line end is not CRLF.
std::vector<std::string> PhysicalLines(const std::string& ics) {
  EXPECT_GE(ics.size(), 2u);
  EXPECT_EQ(ics.substr(ics.size() - 2), "\r\n");
  std::vector<std::string> lines =
      absl::StrSplit(ics.substr(0, ics.size() - 2), "\r\n");
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find('\n'), std::string::npos) << "bare LF in: " << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << "bare CR in: " << line;
  }
  return lines;
}

// RFC 5545 3.1 unfolding: drop every CRLF followed by one space or tab.
std::string Unfold(const std::string& ics) {
  return absl::StrReplaceAll(ics, {{"\r\n ", ""}, {"\r\n\t", ""}});
}

// Strict UTF-8 validation (no overlongs, no surrogates, <= U+10FFFF).

// The unfolded content line that starts with `prefix`, or "" if none.
std::string FindLine(const std::string& ics, absl::string_view prefix) {
  for (absl::string_view line : absl::StrSplit(Unfold(ics), "\r\n")) {
    if (absl::StartsWith(line, prefix)) return std::string(line);
  }
  return "";
}

TEST(Utf8CheckerTest, SanityOfTheTestHelper) {
  EXPECT_TRUE(IsValidUtf8("abc 第1回 😀"));
  EXPECT_FALSE(IsValidUtf8("\xE7\xAC"));      // truncated 第
  EXPECT_FALSE(IsValidUtf8("\xAC\xAC"));      // lone continuation bytes
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(RenderICalendarTest, GoldenSmallCalendar) {
  CalendarEvent a = BasicEvent();
  a.description = "Bring a pen";
  a.location = "Kamiyama Town Hall";
  a.url = "https://meet.example.com/abc?x=1,2;y=3";

  CalendarEvent b;
  b.uid = "cohorts/fy2022/meetings/m2@kaizen";
  b.sequence = 2;
  b.start = Utc(2022, 8, 1, 10, 30);
  b.end = Utc(2022, 8, 1, 11, 30);
  b.stamp = Utc(2022, 7, 20, 0, 0);
  b.summary = "振り返り";
  b.cancelled = true;

  const std::string expected =
      "BEGIN:VCALENDAR\r\n"
      "VERSION:2.0\r\n"
      "PRODID:-//Kaizen//Scheduling//JA\r\n"
      "CALSCALE:GREGORIAN\r\n"
      "METHOD:PUBLISH\r\n"
      "X-WR-CALNAME:Kaizen FY2022\\, 神山\r\n"
      "X-WR-TIMEZONE:Asia/Tokyo\r\n"
      "BEGIN:VTIMEZONE\r\n"
      "TZID:Asia/Tokyo\r\n"
      "BEGIN:STANDARD\r\n"
      "DTSTART:19700101T000000\r\n"
      "TZOFFSETFROM:+0900\r\n"
      "TZOFFSETTO:+0900\r\n"
      "TZNAME:JST\r\n"
      "END:STANDARD\r\n"
      "END:VTIMEZONE\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:cohorts/fy2022/meetings/m1@kaizen\r\n"
      "SEQUENCE:0\r\n"
      "DTSTAMP:20220701T030405Z\r\n"
      "DTSTART;TZID=Asia/Tokyo:20220724T090000\r\n"
      "DTEND;TZID=Asia/Tokyo:20220724T110000\r\n"
      "SUMMARY:Kickoff\r\n"
      "DESCRIPTION:Bring a pen\r\n"
      "LOCATION:Kamiyama Town Hall\r\n"
      "URL:https://meet.example.com/abc?x=1,2;y=3\r\n"
      "STATUS:CONFIRMED\r\n"
      "END:VEVENT\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:cohorts/fy2022/meetings/m2@kaizen\r\n"
      "SEQUENCE:2\r\n"
      "DTSTAMP:20220720T000000Z\r\n"
      "DTSTART;TZID=Asia/Tokyo:20220801T193000\r\n"
      "DTEND;TZID=Asia/Tokyo:20220801T203000\r\n"
      "SUMMARY:振り返り\r\n"
      "STATUS:CANCELLED\r\n"
      "END:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  EXPECT_EQ(RenderICalendar("Kaizen FY2022, 神山", {a, b}), expected);
}

TEST(RenderICalendarTest, EmptyCalendarStillHasTimezoneAndEnds) {
  const std::string ics = RenderICalendar("empty", {});
  EXPECT_EQ(ics.find("BEGIN:VEVENT"), std::string::npos);
  EXPECT_NE(ics.find("\r\nTZID:Asia/Tokyo\r\n"), std::string::npos);
  EXPECT_TRUE(absl::EndsWith(ics, "\r\nEND:VCALENDAR\r\n"));
  PhysicalLines(ics);
}

TEST(RenderICalendarTest, TimesAreTokyoLocalAndStampIsUtc) {
  CalendarEvent e = BasicEvent();
  e.start = Utc(2022, 7, 24, 0, 0);
  e.end = Utc(2022, 7, 24, 15, 30);  // crosses local midnight
  e.stamp = Utc(2022, 7, 23, 23, 59, 59);
  const std::string ics = RenderICalendar("c", {e});
  EXPECT_NE(ics.find("\r\nDTSTART;TZID=Asia/Tokyo:20220724T090000\r\n"),
            std::string::npos)
      << ics;
  EXPECT_NE(ics.find("\r\nDTEND;TZID=Asia/Tokyo:20220725T003000\r\n"),
            std::string::npos)
      << ics;
  EXPECT_NE(ics.find("\r\nDTSTAMP:20220723T235959Z\r\n"), std::string::npos)
      << ics;
}

TEST(RenderICalendarTest, EscapesText) {
  CalendarEvent e = BasicEvent();
  e.summary = "第1回, ジブンガタリ; 準備\n持ち物";
  e.description = "a\\b\r\nc";
  e.location = "会議室A, 2F";
  const std::string ics = RenderICalendar("c", {e});
  EXPECT_EQ(FindLine(ics, "SUMMARY:"),
            "SUMMARY:第1回\\, ジブンガタリ\\; 準備\\n持ち物");
  EXPECT_EQ(FindLine(ics, "DESCRIPTION:"), "DESCRIPTION:a\\\\b\\nc");
  EXPECT_EQ(FindLine(ics, "LOCATION:"), "LOCATION:会議室A\\, 2F");
  PhysicalLines(ics);  // no raw CR/LF leaked into a line
}

TEST(RenderICalendarTest, UrlIsNotTextEscapedButCannotBreakLines) {
  CalendarEvent e = BasicEvent();
  e.url = "https://example.com/a,b;c\r\nSTATUS:CANCELLED";
  const std::string ics = RenderICalendar("c", {e});
  EXPECT_EQ(FindLine(ics, "URL:"),
            "URL:https://example.com/a,b;cSTATUS:CANCELLED");
  EXPECT_NE(ics.find("\r\nSTATUS:CONFIRMED\r\n"), std::string::npos);
  EXPECT_EQ(ics.find("\r\nSTATUS:CANCELLED\r\n"), std::string::npos);
}

TEST(RenderICalendarTest, OmitsEmptyOptionalProperties) {
  const std::string ics = RenderICalendar("c", {BasicEvent()});
  EXPECT_EQ(ics.find("DESCRIPTION"), std::string::npos);
  EXPECT_EQ(ics.find("LOCATION"), std::string::npos);
  EXPECT_EQ(ics.find("URL"), std::string::npos);
}

// X-WR-CALNAME names a subscribed feed; an invitation (iTIP REQUEST /
// CANCEL) is one event to update, not a calendar, so it has none.
TEST(RenderICalendarTest, CalendarNameOnlyInPublishedFeeds) {
  const std::string feed = RenderICalendar("Kaizen FY2022", {BasicEvent()});
  EXPECT_NE(feed.find("\r\nMETHOD:PUBLISH\r\n"), std::string::npos) << feed;
  EXPECT_NE(feed.find("\r\nX-WR-CALNAME:Kaizen FY2022\r\n"), std::string::npos) << feed;
  for (const char* method : {"REQUEST", "CANCEL"}) {
    const std::string ics = RenderICalendar("Kaizen FY2022", {BasicEvent()}, method);
    EXPECT_NE(ics.find(std::string("\r\nMETHOD:") + method + "\r\n"), std::string::npos)
        << ics;
    EXPECT_EQ(ics.find("X-WR-CALNAME"), std::string::npos) << ics;
    EXPECT_EQ(ics.find("Kaizen FY2022"), std::string::npos) << ics;
    // Enrollment adds ORGANIZER / ATTENDEE per recipient; not here.
    EXPECT_EQ(ics.find("ORGANIZER"), std::string::npos) << ics;
    EXPECT_EQ(ics.find("ATTENDEE"), std::string::npos) << ics;
    EXPECT_NE(ics.find("\r\nX-WR-TIMEZONE:Asia/Tokyo\r\n"), std::string::npos) << ics;
  }
}

TEST(RenderICalendarTest, CancelledStatus) {
  CalendarEvent e = BasicEvent();
  e.cancelled = true;
  e.sequence = 3;
  const std::string ics = RenderICalendar("c", {e});
  EXPECT_NE(ics.find("\r\nSTATUS:CANCELLED\r\n"), std::string::npos);
  EXPECT_EQ(ics.find("CONFIRMED"), std::string::npos);
  EXPECT_NE(ics.find("\r\nSEQUENCE:3\r\n"), std::string::npos);
}

TEST(RenderICalendarTest, FoldsLongJapaneseLinesOnCharacterBoundaries) {
  const std::string base =
      "神山町デジタル人材育成プログラム 第3回 ジブンガタリ ワークショップ "
      "😀 と ふりかえり";
  // ASCII prefixes of every length 0..3 shift where the 3- and 4-byte
  // characters fall relative to the 75-octet limit.
  for (const char* prefix : {"", "a", "ab", "abc"}) {
    std::string summary = prefix;
    for (int i = 0; i < 4; ++i) summary += base;
    CalendarEvent e = BasicEvent();
    e.summary = summary;
    e.description = std::string(prefix) + std::string(200, 'x');  // ASCII
    const std::string ics = RenderICalendar("c", {e});

    const std::vector<std::string> lines = PhysicalLines(ics);
    int continuation_lines = 0;
    for (const std::string& line : lines) {
      EXPECT_LE(line.size(), 75u) << line;
      EXPECT_TRUE(IsValidUtf8(line)) << "broken UTF-8: " << line;
      if (absl::StartsWith(line, " ")) ++continuation_lines;
    }
    EXPECT_GT(continuation_lines, 5) << "expected folding for prefix '"
                                     << prefix << "'";
    EXPECT_EQ(FindLine(ics, "SUMMARY:"), "SUMMARY:" + summary);
    EXPECT_EQ(FindLine(ics, "DESCRIPTION:"), "DESCRIPTION:" + e.description);
  }
}

TEST(RenderICalendarTest, FoldsAsciiAtExactly75Octets) {
  CalendarEvent e = BasicEvent();
  e.summary = std::string(75 - 8, 's');  // "SUMMARY:" + 67 = 75: not folded
  e.description = std::string(75 - 12 + 1, 'd');  // 76 octets: folded
  const std::string ics = RenderICalendar("c", {e});
  EXPECT_NE(ics.find("\r\nSUMMARY:" + e.summary + "\r\nDESCRIPTION:"),
            std::string::npos);
  EXPECT_NE(ics.find("\r\nDESCRIPTION:" + std::string(63, 'd') + "\r\n d\r\n"),
            std::string::npos)
      << ics;
}

TEST(RenderExcelCsvTest, BomCrlfAndHeaderFirst) {
  CsvTable t;
  t.header = {"name", "date"};
  t.rows = {{"a", "2022-07-24"}, {"b", "2022-08-01"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF"
            "name,date\r\n"
            "a,2022-07-24\r\n"
            "b,2022-08-01\r\n");
}

TEST(RenderExcelCsvTest, QuotesWhenNeeded) {
  CsvTable t;
  t.header = {"h"};
  t.rows = {{"plain", "a,b", "say \"hi\"", "line1\nline2", "cr\rx", ""}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF"
            "h\r\n"
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"cr\rx\",\r\n");
}

TEST(RenderExcelCsvTest, FormulaPrefixIsNeutralised) {
  CsvTable t;
  t.header = {"f"};
  t.rows = {{"=SUM(A1:A2)", "+81", "-1", "@cmd", "=\"x\",y", "a=b"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF"
            "f\r\n"
            "\"'=SUM(A1:A2)\",\"'+81\",\"'-1\",\"'@cmd\",\"'=\"\"x\"\",y\","
            "a=b\r\n");
}

TEST(RenderExcelCsvTest, JapaneseIntact) {
  CsvTable t;
  t.header = {"氏名", "所属"};
  t.rows = {{"山田 太郎", "神山町役場, 企画課"}, {"ジブンガタリ", "😀"}};
  EXPECT_EQ(RenderExcelCsv(t),
            "\xEF\xBB\xBF"
            "氏名,所属\r\n"
            "山田 太郎,\"神山町役場, 企画課\"\r\n"
            "ジブンガタリ,😀\r\n");
}

TEST(RenderExcelCsvTest, EmptyTableIsBomAndHeader) {
  CsvTable t;
  t.header = {"a", "b"};
  EXPECT_EQ(RenderExcelCsv(t), "\xEF\xBB\xBF" "a,b\r\n");
}

}  // namespace
}  // namespace kaizen::scheduling
