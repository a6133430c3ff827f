// GetSharedAttendance and ListResultChanges through real stubs: the
// scheduling gRPC service in process on port 0 with the fake roster and a
// fake provision recorder; principals signed as the gateway and enrollment
// sign them.
#include <memory>
#include <string>
#include <utility>

#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/partner_client_errors.h"
#include "clients/partner/shared_read.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/grpc_service.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace shared_attendance_grpc_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class SharedAttendanceGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto roster = roster_.GetRoster(kCohort);
    ASSERT_TRUE(roster.ok());
    for (auto& e : *roster->mutable_entries()) {
      if (e.participant() == Person("p1")) {
        e.set_municipality_code("242047");
        e.mutable_consent()->set_share_attendance(true);
      }
    }
    roster_.SetRoster(*roster);
    auto store = SchedulingStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_,
                                               SchedulingConfig(), &gate_);
    service_ = std::make_unique<SchedulingGrpcService>(scheduling_.get(), &server_.signer());
    ASSERT_TRUE(
        server_.Start("scheduling", {{v1::SchedulingService::service_full_name(), service_.get()}})
            .ok());
    stub_ = v1::SchedulingService::NewStub(server_.channel());

    v1::CreateMeetingSeriesRequest series;
    series.set_parent(kCohort);
    series.set_template_("templates/next-gen-leaders-fy2022");
    series.set_start_year(2022);
    *series.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    v1::CreateMeetingSeriesResponse created;
    ASSERT_TRUE(stub_->CreateMeetingSeries(server_.As(Secretariat()).get(), series, &created).ok());
    clock_.Set(Tokyo(2022, 7, 24, 12));
    v1::RecordAttendanceRequest sheet;
    sheet.set_meeting(std::string(kCohort) + "/meetings/m1");
    auto* rec = sheet.add_records();
    rec->set_participant(Person("p1"));
    rec->set_status(v1::LATE);
    v1::MeetingAttendance recorded;
    ASSERT_TRUE(stub_->RecordAttendance(server_.As(Navigator()).get(), sheet, &recorded).ok());
  }

  FakeRoster roster_;
  partner_client::FakeProvisionRecorder recorder_;
  partner_client::SharedReadGate gate_{&roster_, &recorder_};
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
  std::unique_ptr<SchedulingGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::SchedulingService::Stub> stub_;
};

TEST_F(SharedAttendanceGrpcTest, APartnerKeyReadsItsConsentingStaffOverTheWire) {
  v1::GetSharedAttendanceRequest r;
  r.set_participant(Person("p1"));
  v1::SharedAttendance got;
  grpc::Status s =
      stub_->GetSharedAttendance(server_.As(testkit::PartnerHr("242047")).get(), r, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(got.meetings_size(), 1);
  EXPECT_EQ(got.meetings(0).status(), v1::LATE);
  EXPECT_EQ(got.held(), 1);
  EXPECT_DOUBLE_EQ(got.rate(), 1.0);
  ASSERT_EQ(recorder_.requests().size(), 1u);
  EXPECT_EQ(recorder_.requests()[0].recipient().municipality_code(), "242047");
  EXPECT_TRUE(recorder_.requests()[0].recipient().access_token().empty());

  // Another town's key: the one refusal, with its reason on the wire.
  s = stub_->GetSharedAttendance(server_.As(testkit::PartnerHr("131016")).get(), r, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), partner_client::kNotSharedWithPartner);
}

TEST_F(SharedAttendanceGrpcTest, EnrollmentReadsTheLogOthersMayNot) {
  kaizen::type::ListResultChangesRequest r;
  kaizen::type::ListResultChangesResponse page;
  grpc::Status s =
      stub_->ListResultChanges(server_.As(auth::ServicePrincipal("enrollment")).get(), r, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(page.changes_size(), 4);  // the first sheet: every participant
  EXPECT_EQ(page.last_sequence(), page.changes(3).sequence());
  EXPECT_EQ(page.changes(0).category(), kaizen::type::SHARE_ATTENDANCE);

  s = stub_->ListResultChanges(server_.As(testkit::PartnerHr("242047")).get(), r, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = stub_->ListResultChanges(server_.As(Secretariat()).get(), r, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kaizen::scheduling
