// README.md's "Error reasons" lists exactly the catalog's reasons.
#include "common/testing/readme.h"
#include "gtest/gtest.h"
#include "tools/bundle/bundle_errors.h"

namespace kaizen::bundle {
namespace readme_test {

TEST(Readme, ErrorReasonsMatchTheCatalog) {
  absl::StatusOr<std::string> readme = testkit::ReadRunfile("tools/bundle/README.md");
  ASSERT_TRUE(readme.ok()) << readme.status();
  absl::StatusOr<std::string> section = testkit::MarkdownSection(*readme, "## Error reasons");
  ASSERT_TRUE(section.ok()) << section.status();
  EXPECT_EQ(testkit::BacktickedReasons(*section), AllReasons());
}

}  // namespace
}  // namespace kaizen::bundle
