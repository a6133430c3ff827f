// GetSharedPlanStages and ListResultChanges through real stubs: the plans
// gRPC service in process on port 0, enrollment and scheduling behind their
// fakes, a fake provision recorder; principals signed as the gateway and
// enrollment sign them.
#include <memory>

#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/partner_client_errors.h"
#include "clients/partner/shared_read.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "gtest/gtest.h"
#include "kaizen/plans/v1/plans.grpc.pb.h"
#include "services/plans/grpc_service.h"
#include "services/plans/plans.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans {
namespace shared_plans_grpc_test {

using namespace ::kaizen::plans::testing;  // NOLINT

class SharedPlansGrpcTest : public PlansTest {
 protected:
  void SetUp() override {
    PlansTest::SetUp();
    ev1::Roster roster = Fy2022Roster();
    for (auto& e : *roster.mutable_entries()) e.mutable_consent()->set_share_action_plan(true);
    roster_.SetRoster(roster);
    plans_ = std::make_unique<Plans>(store_.get(), &roster_, &meetings_, &outcomes_, &clock_,
                                     PlansConfig{"plans-page-key-0123456789"}, &gate_);
    service_ = std::make_unique<PlansGrpcService>(plans_.get(), &server_.signer());
    absl::Status started =
        server_.Start("plans", {{v1::PlansService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::PlansService::NewStub(server_.channel());

    const v1::Plan plan = CreateFor(1);
    Commit(Participant(1), plan.name());
    v1::GetPlanRequest get;
    get.set_name(plan.name());
    v1::SubmitStageRequest submit;
    submit.set_name(plan.name());
    submit.set_stage(v1::INTERIM);
    submit.set_etag(plans_->GetPlan(Participant(1), get)->etag());
    ASSERT_TRUE(plans_->SubmitStage(Participant(1), submit).ok());
  }

  partner_client::FakeProvisionRecorder recorder_;
  partner_client::SharedReadGate gate_{&roster_, &recorder_};
  std::unique_ptr<PlansGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::PlansService::Stub> stub_;
};

TEST_F(SharedPlansGrpcTest, APartnerKeyReadsItsConsentingStaffOverTheWire) {
  v1::GetSharedPlanStagesRequest r;
  r.set_participant(Person("p1"));
  v1::SharedPlanStages got;
  grpc::Status s =
      stub_->GetSharedPlanStages(server_.As(testkit::PartnerHr("242047")).get(), r, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(got.plans_size(), 1);
  ASSERT_EQ(got.plans(0).stages_size(), 1);
  EXPECT_EQ(got.plans(0).stages(0).content().walls(0).text(),
            "同僚に声をかけても忙しいと言われる。");
  ASSERT_EQ(recorder_.requests().size(), 1u);

  s = stub_->GetSharedPlanStages(server_.As(testkit::PartnerHr("131016")).get(), r, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), partner_client::kNotSharedWithPartner);
}

TEST_F(SharedPlansGrpcTest, EnrollmentReadsTheLogOthersMayNot) {
  kaizen::type::ListResultChangesRequest r;
  kaizen::type::ListResultChangesResponse page;
  grpc::Status s =
      stub_->ListResultChanges(server_.As(auth::ServicePrincipal("enrollment")).get(), r, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.changes_size(), 1);
  EXPECT_EQ(page.changes(0).participant(), Person("p1"));
  EXPECT_EQ(page.changes(0).category(), kaizen::type::SHARE_ACTION_PLAN);
  EXPECT_EQ(page.last_sequence(), page.changes(0).sequence());

  s = stub_->ListResultChanges(server_.As(testkit::PartnerHr("242047")).get(), r, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kaizen::plans
