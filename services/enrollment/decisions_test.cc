// Issue 15, point 4: every decision on an application is kept with who,
// when and why, for the secretariat only; one person holds one part in a
// cohort (no double appointment, no participant as staff, no staff applying).
// Point 9 (enrollment): a missing field is "required", and an empty
// UpdateConsent revokes nothing. Real in-memory SQLite, fake clock.
#include "services/enrollment/decisions.h"

#include <memory>
#include <string>

#include "common/status/errors.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/enrollment/decisions_fixture.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/internal.h"

namespace kaizen::enrollment {
namespace decisions_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

using DecisionsTest = OneSeatCohortTest;

TEST_F(DecisionsTest, PrioritizeKeepsWhoWhenWhyAndFromWhat) {
  MustApply(1);                             // takes the one seat
  v1::Application waiting = MustApply(2);  // waits
  clock_.Advance(absl::Hours(1));
  v1::PrioritizeApplicationRequest up;
  up.set_name(waiting.name());
  up.set_priority(5);
  up.set_reason("推薦枠");
  ASSERT_TRUE(enrollment_->PrioritizeApplication(Secretariat("sec-a"), up).ok());
  clock_.Advance(absl::Hours(1));
  up.set_priority(-3);
  up.set_reason("推薦取り下げ");
  auto second = enrollment_->PrioritizeApplication(Secretariat("sec-b"), up);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->decisions_size(), 2);

  const v1::Application seen = Get(waiting.name());
  ASSERT_EQ(seen.decisions_size(), 2);
  const Decision& first = seen.decisions(0);
  EXPECT_EQ(first.kind(), Decision::PRIORITIZE);
  EXPECT_EQ(first.actor(), "sec-a");
  EXPECT_EQ(first.reason(), "推薦枠");
  EXPECT_EQ(first.previous_priority(), 0);
  EXPECT_EQ(first.priority(), 5);
  EXPECT_EQ(FromProtoTimestamp(first.time()), June1() + absl::Hours(1));
  EXPECT_EQ(seen.decisions(1).actor(), "sec-b");
  EXPECT_EQ(seen.decisions(1).previous_priority(), 5);
  EXPECT_EQ(seen.decisions(1).priority(), -3);
  EXPECT_EQ(FromProtoTimestamp(seen.decisions(1).time()), June1() + absl::Hours(2));

  // The secretariat's record: not for the applicant, not for the navigator.
  EXPECT_EQ(Get(waiting.name(), WithToken(waiting.access_token())).decisions_size(), 0);
  ASSERT_TRUE(Appoint(Navigator().subject(), v1::Participant::NAVIGATOR).ok());
  EXPECT_EQ(Get(waiting.name(), Navigator()).decisions_size(), 0);
  v1::ListApplicationsRequest list;
  list.set_parent(cohort_);
  auto listed = enrollment_->ListApplications(Navigator(), list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  for (const auto& a : listed->applications()) EXPECT_EQ(a.decisions_size(), 0);
}

TEST_F(DecisionsTest, AcceptRejectAndOfferEventsAreRecorded) {
  v1::Application seated = MustApply(1);
  v1::Application next = MustApply(2);
  v1::Application later = MustApply(3);
  // Rejecting the seated one frees the seat: `next` is offered it.
  v1::DecideApplicationRequest reject;
  reject.set_name(seated.name());
  reject.set_reason("書類不備");
  ASSERT_TRUE(enrollment_->RejectApplication(Secretariat("sec-a"), reject).ok());
  const v1::Application rejected = Get(seated.name());
  ASSERT_EQ(rejected.decisions_size(), 1);
  EXPECT_EQ(rejected.decisions(0).kind(), Decision::REJECT);
  EXPECT_EQ(rejected.decisions(0).actor(), "sec-a");
  EXPECT_EQ(rejected.decisions(0).reason(), "書類不備");
  EXPECT_EQ(rejected.decisions(0).state(), v1::Application::REJECTED);

  v1::Application offered = Get(next.name());
  ASSERT_EQ(offered.decisions_size(), 1);
  EXPECT_EQ(offered.decisions(0).kind(), Decision::OFFER);
  EXPECT_EQ(offered.decisions(0).actor(), "system");
  // The offer lapses: `later` gets it; then `later` declines.
  clock_.Advance(absl::Hours(49));
  ASSERT_EQ(enrollment_->ExpireLapsedOffers().value_or(-1), 1);
  offered = Get(next.name());
  ASSERT_EQ(offered.decisions_size(), 2);
  EXPECT_EQ(offered.decisions(1).kind(), Decision::OFFER_EXPIRED);
  v1::AnswerOfferRequest answer;
  answer.set_name(later.name());
  ASSERT_TRUE(enrollment_->DeclineOffer(WithToken(later.access_token()), answer).ok());
  const v1::Application declined = Get(later.name());
  ASSERT_EQ(declined.decisions_size(), 2);
  EXPECT_EQ(declined.decisions(0).kind(), Decision::OFFER);
  EXPECT_EQ(declined.decisions(1).kind(), Decision::OFFER_DECLINED);
  EXPECT_EQ(declined.decisions(1).actor(), "applicant");

  // The rejection reconsidered: accepted by hand (the seat is free again).
  v1::DecideApplicationRequest accept;
  accept.set_name(seated.name());
  accept.set_reason("再検討");
  auto accepted = enrollment_->AcceptApplication(Secretariat("sec-b"), accept);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ASSERT_EQ(accepted->decisions_size(), 2);
  EXPECT_EQ(accepted->decisions(1).kind(), Decision::ACCEPT);
  EXPECT_EQ(accepted->decisions(1).actor(), "sec-b");
  EXPECT_EQ(accepted->decisions(1).reason(), "再検討");
  EXPECT_EQ(accepted->decisions(1).state(), v1::Application::ACCEPTED);
  // The applicant sees the state, not the record.
  EXPECT_EQ(Get(seated.name(), WithToken(seated.access_token())).decisions_size(), 0);
}

TEST_F(DecisionsTest, EligibilityOverrideIsADecisionOfTheSecretariat) {
  v1::CreateApplicationRequest r = Apply(cohort_, 1, kTowns[0]);
  r.mutable_application()->mutable_members(0)->mutable_birth_date()->set_year(1970);
  r.set_eligibility_override_reason("理事会承認");
  auto app = enrollment_->CreateApplication(Secretariat("sec-a"), r);
  ASSERT_TRUE(app.ok()) << app.status();
  ASSERT_EQ(app->decisions_size(), 1);
  EXPECT_EQ(app->decisions(0).kind(), Decision::OVERRIDE_ELIGIBILITY);
  EXPECT_EQ(app->decisions(0).actor(), "sec-a");
  EXPECT_EQ(app->decisions(0).reason(), "理事会承認");
}

TEST(DecisionRecordTest, ApplicationsFromBeforeTheRecordAreDerivedAndSeeded) {
  v1::Application legacy;
  auto* submitted = legacy.add_history();
  submitted->set_state(v1::Application::SUBMITTED);
  auto* offered = legacy.add_history();
  offered->set_state(v1::Application::OFFERED);
  offered->set_actor("system");
  offered->set_reason(std::string(kSeatAvailable));
  *offered->mutable_time() = ToProtoTimestamp(June1());
  auto* expired = legacy.add_history();
  expired->set_state(v1::Application::EXPIRED);
  expired->set_actor("system");
  expired->set_reason(std::string(kOfferExpired));
  legacy.set_state(v1::Application::EXPIRED);
  legacy.set_priority(4);
  legacy.set_priority_reason("推薦");
  legacy.clear_decisions();

  auto derived = DecisionsOf(legacy);
  ASSERT_EQ(derived.size(), 3);
  EXPECT_EQ(derived[0].kind(), Decision::OFFER);
  EXPECT_EQ(FromProtoTimestamp(derived[0].time()), June1());
  EXPECT_EQ(derived[1].kind(), Decision::OFFER_EXPIRED);
  EXPECT_EQ(derived[2].kind(), Decision::PRIORITIZE);
  EXPECT_EQ(derived[2].priority(), 4);
  EXPECT_EQ(derived[2].actor(), "");  // never kept

  // The first new decision keeps the derived ones before it, once.
  AddHistory(legacy, v1::Application::REJECTED, June1() + absl::Hours(1), "sec-a", "重複",
             Decision::REJECT);
  ASSERT_EQ(legacy.decisions_size(), 4);
  EXPECT_EQ(legacy.decisions(3).kind(), Decision::REJECT);
  EXPECT_EQ(legacy.decisions(3).actor(), "sec-a");
  EXPECT_EQ(DecisionsOf(legacy).size(), 4);
}

TEST_F(DecisionsTest, SamePersonSameRoleTwiceIsRefused) {
  ASSERT_TRUE(Appoint("obs-1", v1::Participant::OBSERVER).ok());
  auto again = Appoint("obs-1", v1::Participant::OBSERVER);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(again.status()), "ALREADY_APPOINTED");
  // Another staff role is allowed: a navigator may also advise.
  EXPECT_TRUE(Appoint("obs-1", v1::Participant::ADVISOR).ok());
  // Without an account, the e-mail tells the same person (any case).
  ASSERT_TRUE(Appoint("", v1::Participant::ADVISOR, "Sato@City.example.jp").ok());
  EXPECT_EQ(errors::Reason(Appoint("", v1::Participant::ADVISOR, "sato@city.example.jp").status()),
            "ALREADY_APPOINTED");
  // Once cancelled, the appointment can be made again.
  v1::ListParticipantsRequest list;
  list.set_parent(cohort_);
  list.set_role(v1::Participant::OBSERVER);
  auto observers = enrollment_->ListParticipants(Secretariat(), list);
  ASSERT_TRUE(observers.ok());
  ASSERT_EQ(observers->participants_size(), 1);
  v1::CancelParticipantRequest cancel;
  cancel.set_name(observers->participants(0).name());
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  EXPECT_TRUE(Appoint("obs-1", v1::Participant::OBSERVER).ok());
}

TEST_F(DecisionsTest, AParticipantCannotBeStaffOfTheirCohortNorStaffApply) {
  v1::Application mine = MustApply(1, User("person-1"));
  ASSERT_EQ(mine.state(), v1::Application::ACCEPTED);
  auto observer = Appoint("person-1", v1::Participant::OBSERVER);
  EXPECT_EQ(observer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(observer.status()), "PARTICIPANT_CANNOT_BE_STAFF");
  // By e-mail too, when the staff entry has no account.
  EXPECT_EQ(errors::Reason(Appoint("", v1::Participant::OBSERVER,
                                   Person(100, kTowns[0]).email()).status()),
            "PARTICIPANT_CANNOT_BE_STAFF");

  // The reverse: a member of the cohort's staff applying to it.
  ASSERT_TRUE(Appoint(Navigator().subject(), v1::Participant::NAVIGATOR).ok());
  auto applied = enrollment_->CreateApplication(Navigator(), Apply(cohort_, 3, kTowns[0]));
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(applied.status()), "STAFF_CANNOT_APPLY");
  // The secretariat applies on people's behalf.
  ASSERT_TRUE(Appoint(Secretariat().subject(), v1::Participant::SECRETARIAT).ok());
  EXPECT_TRUE(enrollment_->CreateApplication(Secretariat(), Apply(cohort_, 4, kTowns[0])).ok());
}

// ------------------------------------------------ point 9 (enrollment parts)

TEST_F(DecisionsTest, EmptyUpdateConsentIsRefusedNotARevocation) {
  v1::Application mine = MustApply(1, User("person-1"));
  v1::UpdateConsentRequest update;
  update.set_name(mine.participants(0));
  auto refused = enrollment_->UpdateConsent(User("person-1"), update);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(refused.status()), "FIELD_REQUIRED");
  EXPECT_EQ(FieldOf(refused.status()), "consent");
  v1::GetParticipantRequest get;
  get.set_name(mine.participants(0));
  auto p = enrollment_->GetParticipant(Secretariat(), get);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->consent().share_attendance());  // unchanged
  // Sharing nothing is said explicitly (all three: decision_kinds_test).
  update.mutable_consent()->set_share_attendance(false);
  update.mutable_consent()->set_share_action_plan(false);
  update.mutable_consent()->set_share_survey_profile(false);
  auto revoked = enrollment_->UpdateConsent(User("person-1"), update);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_FALSE(revoked->consent().share_attendance());
}

TEST_F(DecisionsTest, MissingApplicantFieldsSayRequired) {
  v1::CreateApplicationRequest r = Apply(cohort_, 1, kTowns[0]);
  r.mutable_application()->mutable_members(0)->clear_email();
  auto s = enrollment_->CreateApplication(Anonymous(), r).status();
  EXPECT_EQ(errors::Reason(s), "FIELD_REQUIRED");
  EXPECT_EQ(FieldOf(s), "application.members[0].email");
  EXPECT_EQ(errors::GetBadRequest(s)->field_violations(0).description(), "is required");

  r = Apply(cohort_, 1, kTowns[0]);
  r.mutable_application()->mutable_members(0)->set_email("   ");
  EXPECT_EQ(errors::Reason(enrollment_->CreateApplication(Anonymous(), r).status()),
            "FIELD_REQUIRED");

  r = Apply(cohort_, 1, kTowns[0]);
  r.mutable_application()->mutable_members(0)->clear_municipality_code();
  s = enrollment_->CreateApplication(Anonymous(), r).status();
  EXPECT_EQ(errors::Reason(s), "FIELD_REQUIRED");
  EXPECT_EQ(FieldOf(s), "application.members[0].municipality_code");

  r = Apply(cohort_, 1, kTowns[0]);
  r.mutable_application()->mutable_members(0)->clear_birth_date();
  s = enrollment_->CreateApplication(Anonymous(), r).status();
  EXPECT_EQ(errors::Reason(s), "FIELD_REQUIRED");
  EXPECT_EQ(FieldOf(s), "application.members[0].birth_date");

  // A value that is there but wrong keeps its own reason.
  r = Apply(cohort_, 1, kTowns[0]);
  r.mutable_application()->mutable_members(0)->set_email("not-an-address");
  EXPECT_EQ(errors::Reason(enrollment_->CreateApplication(Anonymous(), r).status()),
            "INVALID_EMAIL");
}

}  // namespace
}  // namespace kaizen::enrollment
