#include "services/scheduling/poll_rule.h"

#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace poll_rule_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

TEST(SlotIdTest, IsTokyoLocalTimeAndStable) {
  EXPECT_EQ(SlotId(FirstMeeting()), "s202207240900");
}

TEST(DecidePollTest, EmptyPollHasNoQualifyingSlot) {
  FakeRoster roster;
  RosterView view(*roster.GetRoster(kCohort));
  v1::Poll poll;
  auto* slot = poll.add_slots();
  slot->set_id(SlotId(FirstMeeting()));
  *slot->mutable_start_time() = ToProtoTimestamp(FirstMeeting());
  EXPECT_EQ(DecidePoll(poll, view, "").status().code(), absl::StatusCode::kFailedPrecondition);
  auto forced = DecidePoll(poll, view, slot->id());
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->slots(0).unavailable_size(), 4);
}

}  // namespace
}  // namespace kaizen::scheduling
