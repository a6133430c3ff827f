// MeetingStart over the fake source: confirmed, not yet scheduled, polling,
// cancelled, rescheduled, missing, and scheduling down.
#include "clients/scheduling/meetings.h"

#include "absl/strings/str_cat.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "clients/scheduling/scheduling_client_errors.h"
#include "common/status/errors.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling_client {
namespace meetings_test {

constexpr char kCohort[] = "cohorts/fy2022";

// 2022-12-18 09:00 JST, and a week later.
const absl::Time kSixth = absl::FromUnixSeconds(1671321600);
const absl::Time kSixthMoved = kSixth + absl::Hours(24 * 7);

Meeting MakeMeeting(int sequence, Meeting::State state,
                    std::optional<absl::Time> start = std::nullopt) {
  Meeting m;
  m.set_name(absl::StrCat(kCohort, "/meetings/m", sequence));
  m.set_sequence(sequence);
  m.set_state(state);
  if (start.has_value()) *m.mutable_start_time() = ToProtoTimestamp(*start);
  return m;
}

class MeetingStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_.SetMeeting(MakeMeeting(6, Meeting::CONFIRMED, kSixth));
    source_.SetMeeting(MakeMeeting(7, Meeting::UNSCHEDULED));
    source_.SetMeeting(MakeMeeting(8, Meeting::POLLING));
  }
  FakeMeetingSource source_;
};

TEST_F(MeetingStartTest, ConfirmedMeetingGivesItsStart) {
  auto start = MeetingStart(source_, kCohort, 6);
  ASSERT_TRUE(start.ok()) << start.status();
  ASSERT_TRUE(start->has_value());
  EXPECT_EQ(**start, kSixth);
  EXPECT_EQ(source_.calls(), 1);
}

TEST_F(MeetingStartTest, RescheduledMeetingGivesItsNewStart) {
  source_.SetMeeting(MakeMeeting(6, Meeting::CONFIRMED, kSixthMoved));
  auto start = MeetingStart(source_, kCohort, 6);
  ASSERT_TRUE(start.ok()) << start.status();
  ASSERT_TRUE(start->has_value());
  EXPECT_EQ(**start, kSixthMoved);
}

TEST_F(MeetingStartTest, UnscheduledAndPollingMeetingsHaveNoStartYet) {
  for (int sequence : {7, 8}) {
    auto start = MeetingStart(source_, kCohort, sequence);
    ASSERT_TRUE(start.ok()) << start.status();
    EXPECT_FALSE(start->has_value()) << "meeting " << sequence;
  }
}

TEST_F(MeetingStartTest, CancelledMeetingHasNoStartEvenWithAnOldOne) {
  // A cancelled meeting's last start stays in its history, never as a start.
  source_.SetMeeting(MakeMeeting(6, Meeting::CANCELLED, kSixth));
  auto start = MeetingStart(source_, kCohort, 6);
  ASSERT_TRUE(start.ok()) << start.status();
  EXPECT_FALSE(start->has_value());
}

TEST_F(MeetingStartTest, ConfirmedWithoutAStartIsInternal) {
  source_.SetMeeting(MakeMeeting(6, Meeting::CONFIRMED));
  auto start = MeetingStart(source_, kCohort, 6);
  EXPECT_EQ(start.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(start.status().message(), "the meetings could not be read");
}

TEST_F(MeetingStartTest, MissingMeetingIsNotFoundNamingIt) {
  for (int sequence : {0, 9}) {
    auto start = MeetingStart(source_, kCohort, sequence);
    EXPECT_EQ(start.status().code(), absl::StatusCode::kNotFound) << sequence;
    auto info = errors::GetResourceInfo(start.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->resource_name(), absl::StrCat(kCohort, "/meetings/m", sequence));
  }
  auto unknown_cohort = MeetingStart(source_, "cohorts/other", 6);
  EXPECT_EQ(unknown_cohort.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MeetingStartTest, SchedulingDownIsUnavailable) {
  source_.SetUnavailable(true);
  auto start = MeetingStart(source_, kCohort, 6);
  EXPECT_EQ(start.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(start.status()), kSchedulingUnavailable);
  source_.SetUnavailable(false);
  EXPECT_TRUE(MeetingStart(source_, kCohort, 6).ok());
  EXPECT_EQ(source_.calls(), 2);
}

TEST(FakeMeetingSourceTest, ListsInSequenceOrderAndGetsByName) {
  FakeMeetingSource source;
  source.SetMeeting(MakeMeeting(10, Meeting::UNSCHEDULED));
  source.SetMeeting(MakeMeeting(2, Meeting::UNSCHEDULED));
  auto list = source.ListMeetings(kCohort);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].sequence(), 2);
  EXPECT_EQ((*list)[1].sequence(), 10);
  auto got = source.GetMeeting(absl::StrCat(kCohort, "/meetings/m10"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->sequence(), 10);
  EXPECT_EQ(source.GetMeeting(absl::StrCat(kCohort, "/meetings/m3")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kaizen::scheduling_client
