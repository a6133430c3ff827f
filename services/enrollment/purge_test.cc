// The purge's fan-out and report (issue 15 point 3): every downstream
// service is asked after enrollment's own deletion, a service that is down
// is FAILED and retried by the next purge call until DONE, one without an
// address is NOT_CONFIGURED (never skipped silently), and two purges at
// once call each service once and keep its answer.
#include <thread>
#include <utility>

#include "clients/purge/purge_client_errors.h"
#include "clients/purge/purge_contract.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/purge_test_util.h"

namespace kaizen::enrollment {
namespace purge_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class PurgeTest : public PurgeFixture {};

std::vector<std::string> Services(const v1::PurgeReport& r) {
  std::vector<std::string> out;
  for (const auto& s : r.services()) out.push_back(s.service());
  return out;
}

TEST_F(PurgeTest, ReachesEveryConfiguredServiceAndNamesTheOneWithoutAnAddress) {
  const std::string cohort = CohortWithApplicants(2);
  Finish(cohort);
  auto purged = Purge(cohort);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(purged->applications_deleted(), 2);
  const v1::PurgeReport& r = purged->report();
  EXPECT_EQ(r.name(), cohort + "/purgeReport");
  EXPECT_EQ(Services(r), (std::vector<std::string>{"enrollment", "scheduling", "survey", "plans"}));
  EXPECT_EQ(Of(r, "enrollment").state(), v1::PurgeReport::DONE);
  EXPECT_EQ(Count(Of(r, "enrollment"), "applications"), 2);
  EXPECT_EQ(Count(Of(r, "enrollment"), "participants"), 2);
  EXPECT_EQ(Of(r, "scheduling").state(), v1::PurgeReport::DONE);
  EXPECT_EQ(Count(Of(r, "scheduling"), "attendance"), 8);
  EXPECT_EQ(Count(Of(r, "survey"), "responses"), 5);
  EXPECT_EQ(Of(r, "plans").state(), v1::PurgeReport::NOT_CONFIGURED);
  EXPECT_EQ(Of(r, "plans").attempts(), 0);
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(std::vector<std::string>(r.not_configured_services().begin(),
                                     r.not_configured_services().end()),
            std::vector<std::string>{"plans"});
  ASSERT_EQ(scheduling_.requests().size(), 1u);
  EXPECT_EQ(scheduling_.requests()[0].cohort(), cohort);
  EXPECT_EQ(scheduling_.requests()[0].participant(), "");

  // Configured later: the next purge call reaches it; the rest stay DONE
  // with their first counts and are not called again.
  Configure({&scheduling_, &survey_, &plans_});
  auto again = Purge(cohort);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->applications_deleted(), 0);
  EXPECT_TRUE(again->report().complete());
  EXPECT_EQ(Count(Of(again->report(), "plans"), "plans"), 3);
  EXPECT_EQ(Count(Of(again->report(), "survey"), "responses"), 5);
  EXPECT_EQ(Count(Of(again->report(), "enrollment"), "applications"), 2);
  EXPECT_EQ(scheduling_.requests().size(), 1u);
  EXPECT_EQ(plans_.requests().size(), 1u);
}

TEST_F(PurgeTest, AServiceThatIsDownFailsAndTheRetryCompletesIt) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);
  Configure({&scheduling_, &survey_, &plans_});
  survey_.FailNext(1);
  plans_.FailNext(1, purge_client::PurgeTargetFailed("plans", "DATABASE_BUSY"));
  auto first = Purge(cohort);
  ASSERT_TRUE(first.ok()) << first.status();  // enrollment's deletion stands
  const v1::PurgeReport& r = first->report();
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(Of(r, "scheduling").state(), v1::PurgeReport::DONE);
  EXPECT_EQ(Of(r, "survey").state(), v1::PurgeReport::FAILED);
  EXPECT_EQ(Of(r, "survey").error_reason(), "PURGE_TARGET_UNAVAILABLE");
  EXPECT_EQ(Of(r, "plans").state(), v1::PurgeReport::FAILED);
  EXPECT_EQ(Of(r, "plans").error_reason(), "PURGE_TARGET_FAILED");
  EXPECT_EQ(Of(r, "plans").target_reason(), "DATABASE_BUSY");
  EXPECT_EQ(std::vector<std::string>(r.failed_services().begin(), r.failed_services().end()),
            (std::vector<std::string>{"survey", "plans"}));

  // Verifiable later, as stored.
  auto stored = Report(cohort + "/purgeReport");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(Of(*stored, "survey").state(), v1::PurgeReport::FAILED);

  clock_.Advance(absl::Hours(1));
  auto retry = Purge(cohort);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->report().complete()) << retry->report().DebugString();
  EXPECT_EQ(Count(Of(retry->report(), "survey"), "responses"), 5);
  EXPECT_EQ(Of(retry->report(), "survey").attempts(), 2);
  EXPECT_EQ(Of(retry->report(), "survey").error_reason(), "");
  EXPECT_EQ(Of(retry->report(), "scheduling").attempts(), 1);
  EXPECT_EQ(scheduling_.requests().size(), 1u);  // DONE is not called again

  auto third = Purge(cohort);  // idempotent: nothing left to call
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(survey_.requests().size(), 2u);
  EXPECT_EQ(plans_.requests().size(), 2u);
  EXPECT_TRUE(third->report().complete());
}

TEST_F(PurgeTest, TwoPurgesAtOnceCallEachServiceOnceAndKeepItsAnswer) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);
  survey_.HoldCalls();
  absl::StatusOr<v1::PurgeCohortPersonalDataResponse> first;
  std::thread a([&] { first = Purge(cohort); });
  survey_.WaitForCalls(1);  // a's call to survey is in flight
  auto second = Purge(cohort);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Of(second->report(), "survey").state(), v1::PurgeReport::PENDING);
  EXPECT_NE(std::find(second->report().pending_services().begin(),
                      second->report().pending_services().end(), "survey"),
            second->report().pending_services().end());
  survey_.ReleaseCalls();
  a.join();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Count(Of(first->report(), "survey"), "responses"), 5);
  EXPECT_EQ(survey_.requests().size(), 1u);
  EXPECT_EQ(scheduling_.requests().size(), 1u);
  auto stored = Report(cohort + "/purgeReport");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(Count(Of(*stored, "survey"), "responses"), 5);
  EXPECT_EQ(Of(*stored, "survey").attempts(), 1);
}

TEST_F(PurgeTest, ACallStuckPastItsLeaseIsTakenOverAndOnlyTheNewClaimCounts) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);
  survey_.HoldCalls();
  std::thread a([&] { (void)Purge(cohort); });
  survey_.WaitForCalls(1);
  clock_.Advance(absl::Minutes(3));  // a's lease (2 min) has passed: a crashed, say
  std::thread b([&] { (void)Purge(cohort); });
  survey_.WaitForCalls(2);  // b claimed survey again and called it
  survey_.ReleaseCalls();
  a.join();
  b.join();
  auto stored = Report(cohort + "/purgeReport");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(Of(*stored, "survey").state(), v1::PurgeReport::DONE);
  EXPECT_EQ(Of(*stored, "survey").attempts(), 2);
  EXPECT_EQ(survey_.requests().size(), 2u);
  // a's call was answered first (and is not stored: its claim was taken
  // over); b's answer, the one stored, is the repeat with the first
  // purge's counts and time, not zeros.
  EXPECT_TRUE(Of(*stored, "survey").report().repeat());
  EXPECT_EQ(Count(Of(*stored, "survey"), "responses"), 5);
  EXPECT_EQ(Of(*stored, "survey").report().complete_time().seconds(),
            purge_client::FakePurgeTarget::kCompleteSeconds);
}

TEST_F(PurgeTest, AnAnswerForAnotherServiceCohortOrPersonIsNotTrusted) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);
  Configure({&scheduling_, &survey_, &plans_});
  kaizen::type::PurgeRequest other_cohort;
  other_cohort.set_cohort("cohorts/someone-else");
  scheduling_.AnswerNextWith(purge_client::MakeReport("scheduling", other_cohort, {{"attendance", 8}},
                                                      absl::FromUnixSeconds(1700000000)));
  kaizen::type::PurgeRequest same;
  same.set_cohort(cohort);
  survey_.AnswerNextWith(purge_client::MakeReport("plans", same, {{"responses", 5}},
                                                  absl::FromUnixSeconds(1700000000)));
  kaizen::type::PurgeRequest one_person = same;
  one_person.set_participant(cohort + "/participants/p1");
  plans_.AnswerNextWith(purge_client::MakeReport("plans", one_person, {{"plans", 3}},
                                                 absl::FromUnixSeconds(1700000000)));
  auto first = Purge(cohort);
  ASSERT_TRUE(first.ok()) << first.status();
  for (const char* service : {"scheduling", "survey", "plans"}) {
    const auto& s = Of(first->report(), service);
    EXPECT_EQ(s.state(), v1::PurgeReport::FAILED) << service;
    EXPECT_EQ(s.error_reason(), "PURGE_TARGET_FAILED") << service;
    EXPECT_EQ(s.target_reason(), "REPORT_MISMATCH") << service;
    EXPECT_EQ(s.report().counts_size(), 0) << service;
  }
  EXPECT_FALSE(first->report().complete());
  // The retry gets true answers and completes.
  auto retry = Purge(cohort);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->report().complete()) << retry->report().DebugString();
  EXPECT_EQ(Of(retry->report(), "survey").report().service(), "survey");
}

// The automatic retry (purge_sweep.cc): what the server's background
// thread does every minute.
TEST_F(PurgeTest, TheSweepCompletesAFailedServiceWithoutAnotherCall) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);
  survey_.FailNext(1);  // plans stays NOT_CONFIGURED
  auto first = Purge(cohort);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Of(first->report(), "survey").state(), v1::PurgeReport::FAILED);

  clock_.Advance(absl::Minutes(1));  // survey is back
  auto sweep = enrollment_->RetryIncompletePurges(10);
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ(sweep->reports, 1);
  EXPECT_EQ(sweep->completed, 0);  // plans still needs an address
  EXPECT_EQ(sweep->errors, 0);
  EXPECT_EQ(sweep->next, (std::pair<std::string, std::string>{}));
  auto stored = Report(cohort + "/purgeReport");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(Of(*stored, "survey").state(), v1::PurgeReport::DONE);
  EXPECT_EQ(Of(*stored, "survey").attempts(), 2);
  EXPECT_EQ(Count(Of(*stored, "survey"), "responses"), 5);
  EXPECT_EQ(Of(*stored, "plans").state(), v1::PurgeReport::NOT_CONFIGURED);
  EXPECT_EQ(Of(*stored, "plans").attempts(), 0);
  EXPECT_EQ(survey_.requests().size(), 2u);
  EXPECT_EQ(scheduling_.requests().size(), 1u);  // DONE is not called again

  // Only NOT_CONFIGURED is left: nothing for the sweep to do.
  auto idle = enrollment_->RetryIncompletePurges(10);
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_EQ(idle->reports, 0);
  EXPECT_EQ(survey_.requests().size(), 2u);
  EXPECT_EQ(scheduling_.requests().size(), 1u);
  EXPECT_EQ(Of(*Report(cohort + "/purgeReport"), "plans").attempts(), 0);
  EXPECT_EQ(enrollment_->RetryIncompletePurges(0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PurgeTest, TheSweepLeavesACallInFlightAndTakesOverOneWhoseLeaseLapsed) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);
  Configure({&scheduling_, &survey_, &plans_});
  survey_.HoldCalls();
  std::thread a([&] { (void)Purge(cohort); });
  survey_.WaitForCalls(1);
  scheduling_.WaitForCalls(1);  // a's other calls, in parallel, answered first
  plans_.WaitForCalls(1);
  auto in_flight = enrollment_->RetryIncompletePurges(10);  // lease still running
  ASSERT_TRUE(in_flight.ok()) << in_flight.status();
  EXPECT_EQ(in_flight->reports, 0);
  clock_.Advance(absl::Minutes(3));  // past the 2 min lease: a crashed, say
  absl::StatusOr<Enrollment::PurgeSweep> sweep;
  std::thread b([&] { sweep = enrollment_->RetryIncompletePurges(10); });
  survey_.WaitForCalls(2);  // the sweep claimed survey again and called it
  survey_.ReleaseCalls();
  a.join();
  b.join();
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  EXPECT_EQ(sweep->reports, 1);
  EXPECT_EQ(sweep->completed, 1);
  auto stored = Report(cohort + "/purgeReport");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->complete());
  EXPECT_EQ(Of(*stored, "survey").attempts(), 2);
  // a's other calls were answered but not yet stored when its lease
  // lapsed (it stores all its answers after the last one), so the sweep
  // asked them again too; they answered as repeats.
  EXPECT_EQ(scheduling_.requests().size(), 2u);
  EXPECT_TRUE(Of(*stored, "scheduling").report().repeat());
  EXPECT_EQ(Count(Of(*stored, "plans"), "plans"), 3);
}

TEST_F(PurgeTest, MoreFailingReportsThanOneSweepTakesAreRetriedInTurn) {
  const std::string first = CohortWithApplicants(1);
  const std::string second = CohortWithApplicants(1);
  Finish(first);
  Finish(second);
  survey_.FailNext(2);
  ASSERT_TRUE(Purge(first).ok());
  ASSERT_TRUE(Purge(second).ok());
  survey_.FailNext(1);  // the first sweep's call fails again
  auto one = enrollment_->RetryIncompletePurges(1);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->reports, 1);
  EXPECT_EQ(one->completed, 0);
  EXPECT_NE(one->next, (std::pair<std::string, std::string>{}));
  // The next sweep goes on after it instead of retrying it again.
  auto two = enrollment_->RetryIncompletePurges(1, one->next);
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->reports, 1);
  ASSERT_EQ(survey_.requests().size(), 4u);
  EXPECT_NE(survey_.requests()[2].cohort(), survey_.requests()[3].cohort());
  // Then it reaches the end, goes on from the start and completes the first.
  auto three = enrollment_->RetryIncompletePurges(1, two->next);
  ASSERT_TRUE(three.ok()) << three.status();
  EXPECT_EQ(three->reports, 1);
  EXPECT_EQ(three->completed, 0);  // plans is NOT_CONFIGURED
  EXPECT_EQ(three->next, (std::pair<std::string, std::string>{}));
  ASSERT_EQ(survey_.requests().size(), 5u);
  EXPECT_EQ(survey_.requests()[4].cohort(), survey_.requests()[2].cohort());
  auto four = enrollment_->RetryIncompletePurges(1, three->next);
  ASSERT_TRUE(four.ok()) << four.status();
  EXPECT_EQ(four->reports, 0);
  EXPECT_EQ(Of(*Report(first + "/purgeReport"), "survey").state(), v1::PurgeReport::DONE);
  EXPECT_EQ(Of(*Report(second + "/purgeReport"), "survey").state(), v1::PurgeReport::DONE);
}

TEST_F(PurgeTest, ReportIsSecretariatOnlyAndNamed) {
  const std::string cohort = CohortWithApplicants(1);
  EXPECT_EQ(Report(cohort + "/purgeReport").status().code(), absl::StatusCode::kNotFound);
  Finish(cohort);
  ASSERT_TRUE(Purge(cohort).ok());
  EXPECT_TRUE(Report(cohort + "/purgeReport").ok());
  EXPECT_EQ(errors::Reason(Report(cohort + "/purgeReport", Navigator()).status()),
            "SECRETARIAT_ONLY");
  for (const char* bad : {"cohorts/x", "cohorts/x/report", "purgeReport", "cohorts//purgeReport"}) {
    absl::Status s = Report(bad).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(errors::Reason(s), "INVALID_NAME") << bad;
  }
  v1::PurgeCohortPersonalDataRequest purge;
  purge.set_name(cohort);
  EXPECT_EQ(errors::Reason(enrollment_->PurgeCohortPersonalData(Navigator(), purge).status()),
            "SECRETARIAT_ONLY");
}

TEST_F(PurgeTest, RefusalsComeBeforeAnyCall) {
  const std::string cohort = CohortWithApplicants(1);
  EXPECT_EQ(errors::Reason(Purge(cohort).status()), "COHORT_NOT_FINISHED");
  EXPECT_TRUE(scheduling_.requests().empty());
  EXPECT_EQ(Report(cohort + "/purgeReport").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kaizen::enrollment
