// Issue 15, point 6: support booking rules. One person holds no two
// overlapping sessions (whoever gives them) and at most
// kMaxUpcomingSupportBookings upcoming ones; slots in the past are neither
// listed as open nor bookable; staff withdraw their own unbooked slots.
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace support_rules_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class SupportRulesTest : public SchedulingFixture {
 protected:
  absl::StatusOr<google::protobuf::Empty> Withdraw(const Principal& who, const std::string& slot) {
    v1::DeleteSupportSlotRequest r;
    r.set_name(slot);
    return scheduling_->DeleteSupportSlot(who, r);
  }

  std::vector<v1::SupportSlot> List(bool open_only) {
    v1::ListSupportSlotsRequest r;
    r.set_parent(kCohort);
    r.set_open_only(open_only);
    auto l = scheduling_->ListSupportSlots(Participant(1), r);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? std::vector<v1::SupportSlot>(l->support_slots().begin(),
                                                 l->support_slots().end())
                  : std::vector<v1::SupportSlot>();
  }
};

TEST_F(SupportRulesTest, NoTwoOverlappingBookingsEvenWithDifferentStaff) {
  auto with_advisor = Slot("advisor", Tokyo(2022, 10, 5, 19));
  auto with_navigator = Slot("navigator", Tokyo(2022, 10, 5, 19, 30));
  auto later = Slot("advisor", Tokyo(2022, 10, 5, 20, 30));  // after both
  ASSERT_TRUE(with_advisor.ok() && with_navigator.ok() && later.ok());
  ASSERT_TRUE(Book(Participant(1), with_advisor->name()).ok());
  auto second = Book(Participant(1), with_navigator->name());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(second.status()), kBookingOverlaps);
  EXPECT_NE(second.status().message().find(with_advisor->name()), std::string::npos);
  EXPECT_TRUE(Book(Participant(1), later->name()).ok());
  // Someone else may take the overlapping one.
  EXPECT_TRUE(Book(Participant(2), with_navigator->name()).ok());
}

TEST_F(SupportRulesTest, AtMostTwoUpcomingBookingsPerPerson) {
  std::vector<std::string> slots;
  for (int day = 3; day <= 5; ++day) {
    auto s = Slot("advisor", Tokyo(2022, 10, day, 19));
    ASSERT_TRUE(s.ok()) << s.status();
    slots.push_back(s->name());
  }
  ASSERT_TRUE(Book(Participant(1), slots[0]).ok());
  ASSERT_TRUE(Book(Participant(1), slots[1]).ok());
  auto third = Book(Participant(1), slots[2]);
  // Not RESOURCE_EXHAUSTED (HTTP 429, which clients retry): no retry passes
  // until a booking is cancelled or has taken place.
  EXPECT_EQ(third.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(third.status()), kBookingLimit);
  // The secretariat booking for them is held to the same rule.
  v1::BookSupportSlotRequest for_p1;
  for_p1.set_name(slots[2]);
  for_p1.set_participant(Person("p1"));
  EXPECT_EQ(errors::Reason(scheduling_->BookSupportSlot(Secretariat(), for_p1).status()),
            kBookingLimit);
  // Once the first session has taken place, a new one may be booked.
  clock_.Set(Tokyo(2022, 10, 3, 21));
  EXPECT_TRUE(Book(Participant(1), slots[2]).ok());
}

TEST_F(SupportRulesTest, SlotsInThePastAreNotOpen) {
  auto past = Slot("advisor", Tokyo(2022, 7, 2, 9));
  auto future = Slot("advisor", Tokyo(2022, 7, 9, 9));
  ASSERT_TRUE(past.ok() && future.ok());
  clock_.Set(Tokyo(2022, 7, 5, 9));
  std::vector<v1::SupportSlot> open = List(/*open_only=*/true);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].name(), future->name());
  std::vector<v1::SupportSlot> all = List(/*open_only=*/false);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state(), v1::SupportSlot::EXPIRED);
  EXPECT_EQ(all[1].state(), v1::SupportSlot::OPEN);
  EXPECT_EQ(errors::Reason(Book(Participant(1), past->name()).status()), kSlotInPast);
  // Nor can a slot be published in the past.
  EXPECT_EQ(FieldOf(Slot("advisor", Tokyo(2022, 7, 4, 9)).status()), "support_slot.start_time");
}

TEST_F(SupportRulesTest, StaffWithdrawTheirOwnUnbookedSlots) {
  auto advisors = Slot("advisor", Tokyo(2022, 10, 5, 19));
  auto navigators = Slot("navigator", Tokyo(2022, 10, 6, 19));
  auto booked = Slot("advisor", Tokyo(2022, 10, 7, 19));
  ASSERT_TRUE(advisors.ok() && navigators.ok() && booked.ok());
  ASSERT_TRUE(Book(Participant(1), booked->name()).ok());

  EXPECT_EQ(errors::Reason(Withdraw(Participant(1), advisors->name()).status()), kNotYourSlot);
  EXPECT_EQ(errors::Reason(Withdraw(Navigator(), advisors->name()).status()), kNotYourSlot);
  EXPECT_TRUE(Withdraw(Advisor(), advisors->name()).ok());
  EXPECT_EQ(Withdraw(Advisor(), advisors->name()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Withdraw(Secretariat(), navigators->name()).ok());

  auto refused = Withdraw(Advisor(), booked->name());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(refused.status()), kSlotBooked);
  EXPECT_EQ(List(/*open_only=*/false).size(), 1u);
}

// Two bookings by one person at once, for two overlapping slots with
// different staff: exactly one wins, whatever the interleaving (the checks
// read the person's bookings inside the booking's BEGIN IMMEDIATE
// transaction). A file database, so the threads really race.
TEST_F(SupportRulesTest, ConcurrentOverlappingBookingsByOnePersonHaveOneWinner) {
  Open(std::string(std::getenv("TEST_TMPDIR")) + "/overlap.db");
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    auto a = Slot("advisor", Tokyo(2022, 10, 5 + round, 19));
    auto b = Slot("navigator", Tokyo(2022, 10, 5 + round, 19, 30));
    ASSERT_TRUE(a.ok() && b.ok());
    const std::string names[2] = {a->name(), b->name()};
    absl::Status results[2];
    absl::Notification go;
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        go.WaitForNotification();
        results[i] = Book(Participant(1), names[i]).status();
      });
    }
    go.Notify();
    for (auto& t : threads) t.join();
    EXPECT_NE(results[0].ok(), results[1].ok()) << results[0] << " / " << results[1];
    for (const absl::Status& s : results) {
      if (!s.ok()) {
        EXPECT_EQ(errors::Reason(s), kBookingOverlaps) << s;
      }
    }
    // Free the person again for the next round (cap of upcoming bookings).
    for (int i = 0; i < 2; ++i) {
      if (!results[i].ok()) continue;
      v1::CancelSupportBookingRequest cancel;
      cancel.set_name(names[i]);
      ASSERT_TRUE(scheduling_->CancelSupportBooking(Participant(1), cancel).ok());
    }
  }
}

// Moved from scheduling_test.cc.
TEST_F(SupportRulesTest, SupportSlotValidation) {
  v1::CreateSupportSlotRequest r;
  r.set_parent(kCohort);
  r.mutable_support_slot()->set_staff(Person("advisor"));
  *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 19));
  *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 18));
  EXPECT_EQ(errors::Reason(scheduling_->CreateSupportSlot(Navigator(), r).status()),
            "END_BEFORE_START");
  *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 20));
  ASSERT_TRUE(scheduling_->CreateSupportSlot(Navigator(), r).ok());
  EXPECT_EQ(errors::Reason(scheduling_->CreateSupportSlot(Navigator(), r).status()),
            "SLOT_OVERLAPS");
  r.mutable_support_slot()->set_staff(Person("p1"));
  EXPECT_EQ(FieldOf(scheduling_->CreateSupportSlot(Navigator(), r).status()),
            "support_slot.staff");
}

TEST_F(SupportRulesTest, ConcurrentBookingOfOneSlotHasExactlyOneWinner) {
  // A file database so the bookers really race across connections.
  Open(std::string(getenv("TEST_TMPDIR")) + "/booking.db");
  v1::CreateSupportSlotRequest r;
  r.set_parent(kCohort);
  r.mutable_support_slot()->set_staff(Person("advisor"));
  *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 19));
  *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 20));
  auto slot = scheduling_->CreateSupportSlot(Navigator(), r);
  ASSERT_TRUE(slot.ok()) << slot.status();

  constexpr int kBookers = 4;
  std::vector<absl::Status> results(kBookers);
  absl::Notification go;
  std::vector<std::thread> threads;
  for (int i = 0; i < kBookers; ++i) {
    threads.emplace_back([&, i] {
      go.WaitForNotification();
      v1::BookSupportSlotRequest b;
      b.set_name(slot->name());
      results[i] = scheduling_->BookSupportSlot(Participant(i + 1), b).status();
    });
  }
  go.Notify();
  for (auto& t : threads) t.join();
  int won = 0;
  for (const auto& s : results) {
    if (s.ok()) {
      ++won;
    } else {
      EXPECT_EQ(errors::Reason(s), "SLOT_TAKEN") << s;
    }
  }
  EXPECT_EQ(won, 1);

  // The winner's booking shows in their calendar only.
  int winner = 0;
  for (int i = 0; i < kBookers; ++i) if (results[i].ok()) winner = i + 1;
  v1::GetPersonCalendarRequest cal;
  cal.set_participant(Person(absl::StrCat("p", winner)));
  auto feed = scheduling_->GetPersonCalendar(Participant(winner), cal);
  ASSERT_TRUE(feed.ok());
  EXPECT_NE(feed->data().find("SUMMARY:アクションプラン作成個別支援"), std::string::npos);
}

TEST_F(SupportRulesTest, BookingRules) {
  v1::CreateSupportSlotRequest r;
  r.set_parent(kCohort);
  r.mutable_support_slot()->set_staff(Person("advisor"));
  *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 19));
  *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, 5, 20));
  auto slot = scheduling_->CreateSupportSlot(Navigator(), r);
  ASSERT_TRUE(slot.ok());
  v1::BookSupportSlotRequest b;
  b.set_name(slot->name());
  ASSERT_TRUE(scheduling_->BookSupportSlot(Participant(1), b).ok());
  v1::CancelSupportBookingRequest c;
  c.set_name(slot->name());
  EXPECT_EQ(errors::Reason(scheduling_->CancelSupportBooking(Participant(2), c).status()),
            "NOT_YOUR_BOOKING");
  ASSERT_TRUE(scheduling_->CancelSupportBooking(Participant(1), c).ok());
  clock_.Set(Tokyo(2022, 10, 5, 19, 30));
  EXPECT_EQ(errors::Reason(scheduling_->BookSupportSlot(Participant(2), b).status()),
            "SLOT_IN_PAST");
}

}  // namespace
}  // namespace kaizen::scheduling
