#include "common/util/ics_fold.h"

#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace kaizen {
namespace ics_fold_test {

std::string Unfold(const std::string& folded) {
  return absl::StrReplaceAll(folded, {{"\r\n ", ""}});
}

TEST(FoldIcsLineTest, LeavesAShortLineAlone) {
  EXPECT_EQ(FoldIcsLine("", "\r\n"), "");
  const std::string exact(75, 'a');
  EXPECT_EQ(FoldIcsLine(exact, "\r\n"), exact);
}

TEST(FoldIcsLineTest, FoldsAt75ThenAt74PlusTheSpace) {
  const std::string line(75 + 74 + 1, 'a');
  const std::string folded = FoldIcsLine(line, "\r\n");
  const std::vector<std::string> parts = absl::StrSplit(folded, "\r\n");
  ASSERT_EQ(parts.size(), 3u) << folded;
  EXPECT_EQ(parts[0].size(), 75u);
  EXPECT_EQ(parts[1], " " + std::string(74, 'a'));
  EXPECT_EQ(parts[2], " a");
  EXPECT_EQ(Unfold(folded), line);
  EXPECT_EQ(FoldIcsLine(line, "\n"), absl::StrReplaceAll(folded, {{"\r\n", "\n"}}));
}

TEST(FoldIcsLineTest, NeverSplitsAUtf8Sequence) {
  // 3- and 4-octet characters: a fold at 75 would split one; it must back up.
  for (const std::string ch : {"あ", "𠮷"}) {
    std::string line = "SUMMARY:";
    for (int i = 0; i < 60; ++i) line += ch;
    const std::string folded = FoldIcsLine(line, "\r\n");
    EXPECT_EQ(Unfold(folded), line);
    for (absl::string_view part : absl::StrSplit(folded, "\r\n")) {
      EXPECT_LE(part.size(), 75u);
      const size_t first = part[0] == ' ' ? 1 : 0;
      EXPECT_NE(static_cast<unsigned char>(part[first]) & 0xC0, 0x80) << part;
    }
  }
}

TEST(FoldIcsLineTest, CutsMalformedUtf8AtTheLimitInsteadOfLooping) {
  const std::string line(200, '\x80');  // continuation bytes only
  const std::string folded = FoldIcsLine(line, "\r\n");
  EXPECT_EQ(Unfold(folded), line);
  for (absl::string_view part : absl::StrSplit(folded, "\r\n")) EXPECT_LE(part.size(), 75u);
}

}  // namespace ics_fold_test
}  // namespace kaizen
