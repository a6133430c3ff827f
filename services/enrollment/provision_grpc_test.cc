// RecordProvision and the provision-record reads through the real server on
// port 0 and real stubs: the scheduling service principal records (also
// through clients/partner's GrpcProvisionRecorder, the client the services
// use, so the method name and the messages agree), a user is refused, and
// the secretariat's export comes back as CSV.
#include <memory>

#include "absl/strings/match.h"
#include "clients/partner/grpc_provision_recorder.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/grpc_service.h"

namespace kaizen::enrollment {
namespace provision_grpc_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class ProvisionGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions db;
    auto store = EnrollmentStore::Open(db);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    clock_.Set(June1());
    domain_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{"page-key-0123456789", "access-key-0123456789",
                                                  "claim-key-0123456789"}));
    service_ = std::make_unique<EnrollmentGrpcService>(domain_.get(), &server_.signer());
    absl::Status started =
        server_.Start("enrollment", {{v1::EnrollmentService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::EnrollmentService::NewStub(server_.channel());

    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    v1::Cohort cohort;
    ASSERT_TRUE(stub_->CreateCohort(server_.As(Secretariat()).get(), create, &cohort).ok());
    v1::TransitionCohortRequest open;
    open.set_name(cohort.name());
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(stub_->TransitionCohort(server_.As(Secretariat()).get(), open, &cohort).ok());
    v1::Application app;
    ASSERT_TRUE(stub_->CreateApplication(server_.As(User("applicant-1")).get(),
                                         Apply(cohort.name(), 1, "242047"), &app)
                    .ok());
    ASSERT_EQ(app.participants_size(), 1);
    participant_ = app.participants(0);
  }

  kaizen::type::RecordProvisionRequest Request() const {
    kaizen::type::RecordProvisionRequest r;
    *r.mutable_recipient() = PartnerHr("242047");
    auto* item = r.add_items();
    item->set_participant(participant_);
    item->set_category(kaizen::type::SHARE_ATTENDANCE);
    item->add_data_items("attendance.meetings");
    r.set_method("/kaizen.scheduling.v1.SchedulingService/GetSharedAttendance");
    return r;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> domain_;
  std::unique_ptr<EnrollmentGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::EnrollmentService::Stub> stub_;
  std::string participant_;
};

TEST_F(ProvisionGrpcTest, TheSchedulingServiceRecordsAndAUserIsRefused) {
  kaizen::type::RecordProvisionResponse out;
  grpc::Status s = stub_->RecordProvision(
      server_.As(auth::ServicePrincipal("scheduling")).get(), Request(), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.records_size(), 1);
  EXPECT_TRUE(absl::StartsWith(out.records(0), "provisionRecords/"));

  s = stub_->RecordProvision(server_.As(User("applicant-1")).get(), Request(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), kServicesOnly);

  // The client every service uses, by full method name.
  partner_client::GrpcProvisionRecorder recorder("scheduling", server_.channel(), &server_.signer(),
                                                 absl::Seconds(30));
  auto recorded = recorder.Record(Request());
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_FALSE(recorded->records(0).empty());
  auto other_town = Request();
  *other_town.mutable_recipient() = PartnerHr("242012");
  recorded = recorder.Record(other_town);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->records(0), "");
  auto malformed = Request();
  malformed.clear_method();
  EXPECT_EQ(recorder.Record(malformed).status().code(), absl::StatusCode::kInvalidArgument);

  // The person sees both provisions; the secretariat exports them.
  v1::ListParticipantProvisionRecordsRequest mine;
  mine.set_parent(participant_);
  v1::ListParticipantProvisionRecordsResponse listed;
  s = stub_->ListParticipantProvisionRecords(server_.As(User("applicant-1")).get(), mine,
                                             &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.provision_records_size(), 2);
  EXPECT_EQ(listed.provision_records(0).service(), "scheduling");
  EXPECT_EQ(listed.provision_records(0).recipient_municipality_name(), "松阪市");

  kaizen::type::HttpBody csv;
  s = stub_->ExportProvisionRecords(server_.As(Secretariat()).get(), {}, &csv);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(absl::StartsWith(csv.data(), "\xEF\xBB\xBF"));
  EXPECT_TRUE(absl::StrContains(csv.data(), "\"=\"\"242047\"\"\",松阪市"));
}

}  // namespace
}  // namespace kaizen::enrollment
