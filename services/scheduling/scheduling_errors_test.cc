// The catalog and README.md list the same reasons (so the docs cannot drift
// from the code), and the factories carry their code and reason.
#include "services/scheduling/scheduling_errors.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling {
namespace {

// Backticked UPPER_SNAKE words in `text`.
std::set<std::string> ReasonsIn(absl::string_view text) {
  std::set<std::string> out;
  std::vector<absl::string_view> parts = absl::StrSplit(text, '`');
  for (size_t i = 1; i < parts.size(); i += 2) {
    bool reason = parts[i].size() > 2;
    for (char c : parts[i]) reason = reason && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
    if (reason) out.insert(std::string(parts[i]));
  }
  return out;
}

TEST(SchedulingErrorsTest, ReasonsAreUniqueUpperSnakeCase) {
  std::set<absl::string_view> seen;
  for (const auto* list : {&ErrorReasons(), &SharedReasons()}) {
    for (absl::string_view r : *list) {
      EXPECT_TRUE(seen.insert(r).second) << r;
      for (char c : r) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') << r;
    }
  }
}

TEST(SchedulingErrorsTest, ReadmeListsExactlyTheCatalog) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  ASSERT_NE(srcdir, nullptr);
  const std::string path = std::string(srcdir) + "/" + (workspace ? workspace : "kaizen") +
                           "/services/scheduling/README.md";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string readme = buffer.str();
  const size_t start = readme.find("\n## Error reasons");
  ASSERT_NE(start, std::string::npos);
  const size_t end = readme.find("\n## ", start + 1);
  const std::string section =
      readme.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::set<std::string> expected(ErrorReasons().begin(), ErrorReasons().end());
  expected.insert(SharedReasons().begin(), SharedReasons().end());
  EXPECT_EQ(ReasonsIn(section), expected);
}

TEST(SchedulingErrorsTest, FactoriesCarryTheirCodeAndReason) {
  EXPECT_EQ(errors::Reason(MeetingCancelled(false)), kMeetingCancelled);
  EXPECT_EQ(MeetingCancelled(false).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(PersonNotOnRoster("participant")), kNotOnRoster);
  EXPECT_EQ(PersonNotOnRoster("participant").code(), absl::StatusCode::kInvalidArgument);
  auto bad = errors::GetBadRequest(PersonNotOnRoster("participant"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "participant");
}

}  // namespace
}  // namespace kaizen::scheduling
