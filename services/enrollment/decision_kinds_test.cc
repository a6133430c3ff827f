// The record of decisions under review (issue 15 review): the kind is what
// the RPC did, never read from the secretariat's reason (M2); what only the
// secretariat may read stays with it, history included (M3); a consent
// update must say all three choices (L1). Real in-memory SQLite, fake clock.
#include <memory>
#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/decisions_fixture.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace decision_kinds_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using Decision = v1::Application::Decision;

using DecisionKindsTest = OneSeatCohortTest;

TEST_F(DecisionKindsTest, TheKindIsWhatWasDoneNotWhatTheReasonSays) {
  v1::Application seated = MustApply(1);
  v1::Application waiting = MustApply(2);
  v1::Application third = MustApply(3);
  // Reasons that spell the service's own codes.
  v1::DecideApplicationRequest reject;
  reject.set_name(seated.name());
  reject.set_reason("OFFER_DECLINED");
  ASSERT_TRUE(enrollment_->RejectApplication(Secretariat("sec-a"), reject).ok());
  // `waiting` was offered the seat; the secretariat accepts it by hand with
  // the reason "OFFER_ACCEPTED": an ACCEPT by sec-b, not the applicant's answer.
  auto accepted = Accept(waiting.name());
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  v1::DecideApplicationRequest by_hand;
  by_hand.set_name(seated.name());
  by_hand.set_reason("SEAT_AVAILABLE");
  ASSERT_TRUE(enrollment_->RejectApplication(Secretariat(), by_hand).status().code() ==
              absl::StatusCode::kFailedPrecondition);  // already rejected
  v1::Application rejected = Get(seated.name());
  ASSERT_EQ(rejected.decisions_size(), 1);
  EXPECT_EQ(rejected.decisions(0).kind(), Decision::REJECT);

  // Withdraw `waiting` (now seated) to free the seat, then accept the
  // rejected one by hand with reason "SEAT_AVAILABLE": it is recorded.
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(waiting.name());
  withdraw.set_reason("OFFER_DECLINED");
  ASSERT_TRUE(enrollment_->WithdrawApplication(WithToken(waiting.access_token()), withdraw).ok());
  v1::Application withdrawn = Get(waiting.name());
  ASSERT_GE(withdrawn.decisions_size(), 1);
  EXPECT_EQ(withdrawn.decisions(withdrawn.decisions_size() - 1).kind(), Decision::WITHDRAW);
  EXPECT_EQ(withdrawn.decisions(withdrawn.decisions_size() - 1).reason(), "OFFER_DECLINED");

  // `third` was offered the freed seat; reject it to keep the seat free.
  reject.set_name(third.name());
  reject.set_reason("重複");
  ASSERT_TRUE(enrollment_->RejectApplication(Secretariat(), reject).ok());
  v1::DecideApplicationRequest accept;
  accept.set_name(seated.name());
  accept.set_reason("SEAT_AVAILABLE");
  auto again = enrollment_->AcceptApplication(Secretariat("sec-b"), accept);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->decisions_size(), 2);
  EXPECT_EQ(again->decisions(1).kind(), Decision::ACCEPT);
  EXPECT_EQ(again->decisions(1).actor(), "sec-b");
  EXPECT_EQ(again->decisions(1).reason(), "SEAT_AVAILABLE");
}

TEST_F(DecisionKindsTest, AcceptWithOfferAcceptedReasonIsAnAccept) {
  MustApply(1);
  v1::Application waiting = MustApply(2);
  v1::UpdateCohortRequest more;
  more.mutable_cohort()->set_name(cohort_);
  more.mutable_cohort()->set_capacity(2);
  more.mutable_update_mask()->add_paths("capacity");
  ASSERT_TRUE(enrollment_->UpdateCohort(Secretariat(), more).ok());  // `waiting` is offered
  v1::DecideApplicationRequest accept;
  accept.set_name(waiting.name());
  accept.set_reason("OFFER_ACCEPTED");
  auto accepted = enrollment_->AcceptApplication(Secretariat("sec-a"), accept);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  const auto& last = accepted->decisions(accepted->decisions_size() - 1);
  EXPECT_EQ(last.kind(), Decision::ACCEPT);
  EXPECT_EQ(last.actor(), "sec-a");
}

TEST_F(DecisionKindsTest, OnlyTheSecretariatSeesWhoDecidedAndItsWords) {
  MustApply(1);
  v1::Application waiting = MustApply(2, User("person-2"));
  v1::PrioritizeApplicationRequest up;
  up.set_name(waiting.name());
  up.set_priority(5);
  up.set_reason("町長推薦のため");
  ASSERT_TRUE(enrollment_->PrioritizeApplication(Secretariat("sec-a"), up).ok());
  v1::CreateApplicationRequest old = Apply(cohort_, 3, kTowns[0]);
  old.mutable_application()->mutable_members(0)->mutable_birth_date()->set_year(1970);
  old.set_eligibility_override_reason("理事会承認");
  auto overridden = enrollment_->CreateApplication(Secretariat("sec-a"), old);
  ASSERT_TRUE(overridden.ok()) << overridden.status();

  v1::Application full = Get(waiting.name());
  EXPECT_EQ(full.priority_reason(), "町長推薦のため");
  EXPECT_EQ(Get(overridden->name()).eligibility_override_reason(), "理事会承認");

  ASSERT_TRUE(Appoint(Navigator().subject(), v1::Participant::NAVIGATOR).ok());
  for (bool navigator : {false, true}) {
    const Principal who = navigator ? Navigator() : User("person-2");
    v1::Application seen = Get(waiting.name(), who);
    EXPECT_EQ(seen.priority(), 5);
    EXPECT_EQ(seen.priority_reason(), "");
    EXPECT_EQ(seen.decisions_size(), 0);
    ASSERT_EQ(seen.history_size(), full.history_size());
    for (int i = 0; i < seen.history_size(); ++i) {
      EXPECT_EQ(seen.history(i).state(), full.history(i).state());
      EXPECT_EQ(seen.history(i).time().seconds(), full.history(i).time().seconds());
      EXPECT_EQ(seen.history(i).actor(), "");
    }
    // The service's own codes stay: why it waits.
    EXPECT_EQ(seen.history(seen.history_size() - 1).reason(), "COHORT_FULL");
  }
  EXPECT_EQ(Get(overridden->name(), Navigator()).eligibility_override_reason(), "");
  // The applicant withdrawing with the secretariat's words does not see them.
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(waiting.name());
  withdraw.set_reason("事務局判断: 定員超過");
  auto done = enrollment_->WithdrawApplication(Secretariat("sec-a"), withdraw);
  ASSERT_TRUE(done.ok());
  v1::Application mine = Get(waiting.name(), User("person-2"));
  EXPECT_EQ(mine.state(), v1::Application::WITHDRAWN);
  EXPECT_EQ(mine.history(mine.history_size() - 1).reason(), "");
  EXPECT_EQ(mine.history(mine.history_size() - 1).actor(), "");
  v1::ListApplicationsRequest list;
  list.set_parent(cohort_);
  auto listed = enrollment_->ListApplications(Navigator(), list);
  ASSERT_TRUE(listed.ok());
  for (const auto& a : listed->applications()) {
    EXPECT_EQ(a.eligibility_override_reason(), "");
    for (const auto& h : a.history()) EXPECT_EQ(h.actor(), "");
  }
}

TEST_F(DecisionKindsTest, ConsentUpdateMustSayAllThreeChoices) {
  v1::Application mine = MustApply(1, User("person-1"));
  v1::UpdateConsentRequest update;
  update.set_name(mine.participants(0));
  update.mutable_consent();  // {"consent": {}}
  auto empty = enrollment_->UpdateConsent(User("person-1"), update);
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(empty.status()), "FIELD_REQUIRED");
  EXPECT_EQ(errors::GetBadRequest(empty.status())->field_violations_size(), 3);
  EXPECT_EQ(FieldOf(empty.status()), "consent.share_attendance");
  // A partial object: the missing ones are named.
  update.mutable_consent()->set_share_attendance(false);
  update.mutable_consent()->set_share_action_plan(true);
  auto partial = enrollment_->UpdateConsent(User("person-1"), update);
  EXPECT_EQ(errors::Reason(partial.status()), "FIELD_REQUIRED");
  EXPECT_EQ(FieldOf(partial.status()), "consent.share_survey_profile");
  v1::GetParticipantRequest get;
  get.set_name(mine.participants(0));
  auto p = enrollment_->GetParticipant(Secretariat(), get);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->consent().share_attendance());  // unchanged
  EXPECT_TRUE(p->consent().has_share_action_plan());  // read back whole
  EXPECT_EQ(p->consent_history_size(), 1);
  update.mutable_consent()->set_share_survey_profile(false);
  auto whole = enrollment_->UpdateConsent(User("person-1"), update);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_FALSE(whole->consent().share_attendance());
  EXPECT_TRUE(whole->consent().share_action_plan());
}

}  // namespace
}  // namespace kaizen::enrollment
