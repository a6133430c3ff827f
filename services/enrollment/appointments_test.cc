// One part per person in a cohort (appointments.h), the ways in that the
// first version left open (issue 15 review, M1): someone whose application
// waits is appointed staff and then takes the seat; staff come in through an
// anonymous application, a team mate's e-mail or the secretariat applying on
// their behalf. Real in-memory SQLite, fake clock.
#include "services/enrollment/appointments.h"

#include <memory>
#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/decisions_fixture.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace appointments_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

using AppointmentsTest = OneSeatCohortTest;

TEST_F(AppointmentsTest, ApplyThenAppointThenAcceptNeverMakesStaffASeatHolder) {
  v1::Application seated = MustApply(1);                    // takes the one seat
  v1::Application waiting = MustApply(2, User("person-s"));  // waits
  ASSERT_EQ(waiting.state(), v1::Application::WAITLISTED);
  // Its submitting account, or any member's e-mail: decide it first.
  auto by_account = Appoint("person-s", v1::Participant::OBSERVER);
  EXPECT_EQ(by_account.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(by_account.status()), "APPLICANT_CANNOT_BE_STAFF");
  EXPECT_EQ(errors::Reason(Appoint("", v1::Participant::ADVISOR,
                                   "PERSON200@City.example.jp").status()),
            "APPLICANT_CANNOT_BE_STAFF");
  // So the accept that follows seats a participant, not an observer.
  v1::DecideApplicationRequest reject;
  reject.set_name(seated.name());
  reject.set_reason("辞退");
  ASSERT_TRUE(enrollment_->RejectApplication(Secretariat(), reject).ok());
  auto accepted = Accept(waiting.name());
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->state(), v1::Application::ACCEPTED);
  v1::ListParticipantsRequest observers;
  observers.set_parent(cohort_);
  observers.set_role(v1::Participant::OBSERVER);
  auto listed = enrollment_->ListParticipants(Secretariat(), observers);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->participants_size(), 0);

  // Now a seat holder: still not staff.
  EXPECT_EQ(errors::Reason(Appoint("person-s", v1::Participant::OBSERVER).status()),
            "PARTICIPANT_CANNOT_BE_STAFF");
  // Once the application is decided against (withdrawn), the appointment is fine.
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(waiting.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(Secretariat(), withdraw).ok());
  EXPECT_TRUE(Appoint("person-s", v1::Participant::OBSERVER).ok());
}

TEST_F(AppointmentsTest, StaffComingInAnonymouslyIsRejectedWithoutTellingTheApplicant) {
  const std::string staff_email = Person(100, kTowns[0]).email();  // MustApply(1)'s member
  ASSERT_TRUE(Appoint("obs-1", v1::Participant::OBSERVER, staff_email).ok());
  // Anonymous, with the observer's e-mail: not admitted, not waiting.
  v1::Application app = MustApply(1);
  EXPECT_EQ(app.state(), v1::Application::REJECTED);
  EXPECT_EQ(app.participants_size(), 0);
  // The applicant sees the state, not why nor who.
  v1::Application seen = Get(app.name(), WithToken(app.access_token()));
  ASSERT_GE(seen.history_size(), 2);
  for (const auto& h : seen.history()) {
    EXPECT_EQ(h.reason(), "") << h.ShortDebugString();
    EXPECT_EQ(h.actor(), "");
  }
  EXPECT_EQ(seen.decisions_size(), 0);
  // The secretariat sees the service's decision and its reason.
  v1::Application record = Get(app.name());
  ASSERT_EQ(record.decisions_size(), 1);
  EXPECT_EQ(record.decisions(0).kind(), v1::Application::Decision::REJECT);
  EXPECT_EQ(record.decisions(0).actor(), "system");
  EXPECT_EQ(record.decisions(0).reason(), "MEMBER_IS_STAFF");
  // And cannot seat them by hand: the seat itself is refused.
  auto accepted = Accept(app.name());
  EXPECT_EQ(accepted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(accepted.status()), "MEMBER_IS_STAFF");
  EXPECT_EQ(Get(app.name()).state(), v1::Application::REJECTED);  // nothing changed

  // A team mate's e-mail, the secretariat applying on the observer's behalf:
  // the same.
  v1::UpdateCohortRequest room;
  room.mutable_cohort()->set_name(cohort_);
  room.mutable_cohort()->set_capacity(2);
  room.mutable_update_mask()->add_paths("capacity");
  ASSERT_TRUE(enrollment_->UpdateCohort(Secretariat(), room).ok());
  v1::CreateApplicationRequest team = Apply(cohort_, 5, kTowns[0], 2);
  team.mutable_application()->mutable_members(1)->set_email(staff_email);
  auto mates = enrollment_->CreateApplication(Anonymous(), team);
  ASSERT_TRUE(mates.ok()) << mates.status();
  EXPECT_EQ(mates->state(), v1::Application::REJECTED);
  auto on_behalf = enrollment_->CreateApplication(Secretariat(), Apply(cohort_, 1, kTowns[0]));
  ASSERT_TRUE(on_behalf.ok()) << on_behalf.status();
  EXPECT_EQ(on_behalf->state(), v1::Application::REJECTED);
  // Someone else still gets the seat.
  EXPECT_EQ(MustApply(7).state(), v1::Application::ACCEPTED);
}

TEST_F(AppointmentsTest, AnAccountThatClaimedAWaitingApplicationCannotBeAppointed) {
  MustApply(1);
  v1::Application waiting = MustApply(2);  // anonymous
  v1::ClaimApplicationRequest claim;
  claim.set_name(waiting.name());
  Principal claimer = User("later-staff");
  claimer.set_access_token(waiting.access_token());
  ASSERT_TRUE(enrollment_->ClaimApplication(claimer, claim).ok());
  EXPECT_EQ(errors::Reason(Appoint("later-staff", v1::Participant::ADVISOR).status()),
            "APPLICANT_CANNOT_BE_STAFF");
}

}  // namespace
}  // namespace kaizen::enrollment
