// Erasure of one person on request (issue 15 point 3): the rule (a
// CANCELLED participation, or any of a FINISHED cohort), what is cleared
// and what stays, the partner's DELETED change, the fan-out with
// participant and subject, and idempotency.
#include <map>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/purge_test_util.h"

namespace kaizen::enrollment {
namespace erasure_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class ErasureTest : public PurgeFixture {
 protected:
  v1::Participant Cancel(const v1::Participant& p) {
    v1::CancelParticipantRequest cancel;
    cancel.set_name(p.name());
    auto done = enrollment_->CancelParticipant(Secretariat(), cancel);
    EXPECT_TRUE(done.ok()) << done.status();
    return *done;
  }

  absl::StatusOr<v1::Participant> Get(const std::string& name) {
    v1::GetParticipantRequest get;
    get.set_name(name);
    return enrollment_->GetParticipant(Secretariat(), get);
  }

  absl::StatusOr<v1::Application> GetApplication(const std::string& name) {
    v1::GetApplicationRequest get;
    get.set_name(name);
    return enrollment_->GetApplication(Secretariat(), get);
  }

  std::vector<v1::Change> Feed(const std::string& town) {
    auto changes = enrollment_->ListChanges(PartnerHr(town), v1::ListChangesRequest());
    EXPECT_TRUE(changes.ok()) << changes.status();
    return {changes->changes().begin(), changes->changes().end()};
  }
  // The applicant withdraws their own (accepted) application, signed in,
  // with words of their own: their participation is cancelled.
  void WithdrawAsApplicant(const v1::Participant& p, const std::string& subject) {
    v1::WithdrawApplicationRequest withdraw;
    withdraw.set_name(p.application());
    withdraw.set_reason("転職のため 山田");
    auto done = enrollment_->WithdrawApplication(User(subject), withdraw);
    ASSERT_TRUE(done.ok()) << done.status();
  }
};

TEST_F(ErasureTest, AnActiveParticipantOfARunningCohortIsRefused) {
  const std::string cohort = CohortWithApplicants(1);
  Move(cohort, v1::Cohort::RUNNING);
  const v1::Participant p = Participants(cohort)[0];
  absl::Status s = Erase(p.name()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(s), "ERASURE_NOT_ALLOWED");
  EXPECT_TRUE(scheduling_.requests().empty());
  auto unchanged = Get(p.name());
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->email(), p.email());
  EXPECT_EQ(Report(p.name() + "/purgeReport").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ErasureTest, ACancelledParticipantIsErasedEverywhereAndStaysAnonymous) {
  const std::string cohort = CohortWithApplicants(2);
  v1::Participant p = Participants(cohort)[0];
  ASSERT_EQ(p.subject(), "applicant-0");
  v1::RecordPaymentRequest pay;
  pay.set_name(p.name());
  pay.set_kind(v1::Participant::Payment::PAYMENT);
  pay.mutable_amount()->set_currency_code("JPY");
  pay.mutable_amount()->set_units(10000);
  pay.set_note("振込 ヤマダタロウ");
  ASSERT_TRUE(enrollment_->RecordPayment(Secretariat(), pay).ok());
  p = Cancel(p);
  const int64_t seats_before = [&] {
    v1::GetCohortRequest get;
    get.set_name(cohort);
    return enrollment_->GetCohort(Secretariat(), get)->seats_taken();
  }();

  auto report = Erase(p.name());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->name(), p.name() + "/purgeReport");
  const auto& own = Of(*report, "enrollment");
  EXPECT_EQ(own.state(), v1::PurgeReport::DONE);
  EXPECT_EQ(Count(own, "participant"), 1);
  EXPECT_EQ(Count(own, "application_member"), 1);
  EXPECT_EQ(Count(own, "notes"), 1);
  EXPECT_EQ(Count(own, "email_keys"), 1);
  EXPECT_EQ(Of(*report, "plans").state(), v1::PurgeReport::NOT_CONFIGURED);
  ASSERT_EQ(survey_.requests().size(), 1u);
  EXPECT_EQ(survey_.requests()[0].cohort(), cohort);
  EXPECT_EQ(survey_.requests()[0].participant(), p.name());
  EXPECT_EQ(survey_.requests()[0].subject(), "applicant-0");

  auto erased = Get(p.name());
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->display_name(), "");
  EXPECT_EQ(erased->kana(), "");
  EXPECT_EQ(erased->email(), "");
  EXPECT_EQ(erased->subject(), "");
  EXPECT_EQ(erased->municipality_code(), "");
  EXPECT_EQ(erased->department(), "");
  EXPECT_EQ(erased->consent_history_size(), 0);
  EXPECT_FALSE(erased->consent().share_attendance());
  // What the accounts need stays, without the note.
  EXPECT_EQ(erased->state(), v1::Participant::CANCELLED);
  ASSERT_EQ(erased->payments_size(), 1);
  EXPECT_EQ(erased->payments(0).amount().units(), 10000);
  EXPECT_EQ(erased->payments(0).note(), "");
  auto app = GetApplication(p.application());
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_EQ(app->members(0).display_name(), "");
  EXPECT_EQ(app->members(0).email(), "");
  EXPECT_FALSE(app->members(0).has_birth_date());
  EXPECT_EQ(app->members(0).motivation(), "");
  EXPECT_EQ(app->submitter(), "");
  v1::GetCohortRequest get;
  get.set_name(cohort);
  EXPECT_EQ(enrollment_->GetCohort(Secretariat(), get)->seats_taken(), seats_before);
  // The other applicant is untouched.
  EXPECT_NE(Participants(cohort)[1].email(), "");

  // The partner forgets them: the last change is DELETED, and no earlier
  // entry shows them any more.
  std::vector<v1::Change> feed = Feed(kTowns[0]);
  ASSERT_FALSE(feed.empty());
  EXPECT_EQ(feed.back().kind(), v1::Change::DELETED);
  EXPECT_EQ(feed.back().participant(), p.name());
  for (const v1::Change& c : feed) EXPECT_EQ(c.display_name(), "");

  // The account is not theirs any more: GetMe shows nothing.
  auto me = enrollment_->GetMe(User("applicant-0"), v1::GetMeRequest());
  ASSERT_TRUE(me.ok()) << me.status();
  EXPECT_EQ(me->ShortDebugString().find(p.name()), std::string::npos);

  // Idempotent: again is OK, deletes nothing more, calls only what is not
  // DONE (here nothing: plans has no address).
  auto again = Erase(p.name());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Count(Of(*again, "enrollment"), "participant"), 1);
  EXPECT_EQ(survey_.requests().size(), 1u);
  auto stored = Report(p.name() + "/purgeReport");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(Of(*stored, "survey").state(), v1::PurgeReport::DONE);
}

TEST_F(ErasureTest, TheirAccountAndWordsLeaveTheApplicationHistory) {
  const std::string cohort = CohortWithApplicants(1);
  const v1::Participant p = Participants(cohort)[0];
  WithdrawAsApplicant(p, "applicant-0");
  auto before = GetApplication(p.application());
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_NE(before->DebugString().find("applicant-0"), std::string::npos);  // the setup holds

  auto report = Erase(p.name());
  ASSERT_TRUE(report.ok()) << report.status();
  // SUBMITTED and WITHDRAWN in the history, WITHDRAW in the decisions.
  EXPECT_EQ(Count(Of(*report, "enrollment"), "history_actors"), 3);
  auto app = GetApplication(p.application());
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_EQ(app->DebugString().find("applicant-0"), std::string::npos) << app->DebugString();
  EXPECT_EQ(app->DebugString().find("転職"), std::string::npos) << app->DebugString();
  int erased_history = 0;
  for (const auto& h : app->history()) {
    if (h.actor() == "erased") {
      ++erased_history;
      EXPECT_EQ(h.reason(), "");
    } else {
      EXPECT_EQ(h.actor(), "system");  // the service's own entries stay as they were
    }
  }
  EXPECT_EQ(erased_history, 2);
  ASSERT_FALSE(app->decisions().empty());
  bool withdraw_seen = false;
  for (const auto& d : app->decisions()) {
    if (d.kind() != v1::Application::Decision::WITHDRAW) continue;
    withdraw_seen = true;
    EXPECT_EQ(d.actor(), "erased");
    EXPECT_EQ(d.reason(), "");
  }
  EXPECT_TRUE(withdraw_seen);
}

TEST_F(ErasureTest, AnotherApplicationsReservationOfTheSameAddressStays) {
  const std::string cohort = CohortWithApplicants(1);
  const v1::Participant p = Participants(cohort)[0];
  WithdrawAsApplicant(p, "applicant-0");  // releases their application's key
  // Someone applies again with the same address: a new reservation.
  v1::CreateApplicationRequest again = Apply(cohort, 9, kTowns[3]);
  again.mutable_application()->mutable_members(0)->set_email(p.email());
  auto second = enrollment_->CreateApplication(User("applicant-9"), again);
  ASSERT_TRUE(second.ok()) << second.status();

  auto report = Erase(p.name());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Count(Of(*report, "enrollment"), "email_keys"), 0);
  // The second application still holds the address.
  v1::CreateApplicationRequest third = Apply(cohort, 10, kTowns[4]);
  third.mutable_application()->mutable_members(0)->set_email(p.email());
  EXPECT_EQ(errors::Reason(enrollment_->CreateApplication(User("applicant-10"), third).status()),
            "DUPLICATE_APPLICANT");
}

TEST_F(ErasureTest, ARetryAfterAFailurePassesTheSubjectOnAgain) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);  // an ACTIVE participation of a FINISHED cohort may go
  const v1::Participant p = Participants(cohort)[0];
  survey_.FailNext(1);
  auto first = Erase(p.name());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Of(*first, "survey").state(), v1::PurgeReport::FAILED);
  auto retry = Erase(p.name());
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(Of(*retry, "survey").state(), v1::PurgeReport::DONE);
  ASSERT_EQ(survey_.requests().size(), 2u);
  EXPECT_EQ(survey_.requests()[1].subject(), "applicant-0");
  EXPECT_EQ(scheduling_.requests().size(), 1u);
}

TEST_F(ErasureTest, TheAccountStaysInTheReportOnlyWhereARetryNeedsIt) {
  const std::string cohort = CohortWithApplicants(2);
  const v1::Participant p = Participants(cohort)[0];
  Cancel(p);
  survey_.FailNext(1);
  ASSERT_TRUE(Erase(p.name()).ok());
  const std::string cohort_id = cohort.substr(std::string("cohorts/").size());
  const std::string participant_id = p.name().substr(p.name().rfind('/') + 1);
  auto subjects = [&] {
    std::map<std::string, std::string> out;
    EXPECT_TRUE(store_
                    ->Read([&](EnrollmentTx& tx) -> absl::Status {
                      auto rows = tx.ListPurgeReport(cohort_id, participant_id);
                      if (!rows.ok()) return rows.status();
                      for (const auto& r : *rows) out[r.service] = r.subject;
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  };
  auto stored = subjects();
  EXPECT_EQ(stored["scheduling"], "");   // DONE
  EXPECT_EQ(stored["survey"], "applicant-0");  // FAILED: the retry needs it
  EXPECT_EQ(stored["plans"], "");        // NOT_CONFIGURED: never stored
  // The cohort's purge leaves no account in any of its reports.
  Finish(cohort);
  ASSERT_TRUE(Purge(cohort).ok());
  for (const auto& [service, subject] : subjects()) EXPECT_EQ(subject, "") << service;
}

TEST_F(ErasureTest, ATeamMateKeepsTheirEntry) {
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = Fy2022Cohort();
  auto cohort = enrollment_->CreateCohort(Secretariat(), create);
  ASSERT_TRUE(cohort.ok());
  Move(cohort->name(), v1::Cohort::OPEN);
  ASSERT_TRUE(enrollment_->CreateApplication(Secretariat(), Apply(cohort->name(), 7, kTowns[2], 2)).ok());
  std::vector<v1::Participant> team = Participants(cohort->name());
  ASSERT_EQ(team.size(), 2u);
  Cancel(team[1]);
  ASSERT_TRUE(Erase(team[1].name()).ok());
  auto app = GetApplication(team[0].application());
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->members(0).email(), team[0].email());
  EXPECT_EQ(app->members(1).email(), "");
  EXPECT_EQ(app->municipality_code(), kTowns[2]);  // the team's, not one person's
}

TEST_F(ErasureTest, RefusedForOthersAndAfterThePurge) {
  const std::string cohort = CohortWithApplicants(2);
  const std::vector<v1::Participant> ps = Participants(cohort);
  Cancel(ps[0]);
  EXPECT_EQ(errors::Reason(Erase(ps[0].name(), Navigator()).status()), "SECRETARIAT_ONLY");
  EXPECT_EQ(errors::Reason(Erase(ps[0].name(), User("applicant-0")).status()), "SECRETARIAT_ONLY");
  EXPECT_EQ(Erase(cohort + "/participants/nobody").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(errors::Reason(Erase(cohort).status()), "INVALID_NAME");
  Finish(cohort);
  ASSERT_TRUE(Purge(cohort).ok());
  EXPECT_EQ(errors::Reason(Erase(ps[1].name()).status()), "COHORT_PURGED");
}

}  // namespace
}  // namespace kaizen::enrollment
