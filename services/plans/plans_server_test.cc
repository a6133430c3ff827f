// The real plans gRPC server on port 0 (common/server bootstrap), called
// through real stubs with signed principals; enrollment and scheduling are
// fakes behind the client seams (their real binaries meet plans in the e2e
// suite).
#include <memory>

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "kaizen/plans/v1/plans.grpc.pb.h"
#include "services/plans/grpc_service.h"
#include "services/plans/plans.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans {
namespace plans_server_test {

using namespace ::kaizen::plans::testing;  // NOLINT

class PlansServerTest : public PlansTest {
 protected:
  void SetUp() override {
    PlansTest::SetUp();
    service_ = std::make_unique<PlansGrpcService>(plans_.get(), &server_.signer());
    absl::Status started =
        server_.Start("plans", {{v1::PlansService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::PlansService::NewStub(server_.channel());
  }

  std::unique_ptr<PlansGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::PlansService::Stub> stub_;
};

TEST_F(PlansServerTest, DraftToInterimOverGrpc) {
  v1::CreatePlanRequest create;
  create.set_parent(kCohort);
  create.mutable_plan()->set_title("旗手への5年計画");
  *create.mutable_plan()->mutable_draft() = SampleContent();
  v1::Plan plan;
  grpc::Status s = stub_->CreatePlan(server_.As(Participant(1)).get(), create, &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(plan.draft().walls(0).text(), "同僚に声をかけても忙しいと言われる。");

  v1::CommitRevisionRequest commit;
  commit.set_name(plan.name());
  commit.set_etag(plan.etag());
  commit.set_message("時点版の準備");
  v1::Revision rev;
  s = stub_->CommitRevision(server_.As(Participant(1)).get(), commit, &rev);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(rev.number(), 1);

  // The etag moved with the commit: the old one is ABORTED with its reason.
  v1::SubmitStageRequest submit;
  submit.set_name(plan.name());
  submit.set_stage(v1::INTERIM);
  submit.set_etag(plan.etag());
  v1::Plan out;
  s = stub_->SubmitStage(server_.As(Participant(1)).get(), submit, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "ETAG_MISMATCH");

  v1::GetPlanRequest get;
  get.set_name(plan.name());
  ASSERT_TRUE(stub_->GetPlan(server_.As(Participant(1)).get(), get, &plan).ok());
  submit.set_etag(plan.etag());
  s = stub_->SubmitStage(server_.As(Participant(1)).get(), submit, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.stages_size(), 1);

  // A cohort mate reads the presented version; a stranger learns nothing
  // (refused as not on the roster, as for a cohort that does not exist).
  v1::Plan seen;
  ASSERT_TRUE(stub_->GetPlan(server_.As(Participant(3)).get(), get, &seen).ok());
  EXPECT_FALSE(seen.has_draft());
  s = stub_->GetPlan(server_.As(Stranger()).get(), get, &seen);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PlansServerTest, BadInputNamesTheFieldOverGrpc) {
  v1::CreatePlanRequest create;
  create.set_parent(kCohort);
  create.mutable_plan()->set_title(std::string(201, 'x'));
  v1::Plan plan;
  grpc::Status s = stub_->CreatePlan(server_.As(Participant(1)).get(), create, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad = errors::GetBadRequest(FromGrpcStatus(s));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "plan.title");
}

TEST_F(PlansServerTest, DirectCallWithoutGatewayIsUnauthenticated) {
  grpc::ClientContext context;
  v1::ListPlansRequest list;
  list.set_parent(kCohort);
  v1::ListPlansResponse out;
  EXPECT_EQ(stub_->ListPlans(&context, list, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace kaizen::plans
