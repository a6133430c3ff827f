// PersonaliseIcs (notify_ics.h): ORGANIZER and ATTENDEE per recipient,
// quoting, folding without splitting UTF-8, everything else byte-identical.
// notify_ics_parse_test.sh parses the result with a real iCalendar parser.
#include "services/enrollment/notify_ics.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment {
namespace notify_ics_test {

const char kIcs[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kaizen//scheduling//JA\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:cohorts/fy2022/meetings/m1@kaizen\r\nSEQUENCE:1\r\n"
    "SUMMARY:第1回 事例研究会（オンライン）\\, 予定の変更\r\n"
    " すための行\r\nDTSTART:20220730T050000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

const notify::MailAddress kFrom{"次世代改善リーダー事例研究会 事務局", "noreply@kaizen.localdomain"};

TEST(NotifyIcsTest, InsertsOrganizerAndAttendeeAndKeepsTheRest) {
  auto out = PersonaliseIcs(kIcs, kFrom, {"山田 花子", "hanako@example.jp"});
  ASSERT_TRUE(out.ok()) << out.status();
  // Unfolded, the two new properties sit just before END:VEVENT.
  const std::string unfolded = absl::StrReplaceAll(*out, {{"\r\n ", ""}});
  EXPECT_NE(unfolded.find("ORGANIZER;CN=\"次世代改善リーダー事例研究会 事務局\":mailto:"
                          "noreply@kaizen.localdomain\r\nATTENDEE;CN=\"山田 花子\";RSVP=FALSE:"
                          "mailto:hanako@example.jp\r\nEND:VEVENT\r\n"),
            std::string::npos)
      << *out;
  // Every other byte as it was: removing the inserted lines gives the input.
  std::vector<std::string> kept;
  bool skipping = false;
  for (absl::string_view line : absl::StrSplit(*out, "\r\n")) {
    if (line.rfind("ORGANIZER", 0) == 0 || line.rfind("ATTENDEE", 0) == 0) {
      skipping = true;
      continue;
    }
    if (skipping && !line.empty() && line[0] == ' ') continue;
    skipping = false;
    kept.push_back(std::string(line));
  }
  EXPECT_EQ(absl::StrJoin(kept, "\r\n"), kIcs);
  // Physical lines: at most 75 octets, each valid UTF-8 on its own (no
  // character split by a fold).
  for (absl::string_view line : absl::StrSplit(*out, "\r\n")) {
    EXPECT_LE(line.size(), 75u) << line;
    if (!line.empty()) {
      EXPECT_NE(static_cast<unsigned char>(line[line[0] == ' ' ? 1 : 0]) & 0xC0, 0x80) << line;
    }
  }
}

TEST(NotifyIcsTest, QuotesNamesAsRfc6868Says) {
  EXPECT_EQ(IcsQuotedParam("a\"b^c\r\nd\te"), "\"a^'b^^c^nde\"");
  EXPECT_EQ(IcsQuotedParam(""), "\"\"");
  auto out = PersonaliseIcs(kIcs, kFrom, {"Taro \"T\"; ROLE=CHAIR:x", "t@example.jp"});
  ASSERT_TRUE(out.ok());
  EXPECT_NE(absl::StrReplaceAll(*out, {{"\r\n ", ""}})
                .find("ATTENDEE;CN=\"Taro ^'T^'; ROLE=CHAIR:x\";RSVP=FALSE:mailto:t@example.jp"),
            std::string::npos)
      << *out;
}

TEST(NotifyIcsTest, KeepsAnExistingOrganizerAndRefusesNonsense) {
  const std::string with = absl::StrReplaceAll(
      kIcs, {{"SEQUENCE:1\r\n", "SEQUENCE:1\r\nORGANIZER:mailto:chair@example.jp\r\n"}});
  auto out = PersonaliseIcs(with, kFrom, {"", "t@example.jp"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->find("ORGANIZER;CN="), std::string::npos) << *out;
  EXPECT_NE(out->find("ATTENDEE;CN=\"\";RSVP=FALSE:mailto:t@example.jp"), std::string::npos);
  EXPECT_EQ(PersonaliseIcs("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", kFrom, {"", "t@example.jp"})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PersonaliseIcs(kIcs, kFrom, {"", "a b@example.jp"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kaizen::enrollment
