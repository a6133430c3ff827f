// The catalog and README.md list the same reasons (so the docs cannot drift
// from the code), and the factories carry their code and reason.
#include "services/scheduling/scheduling_errors.h"

#include <set>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "common/testing/readme.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling {
namespace scheduling_errors_test {

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
  auto readme = testkit::ReadRunfile("services/scheduling/README.md");
  ASSERT_TRUE(readme.ok()) << readme.status();
  auto section = testkit::MarkdownSection(*readme, "## Error reasons");
  ASSERT_TRUE(section.ok()) << section.status();
  std::set<std::string> expected(ErrorReasons().begin(), ErrorReasons().end());
  expected.insert(SharedReasons().begin(), SharedReasons().end());
  EXPECT_EQ(testkit::BacktickedReasons(*section), expected);
}

TEST(SchedulingErrorsTest, FactoriesCarryTheirCodeAndReason) {
  EXPECT_EQ(errors::Reason(MeetingCancelled(false)), kMeetingCancelled);
  EXPECT_EQ(MeetingCancelled(false).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(PersonNotOnRoster("participant")), kNotOnRoster);
  EXPECT_EQ(PersonNotOnRoster("participant").code(), absl::StatusCode::kInvalidArgument);
  // Limits no retry passes are FAILED_PRECONDITION, not RESOURCE_EXHAUSTED
  // (HTTP 429, which clients retry).
  EXPECT_EQ(BookingLimit(2).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(BookingLimit(2)), kBookingLimit);
  for (const absl::Status& s : {ParticipantErased(), MeetingNotStarted(), SlotWithdrawn()}) {
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  }
  EXPECT_EQ(errors::Reason(ParticipantErased()), "PARTICIPANT_ERASED");
  EXPECT_EQ(errors::Reason(MeetingNotStarted()), "MEETING_NOT_STARTED");
  EXPECT_EQ(AttendanceAlreadyTaken().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(AttendanceAlreadyTaken()), "ATTENDANCE_ALREADY_TAKEN");
  EXPECT_EQ(errors::Reason(SlotWithdrawn()), "SLOT_WITHDRAWN");
  auto bad = errors::GetBadRequest(PersonNotOnRoster("participant"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "participant");
}

}  // namespace
}  // namespace kaizen::scheduling
