// ConfirmApplicationEmail through the real gRPC server (port 0, in-memory
// SQLite, fake clock) and real stubs, with require_email_confirmation on as
// the production server runs: an anonymous caller's create, the refusal of
// a wrong token (reason intact in the status details), the confirmation.
#include <memory>

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/grpc_service.h"

namespace kaizen::enrollment {
namespace confirmation_server_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class ConfirmationServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = EnrollmentStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    clock_.Set(June1());
    domain_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        EnrollmentConfig{"page-key-0123456789", "access-key-0123456789", "claim-key-0123456789"});
    service_ = std::make_unique<EnrollmentGrpcService>(domain_.get(), &server_.signer());
    absl::Status started =
        server_.Start("enrollment", {{v1::EnrollmentService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::EnrollmentService::NewStub(server_.channel());
  }

  std::string OpenCohort() {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    v1::Cohort cohort;
    EXPECT_TRUE(stub_->CreateCohort(server_.As(Secretariat()).get(), create, &cohort).ok());
    v1::TransitionCohortRequest open;
    open.set_name(cohort.name());
    open.set_state(v1::Cohort::OPEN);
    EXPECT_TRUE(stub_->TransitionCohort(server_.As(Secretariat()).get(), open, &cohort).ok());
    return cohort.name();
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> domain_;
  std::unique_ptr<EnrollmentGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::EnrollmentService::Stub> stub_;
};

TEST_F(ConfirmationServerTest, AnonymousApplicantConfirmsOverGrpc) {
  const std::string cohort = OpenCohort();
  v1::Application app;
  grpc::Status s =
      stub_->CreateApplication(server_.As(Anonymous()).get(), Apply(cohort, 1, kTowns[2]), &app);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(app.state(), v1::Application::SUBMITTED);
  EXPECT_FALSE(app.members(0).email_confirmed());
  EXPECT_TRUE(app.has_confirm_expire_time());

  v1::ConfirmApplicationEmailRequest confirm;
  confirm.set_name(app.name());
  confirm.set_token(app.access_token());  // the HTTP answer's secret does not confirm
  v1::Application out;
  absl::Status refused =
      FromGrpcStatus(stub_->ConfirmApplicationEmail(server_.As(Anonymous()).get(), confirm, &out));
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(refused), "CONFIRMATION_TOKEN_INVALID");

  confirm.set_token(domain_->ConfirmationTokenFor(app.name(), 0));
  s = stub_->ConfirmApplicationEmail(server_.As(Anonymous()).get(), confirm, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::Application::ACCEPTED);
  EXPECT_TRUE(out.members(0).email_confirmed());
  EXPECT_EQ(out.participants_size(), 1);
  EXPECT_TRUE(out.access_token().empty());  // shown once, at creation

  v1::GetApplicationRequest get;
  get.set_name(app.name());
  v1::Application read;
  s = stub_->GetApplication(server_.As(WithToken(app.access_token())).get(), get, &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.state(), v1::Application::ACCEPTED);
  EXPECT_EQ(read.arrival_time().seconds(), absl::ToUnixSeconds(June1()));
}

}  // namespace
}  // namespace kaizen::enrollment
