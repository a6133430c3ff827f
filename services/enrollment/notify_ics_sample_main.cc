// Prints an invitation personalised by PersonaliseIcs (notify_ics.h) for
// notify_ics_parse_test.sh: long Japanese names (folded), a quote in a name.
#include <cstdio>
#include <string>

#include "services/enrollment/notify_ics.h"

int main() {
  const std::string ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kaizen//scheduling//JA\r\n"
      "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:cohorts/fy2022/meetings/m1@kaizen\r\n"
      "DTSTAMP:20220701T000000Z\r\nSEQUENCE:2\r\nSTATUS:CONFIRMED\r\n"
      "DTSTART:20220730T050000Z\r\nDTEND:20220730T070000Z\r\n"
      "SUMMARY:第1回 事例研究会\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  auto out = kaizen::enrollment::PersonaliseIcs(
      ics, {"次世代改善リーダー事例研究会 事務局（令和四年度 第二期 運営担当）", "noreply@kaizen.localdomain"},
      {"山田 \"はなこ\" 花子（株式会社カイゼン製作所 生産技術部 改善推進課）", "hanako@example.jp"});
  if (!out.ok()) {
    std::fprintf(stderr, "%s\n", std::string(out.status().message()).c_str());
    return 1;
  }
  std::fwrite(out->data(), 1, out->size(), stdout);
  return 0;
}
