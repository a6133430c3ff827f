// Authorise before revealing (issue 16, points 2 and 4): partner HR keys
// are nobody in scheduling, even if a roster entry carries their subject;
// which cohorts exist, who is on a roster and a slot's state are told only
// to callers entitled to them. Each test compares what a refused caller sees
// for two objects that differ only in the secret.
#include <string>

#include "common/status/errors.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace {

using namespace ::kaizen::scheduling::testing;  // NOLINT

std::string Observed(const absl::Status& s) {
  return std::string(absl::StatusCodeToString(s.code())) + " " + errors::Reason(s) + " " +
         std::string(s.message());
}

class AuthoriseFirstTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_);
    v1::CreateMeetingSeriesRequest r;
    r.set_parent(kCohort);
    r.set_template_("templates/next-gen-leaders-fy2022");
    r.set_start_year(2022);
    *r.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    ASSERT_TRUE(scheduling_->CreateMeetingSeries(Secretariat(), r).ok());
  }

  v1::SupportSlot Slot(int day) {
    v1::CreateSupportSlotRequest r;
    r.set_parent(kCohort);
    r.mutable_support_slot()->set_staff(Person("advisor"));
    *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, day, 19));
    *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, day, 20));
    auto slot = scheduling_->CreateSupportSlot(Navigator(), r);
    EXPECT_TRUE(slot.ok()) << slot.status();
    return slot.ok() ? *slot : v1::SupportSlot();
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
};

TEST_F(AuthoriseFirstTest, APartnerKeyIsNobodyEvenWithARosterSubject) {
  // A (now refused) staff entry whose subject looks like a partner key's.
  auto fetched = roster_.GetRoster(kCohort);
  ASSERT_TRUE(fetched.ok());
  ev1::Roster roster = *fetched;
  auto* e = roster.add_entries();
  e->set_participant(Person("hr"));
  e->set_display_name("人事課");
  e->set_role(ev1::Participant::OBSERVER);
  e->set_subject("partner:demo-matsusaka-hr");
  roster_.SetRoster(roster);
  Principal partner = ::kaizen::testkit::PartnerHr("242047");
  partner.set_subject("partner:demo-matsusaka-hr");
  partner.add_roles(kaizen::type::ROLE_OBSERVER);  // even a forged extra role

  v1::ListMeetingsRequest list;
  list.set_parent(kCohort);
  const absl::Status s = scheduling_->ListMeetings(partner, list).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  v1::GetPollRequest poll;
  poll.set_meeting(std::string(kCohort) + "/meetings/m2");
  EXPECT_EQ(scheduling_->GetPoll(partner, poll).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(AuthoriseFirstTest, WhichCohortsExistIsNotToldToOutsiders) {
  // Enrollment answers NOT_FOUND for a draft (to a service) as for nothing.
  v1::ListSupportSlotsRequest slots;
  slots.set_parent("cohorts/fy2023-draft");
  const absl::Status a = scheduling_->ListSupportSlots(Participant(1), slots).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  // An organiser of another cohort is refused the same way.
  v1::CreateSupportSlotRequest create;
  create.set_parent("cohorts/fy2023-draft");
  create.mutable_support_slot()->set_staff("cohorts/fy2023-draft/participants/advisor");
  *create.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 19));
  *create.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 20));
  const absl::Status b = scheduling_->CreateSupportSlot(Navigator(), create).status();
  EXPECT_EQ(b.code(), absl::StatusCode::kPermissionDenied) << b;
}

TEST_F(AuthoriseFirstTest, BookingForSomeoneElseDoesNotRevealTheRoster) {
  const v1::SupportSlot slot = Slot(5);
  v1::BookSupportSlotRequest on_roster;
  on_roster.set_name(slot.name());
  on_roster.set_participant(Person("p2"));
  v1::BookSupportSlotRequest not_on_roster = on_roster;
  not_on_roster.set_participant(Person("nobody"));
  const absl::Status a = scheduling_->BookSupportSlot(Participant(1), on_roster).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  EXPECT_EQ(Observed(a), Observed(scheduling_->BookSupportSlot(Participant(1), not_on_roster)
                                      .status()));
  // The secretariat, who may act for anyone, is told the name is unknown.
  EXPECT_EQ(scheduling_->BookSupportSlot(Secretariat(), not_on_roster).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AuthoriseFirstTest, CancellingSomeoneElsesBookingDoesNotRevealTheSlotState) {
  const v1::SupportSlot booked = Slot(5);
  const v1::SupportSlot open = Slot(6);
  v1::BookSupportSlotRequest book;
  book.set_name(booked.name());
  ASSERT_TRUE(scheduling_->BookSupportSlot(Participant(1), book).ok());

  v1::CancelSupportBookingRequest c1;
  c1.set_name(booked.name());
  v1::CancelSupportBookingRequest c2;
  c2.set_name(open.name());
  // Another participant: same answer for a booked and an open slot.
  const absl::Status a = scheduling_->CancelSupportBooking(Participant(2), c1).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  EXPECT_EQ(Observed(a), Observed(scheduling_->CancelSupportBooking(Participant(2), c2).status()));
  // Someone on no roster: the same again.
  const Principal stranger = As("stranger", kaizen::type::ROLE_PARTICIPANT);
  EXPECT_EQ(Observed(scheduling_->CancelSupportBooking(stranger, c1).status()),
            Observed(scheduling_->CancelSupportBooking(stranger, c2).status()));
  // The organiser is told the open slot has no booking; the owner cancels.
  EXPECT_EQ(errors::Reason(scheduling_->CancelSupportBooking(Navigator(), c2).status()),
            "SLOT_NOT_BOOKED");
  EXPECT_TRUE(scheduling_->CancelSupportBooking(Participant(1), c1).ok());
}

}  // namespace
}  // namespace kaizen::scheduling
