#include "common/testing/readme.h"

#include "gtest/gtest.h"

namespace kaizen::testkit {
namespace readme_test {

constexpr char kDoc[] =
    "# Service\n"
    "## Error reasons\n"
    "| `NOT_FOUND` | NOT_FOUND |\n"
    "| `INVALID_UTF8` or `lower`, `AB` |\n"
    "### History reasons\n"
    "`SEAT_AVAILABLE`\n"
    "## Next\n"
    "`OTHER_REASON`\n";

TEST(ReadmeTest, SectionRunsToTheNextHeadingOfItsLevel) {
  auto section = MarkdownSection(kDoc, "## Error reasons");
  ASSERT_TRUE(section.ok());
  EXPECT_EQ(BacktickedReasons(*section),
            (std::set<std::string>{"NOT_FOUND", "INVALID_UTF8", "SEAT_AVAILABLE"}));
  auto history = MarkdownSection(kDoc, "### History reasons");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(BacktickedReasons(*history), (std::set<std::string>{"SEAT_AVAILABLE"}));
  EXPECT_EQ(MarkdownSection(kDoc, "## Missing").status().code(), absl::StatusCode::kNotFound);
}

TEST(ReadmeTest, MissingRunfileIsNotFound) {
  EXPECT_EQ(ReadRunfile("no/such/file.md").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kaizen::testkit
