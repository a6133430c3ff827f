// Erasure of an application whose people never became participants
// (issue 15 point 3): the rule (waiting or offered refused, final allowed,
// one with participants refused until they are erased), what is cleared and
// what stays, the e-mail keys of that application only, no partner change,
// no downstream call, the report, idempotency, the secretariat only.
#include <string>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/purge_test_util.h"

namespace kaizen::enrollment {
namespace application_erasure_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class ApplicationErasureTest : public PurgeFixture {
 protected:
  // An OPEN one-seat cohort: applicant-0 (town 0) is admitted, applicant-1
  // (town 1) waits. Returns the waiting application.
  v1::Application OneSeatWithWaiting() {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.mutable_cohort()->set_capacity(1);
    create.mutable_cohort()->set_max_municipalities(1);
    create.mutable_cohort()->set_retention_days(0);
    auto cohort = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(cohort.ok()) << cohort.status();
    cohort_ = cohort->name();
    Move(cohort_, v1::Cohort::OPEN);
    auto admitted =
        enrollment_->CreateApplication(User("applicant-0"), Apply(cohort_, 1, kTowns[0]));
    EXPECT_TRUE(admitted.ok()) << admitted.status();
    admitted_ = *admitted;
    auto waiting =
        enrollment_->CreateApplication(User("applicant-1"), Apply(cohort_, 2, kTowns[1]));
    EXPECT_TRUE(waiting.ok()) << waiting.status();
    EXPECT_EQ(waiting->state(), v1::Application::WAITLISTED);
    return *waiting;
  }

  absl::StatusOr<v1::Application> GetApplication(const std::string& name) {
    v1::GetApplicationRequest get;
    get.set_name(name);
    return enrollment_->GetApplication(Secretariat(), get);
  }

  void Withdraw(const std::string& name, const Principal& who, const std::string& reason) {
    v1::WithdrawApplicationRequest withdraw;
    withdraw.set_name(name);
    withdraw.set_reason(reason);
    auto done = enrollment_->WithdrawApplication(who, withdraw);
    ASSERT_TRUE(done.ok()) << done.status();
  }

  int FeedSize(const std::string& town) {
    auto changes = enrollment_->ListChanges(PartnerHr(town), v1::ListChangesRequest());
    EXPECT_TRUE(changes.ok()) << changes.status();
    return changes.ok() ? changes->changes_size() : -1;
  }

  static std::string Metadata(const absl::Status& s, const std::string& key) {
    auto info = errors::GetErrorInfo(s);
    if (!info.has_value()) return "";
    auto it = info->metadata().find(key);
    return it == info->metadata().end() ? "" : it->second;
  }

  std::string cohort_;
  v1::Application admitted_;
};

TEST_F(ApplicationErasureTest, AWaitingApplicationIsRefusedAndKeepsItsData) {
  const v1::Application waiting = OneSeatWithWaiting();
  absl::Status s = Erase(waiting.name()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(s), "ERASURE_NOT_ALLOWED");
  EXPECT_NE(s.message().find("withdraw or reject it first"), std::string::npos) << s.message();
  EXPECT_EQ(Metadata(s, "state"), "WAITLISTED");
  auto unchanged = GetApplication(waiting.name());
  ASSERT_TRUE(unchanged.ok()) << unchanged.status();
  EXPECT_EQ(unchanged->members(0).email(), waiting.members(0).email());
  EXPECT_EQ(Report(waiting.name() + "/purgeReport").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ApplicationErasureTest, AnOfferedApplicationIsRefused) {
  const v1::Application waiting = OneSeatWithWaiting();
  // The admitted one withdraws: the seat is offered to the waiting one.
  Withdraw(admitted_.name(), User("applicant-0"), "都合により");
  auto offered = GetApplication(waiting.name());
  ASSERT_TRUE(offered.ok());
  ASSERT_EQ(offered->state(), v1::Application::OFFERED);
  absl::Status s = Erase(waiting.name()).status();
  EXPECT_EQ(errors::Reason(s), "ERASURE_NOT_ALLOWED");
  EXPECT_EQ(Metadata(s, "state"), "OFFERED");
}

TEST_F(ApplicationErasureTest, ARejectedApplicationIsClearedAndTheSecretariatsEntriesStay) {
  const v1::Application waiting = OneSeatWithWaiting();
  v1::DecideApplicationRequest reject;
  reject.set_name(waiting.name());
  reject.set_reason("定員超過のため");
  ASSERT_TRUE(enrollment_->RejectApplication(Secretariat(), reject).ok());
  const int feed_before = FeedSize(kTowns[1]);

  auto report = Erase(waiting.name());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->name(), waiting.name() + "/purgeReport");
  // Enrollment alone: no other service held anything of them.
  ASSERT_EQ(report->services_size(), 1);
  EXPECT_TRUE(report->complete());
  const auto& own = Of(*report, "enrollment");
  EXPECT_EQ(own.state(), v1::PurgeReport::DONE);
  EXPECT_EQ(own.report().cohort(), cohort_);
  EXPECT_EQ(own.report().participant(), waiting.name());
  EXPECT_EQ(Count(own, "application_members"), 1);
  EXPECT_EQ(Count(own, "submitter"), 1);
  EXPECT_GE(Count(own, "history_actors"), 1);  // they submitted it
  EXPECT_TRUE(scheduling_.requests().empty());
  EXPECT_TRUE(survey_.requests().empty());
  EXPECT_EQ(FeedSize(kTowns[1]), feed_before);

  auto erased = GetApplication(waiting.name());
  ASSERT_TRUE(erased.ok()) << erased.status();
  const v1::Applicant& m = erased->members(0);
  EXPECT_EQ(m.display_name(), "");
  EXPECT_EQ(m.kana(), "");
  EXPECT_EQ(m.email(), "");
  EXPECT_EQ(m.municipality_code(), "");
  EXPECT_EQ(m.department(), "");
  EXPECT_FALSE(m.has_birth_date());
  EXPECT_EQ(m.motivation(), "");
  EXPECT_EQ(erased->submitter(), "");
  EXPECT_EQ(erased->municipality_code(), "");
  EXPECT_EQ(erased->state(), v1::Application::REJECTED);
  bool secretariat_kept = false;
  for (const auto& h : erased->history()) {
    EXPECT_NE(h.actor(), "applicant-1");
    if (h.state() == v1::Application::REJECTED) {
      secretariat_kept = h.reason() == "定員超過のため";
    }
  }
  EXPECT_TRUE(secretariat_kept);
}

TEST_F(ApplicationErasureTest, TheApplicantsOwnWordsGoAndTheAddressIsReusable) {
  const v1::Application waiting = OneSeatWithWaiting();
  Withdraw(waiting.name(), User("applicant-1"), "家庭の事情 山田より");
  ASSERT_TRUE(Erase(waiting.name()).ok());
  auto erased = GetApplication(waiting.name());
  ASSERT_TRUE(erased.ok());
  bool withdrawal_seen = false;
  for (const auto& h : erased->history()) {
    if (h.state() != v1::Application::WITHDRAWN) continue;
    withdrawal_seen = true;
    EXPECT_EQ(h.actor(), "erased");
    EXPECT_EQ(h.reason(), "");
  }
  EXPECT_TRUE(withdrawal_seen);
  for (const auto& d : erased->decisions()) {
    EXPECT_NE(d.actor(), "applicant-1");
    EXPECT_EQ(d.reason().find("山田"), std::string::npos);
  }
  // The same address applies again.
  auto again = enrollment_->CreateApplication(User("applicant-9"), Apply(cohort_, 2, kTowns[1]));
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST_F(ApplicationErasureTest, OnlyThisApplicationsEmailKeysAreReleased) {
  const v1::Application waiting = OneSeatWithWaiting();
  Withdraw(waiting.name(), User("applicant-1"), "辞退");
  // A new application holds the same address now.
  auto second = enrollment_->CreateApplication(User("applicant-2"), Apply(cohort_, 2, kTowns[1]));
  ASSERT_TRUE(second.ok()) << second.status();
  auto report = Erase(waiting.name());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Count(Of(*report, "enrollment"), "email_keys"), 0);
  // The second application's reservation stands.
  absl::Status dup =
      enrollment_->CreateApplication(User("applicant-3"), Apply(cohort_, 2, kTowns[1])).status();
  EXPECT_EQ(errors::Reason(dup), "DUPLICATE_APPLICANT") << dup;
}

TEST_F(ApplicationErasureTest, AWaitingApplicationOfAFinishedCohortIsErasedWithItsKey) {
  const v1::Application waiting = OneSeatWithWaiting();
  Finish(cohort_);
  auto report = Erase(waiting.name());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(Count(Of(*report, "enrollment"), "email_keys"), 1);
  auto erased = GetApplication(waiting.name());
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(erased->members(0).email(), "");
}

TEST_F(ApplicationErasureTest, AnAdmittedApplicationNamesItsParticipantsUntilTheyAreErased) {
  OneSeatWithWaiting();
  auto admitted = GetApplication(admitted_.name());
  ASSERT_TRUE(admitted.ok());
  ASSERT_EQ(admitted->participants_size(), 1);
  const std::string participant = admitted->participants(0);
  absl::Status s = Erase(admitted_.name()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(s), "ERASURE_NOT_ALLOWED");
  EXPECT_NE(s.message().find(participant), std::string::npos) << s.message();
  EXPECT_EQ(Metadata(s, "participants"), participant);
  // Even after the cohort finishes: the participant's erasure reaches the
  // other services, this one would not.
  Finish(cohort_);
  EXPECT_EQ(errors::Reason(Erase(admitted_.name()).status()), "ERASURE_NOT_ALLOWED");
  ASSERT_TRUE(Erase(participant).ok());
  auto report = Erase(admitted_.name());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->name(), admitted_.name() + "/purgeReport");
}

TEST_F(ApplicationErasureTest, ARepeatAnswersTheFirstReport) {
  const v1::Application waiting = OneSeatWithWaiting();
  Withdraw(waiting.name(), User("applicant-1"), "辞退");
  auto first = Erase(waiting.name());
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Hours(5));
  auto second = Erase(waiting.name());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->SerializeAsString(), first->SerializeAsString());
  auto stored = Report(waiting.name() + "/purgeReport");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->SerializeAsString(), first->SerializeAsString());
}

TEST_F(ApplicationErasureTest, OnlyTheSecretariatErasesAndReads) {
  const v1::Application waiting = OneSeatWithWaiting();
  Withdraw(waiting.name(), User("applicant-1"), "辞退");
  for (const Principal& who : {User("applicant-1"), Navigator()}) {
    EXPECT_EQ(Erase(waiting.name(), who).status().code(), absl::StatusCode::kPermissionDenied);
  }
  ASSERT_TRUE(Erase(waiting.name()).ok());
  EXPECT_EQ(Report(waiting.name() + "/purgeReport", User("applicant-1")).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ApplicationErasureTest, NamesAreChecked) {
  OneSeatWithWaiting();
  EXPECT_EQ(Erase(cohort_ + "/applications/nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Erase(cohort_ + "/applications/").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Report(cohort_ + "/applications/nope/purgeReport").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kaizen::enrollment
