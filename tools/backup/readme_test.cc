#include <set>
#include <string>

#include "common/storage/backup.h"
#include "common/testing/readme.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace {

TEST(ReadmeTest, ListsExactlyTheBackupReasons) {
  absl::StatusOr<std::string> readme = testkit::ReadRunfile("tools/backup/README.md");
  ASSERT_TRUE(readme.ok()) << readme.status();
  absl::StatusOr<std::string> section = testkit::MarkdownSection(*readme, "## Error reasons");
  ASSERT_TRUE(section.ok()) << section.status();
  const std::vector<std::string> reasons = BackupReasons();
  EXPECT_EQ(testkit::BacktickedReasons(*section),
            std::set<std::string>(reasons.begin(), reasons.end()));
}

}  // namespace
}  // namespace kaizen::storage
