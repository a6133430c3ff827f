// PurgePersonalData through a real stub: the scheduling gRPC service in
// process on port 0, principals signed as the gateway and the services sign
// them. The enrollment service principal purges; nobody else may.
#include <memory>
#include <string>
#include <utility>

#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/grpc_service.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace purge_grpc_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class PurgeGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SchedulingStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_);
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
    clock_.Set(Tokyo(2022, 7, 24, 12));  // m1 has started: attendance is taken
    v1::RecordAttendanceRequest sheet;
    sheet.set_meeting(std::string(kCohort) + "/meetings/m1");
    auto* rec = sheet.add_records();
    rec->set_participant(Person("p1"));
    rec->set_status(v1::PRESENT);
    v1::MeetingAttendance recorded;
    ASSERT_TRUE(stub_->RecordAttendance(server_.As(Navigator()).get(), sheet, &recorded).ok());
  }

  grpc::Status Purge(const Principal& as, kaizen::type::PurgeReport* report,
                     const std::string& participant = "") {
    kaizen::type::PurgeRequest r;
    r.set_cohort(kCohort);
    r.set_participant(participant);
    return stub_->PurgePersonalData(server_.As(as).get(), r, report);
  }

  grpc::Status RecordP1(v1::MeetingAttendance* recorded) {
    v1::RecordAttendanceRequest sheet;
    sheet.set_meeting(std::string(kCohort) + "/meetings/m1");
    auto* rec = sheet.add_records();
    rec->set_participant(Person("p1"));
    rec->set_status(v1::PRESENT);
    return stub_->RecordAttendance(server_.As(Navigator()).get(), sheet, recorded);
  }

  int64_t Count(const kaizen::type::PurgeReport& report, const std::string& kind) {
    for (const auto& c : report.counts()) {
      if (c.kind() == kind) return c.deleted();
    }
    ADD_FAILURE() << "no count " << kind;
    return -1;
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
  testkit::InProcessGrpcServer server_;
  std::unique_ptr<SchedulingGrpcService> service_;
  std::unique_ptr<v1::SchedulingService::Stub> stub_;
};

TEST_F(PurgeGrpcTest, OnlyTheEnrollmentServicePurges) {
  // A user account that happens to be called "enrollment" is not the
  // service: the shared contract wants ROLE_SERVICE too.
  const Principal impostor = testkit::User("enrollment", kaizen::type::ROLE_SECRETARIAT);
  for (const Principal& who :
       {Secretariat(), Participant(1), auth::ServicePrincipal("plans"), impostor}) {
    kaizen::type::PurgeReport report;
    grpc::Status s = Purge(who, &report);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << who.subject();
    EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), kEnrollmentOnly) << who.subject();
  }

  kaizen::type::PurgeReport report;
  grpc::Status s = Purge(auth::ServicePrincipal("enrollment"), &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.service(), "scheduling");
  EXPECT_EQ(report.cohort(), kCohort);
  EXPECT_EQ(report.counts_size(), 12);  // the last, notifications (issue 13)
  EXPECT_EQ(report.counts(0).kind(), "poll_answers");
  EXPECT_EQ(Count(report, "attendance"), 1);
  EXPECT_EQ(FromProtoTimestamp(report.complete_time()), Tokyo(2022, 7, 24, 12));

  // The cohort takes no new personal data, over the wire too.
  v1::MeetingAttendance recorded;
  grpc::Status refused = RecordP1(&recorded);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(refused)), kCohortPurged);

  kaizen::type::PurgeReport again;
  ASSERT_TRUE(Purge(auth::ServicePrincipal("enrollment"), &again).ok());
  EXPECT_TRUE(again.repeat());  // the first report, not zeros
  EXPECT_EQ(Count(again, "attendance"), 1);
}

// One person's erasure leaves a mark: a write about them that was built on
// a roster fetched before enrollment removed them (the fake roster still
// lists p1) is refused, over the wire.
TEST_F(PurgeGrpcTest, AnErasedPersonIsNotRecordedAgain) {
  kaizen::type::PurgeReport report;
  ASSERT_TRUE(Purge(auth::ServicePrincipal("enrollment"), &report, Person("p1")).ok());
  EXPECT_EQ(report.participant(), Person("p1"));
  EXPECT_EQ(Count(report, "attendance"), 1);
  v1::MeetingAttendance recorded;
  grpc::Status refused = RecordP1(&recorded);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(refused)), kParticipantErased);
  v1::GetMeetingAttendanceRequest get;
  get.set_meeting(std::string(kCohort) + "/meetings/m1");
  v1::MeetingAttendance sheet;
  ASSERT_TRUE(stub_->GetMeetingAttendance(server_.As(Navigator()).get(), get, &sheet).ok());
  EXPECT_EQ(sheet.records_size(), 0);
}

}  // namespace
}  // namespace kaizen::scheduling
