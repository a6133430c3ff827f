// Enrollment purges and erases through real GrpcPurgeTargets into the real
// scheduling, survey and plans binaries (child processes on port 0, each on
// its own in-memory database, sharing the internal secret as deployed): the
// method names, the enrollment service principal and its signature, the
// deadline and the reports all meet the real services. The services' own
// deletions are tested in their packages; here the wiring is.
#include <memory>
#include <string>
#include <vector>

#include "clients/purge/grpc_purge_target.h"
#include "common/auth/principal.h"
#include "common/testing/child_process.h"
#include "common/testing/grpc_fixture.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "services/enrollment/purge_test_util.h"

namespace kaizen::enrollment {
namespace purge_real_targets_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class PurgeRealTargetsTest : public PurgeFixture {
 protected:
  void SetUp() override {
    PurgeFixture::SetUp();
    struct Service {
      const char* name;
      const char* binary;
      absl::string_view method;
    };
    for (const Service& s :
         {Service{"scheduling", "services/scheduling/scheduling_server",
                  purge_client::kSchedulingPurgeMethod},
          Service{"survey", "services/survey/survey_server", purge_client::kSurveyPurgeMethod},
          Service{"plans", "services/plans/plans_server", purge_client::kPlansPurgeMethod}}) {
      testkit::ServiceProcessOptions options;
      options.binary = s.binary;
      options.internal_secret = testkit::kInternalSecret;
      auto running = testkit::StartService(options);
      ASSERT_TRUE(running.ok()) << s.name << ": " << running.status();
      targets_.push_back(std::make_unique<purge_client::GrpcPurgeTarget>(
          s.name, std::string(s.method),
          grpc::CreateChannel(running->address(), grpc::InsecureChannelCredentials()),
          &signer_, absl::Seconds(5)));
      processes_.push_back(std::move(*running));
    }
    std::vector<purge_client::PurgeTarget*> targets;
    for (auto& t : targets_) targets.push_back(t.get());
    Configure(targets);
  }

  void TearDown() override {
    Configure({});
    targets_.clear();  // close the channels first: the servers drain at once
    for (auto& p : processes_) EXPECT_EQ(p.process->Terminate(), 0);
  }

  auth::PrincipalSigner signer_{testkit::kInternalSecret};
  std::vector<testkit::RunningService> processes_;
  std::vector<std::unique_ptr<purge_client::GrpcPurgeTarget>> targets_;
};

TEST_F(PurgeRealTargetsTest, ACohortPurgeAndAnErasureReachEveryRealService) {
  const std::string cohort = CohortWithApplicants(2);
  const v1::Participant first = Participants(cohort)[0];
  Finish(cohort);

  auto erased = Erase(first.name());
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_TRUE(erased->complete()) << erased->DebugString();
  for (const char* service : {"scheduling", "survey", "plans"}) {
    const auto& s = Of(*erased, service);
    EXPECT_EQ(s.state(), v1::PurgeReport::DONE) << service;
    EXPECT_EQ(s.report().service(), service);
    EXPECT_EQ(s.report().participant(), first.name());
    EXPECT_GT(s.report().counts_size(), 0) << service;  // every kind, zeros included
  }

  auto purged = Purge(cohort);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_TRUE(purged->report().complete()) << purged->report().DebugString();
  for (const char* service : {"scheduling", "survey", "plans"}) {
    const auto& s = Of(purged->report(), service);
    EXPECT_EQ(s.state(), v1::PurgeReport::DONE) << service;
    EXPECT_EQ(s.report().cohort(), cohort);
    EXPECT_EQ(s.report().participant(), "");
    EXPECT_TRUE(s.report().has_complete_time());
  }
}

TEST_F(PurgeRealTargetsTest, AServiceThatStoppedIsFailedAndRetriedWhenBack) {
  const std::string cohort = CohortWithApplicants(1);
  Finish(cohort);
  // plans goes away; its address now answers nothing.
  EXPECT_EQ(processes_[2].process->Terminate(), 0);
  auto first = Purge(cohort);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Of(first->report(), "plans").state(), v1::PurgeReport::FAILED);
  EXPECT_EQ(Of(first->report(), "plans").error_reason(), "PURGE_TARGET_UNAVAILABLE");
  EXPECT_EQ(Of(first->report(), "survey").state(), v1::PurgeReport::DONE);

  // plans back on the same port: the next purge call completes the report.
  testkit::ServiceProcessOptions options;
  options.binary = "services/plans/plans_server";
  options.internal_secret = testkit::kInternalSecret;
  options.port = processes_[2].port;
  auto back = testkit::StartService(options);
  ASSERT_TRUE(back.ok()) << back.status();
  processes_[2] = std::move(*back);
  auto retry = Purge(cohort);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->report().complete()) << retry->report().DebugString();
}

}  // namespace
}  // namespace kaizen::enrollment
