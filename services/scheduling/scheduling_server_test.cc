// The real scheduling gRPC server (in-process, port 0) reading its roster
// from the real enrollment_server binary (a child process, port 0), called
// through real stubs. Scheduling links no enrollment code: the two meet only
// through enrollment's protobuf API, as in production.
#include <memory>
#include <string>

#include "clients/enrollment/grpc_roster_source.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/child_process.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "services/scheduling/grpc_service.h"
#include "services/scheduling/poll_rule.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "common/util/clock.h"

namespace kaizen::scheduling {
namespace scheduling_server_test {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::testkit::Navigator;
using ::kaizen::testkit::Secretariat;
using ::kaizen::testkit::User;

// 2022-06-01 00:00 JST on scheduling's clock (enrollment runs on real time).
absl::Time June1() { return absl::FromUnixSeconds(1654009200); }

// A cohort open for applications now (enrollment's real clock), ages 20-39
// on 2022-07-24.
ev1::Cohort OpenNowCohort() {
  ev1::Cohort c;
  c.set_title("2022年度 次世代改善リーダー事例研究会");
  c.set_fiscal_year(2022);
  c.set_capacity(10);
  c.set_max_municipalities(6);
  c.mutable_eligibility()->set_min_age(20);
  c.mutable_eligibility()->set_max_age(39);
  auto* ref = c.mutable_eligibility()->mutable_age_reference_date();
  ref->set_year(2022);
  ref->set_month(7);
  ref->set_day(24);
  c.mutable_fee()->set_currency_code("JPY");
  c.mutable_fee()->set_units(10000);
  *c.mutable_application_open_time() = ToProtoTimestamp(absl::Now() - absl::Hours(1));
  *c.mutable_application_close_time() = ToProtoTimestamp(absl::Now() + absl::Hours(24 * 30));
  return c;
}

ev1::Applicant Applicant() {
  ev1::Applicant a;
  a.set_display_name("山田 太郎100");
  a.set_kana("やまだ たろう");
  a.set_email("person100@city.example.jp");
  a.set_municipality_code("011002");
  a.set_department("総務部 行政改革課");
  a.mutable_birth_date()->set_year(1992);
  a.mutable_birth_date()->set_month(4);
  a.mutable_birth_date()->set_day(1);
  a.set_motivation("同僚を巻き込んで改善を進めたい。");
  a.mutable_consent()->set_share_attendance(true);
  return a;
}

class SchedulingServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testkit::ServiceProcessOptions eo;
    eo.binary = "services/enrollment/enrollment_server";
    eo.internal_secret = testkit::kInternalSecret;
    auto enrollment = testkit::StartService(eo);
    ASSERT_TRUE(enrollment.ok()) << enrollment.status();
    enrollment_ = std::move(*enrollment);
    auto channel =
        grpc::CreateChannel(enrollment_.address(), grpc::InsecureChannelCredentials());
    enrollment_stub_ = ev1::EnrollmentService::NewStub(channel);

    clock_.Set(June1());
    auto store = SchedulingStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    roster_ = std::make_unique<enrollment_client::GrpcRosterSource>(
        channel, &server_.signer(), "scheduling", absl::Seconds(2));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), roster_.get(), &clock_);
    service_ = std::make_unique<SchedulingGrpcService>(scheduling_.get(), &server_.signer());
    absl::Status started =
        server_.Start("scheduling", {{v1::SchedulingService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::SchedulingService::NewStub(server_.channel());

    // Through enrollment's API: an open cohort with a navigator and one
    // accepted participant (signed in as user-1).
    ev1::CreateCohortRequest create;
    *create.mutable_cohort() = OpenNowCohort();
    create.set_cohort_id("fy2022");
    ev1::Cohort cohort;
    grpc::Status s = enrollment_stub_->CreateCohort(server_.As(Secretariat()).get(), create, &cohort);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ev1::TransitionCohortRequest open;
    open.set_name("cohorts/fy2022");
    open.set_state(ev1::Cohort::OPEN);
    s = enrollment_stub_->TransitionCohort(server_.As(Secretariat()).get(), open, &cohort);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ev1::CreateParticipantRequest nav;
    nav.set_parent("cohorts/fy2022");
    nav.mutable_participant()->set_display_name("中村 進");
    nav.mutable_participant()->set_role(ev1::Participant::NAVIGATOR);
    nav.mutable_participant()->set_subject("navigator-1");
    ev1::Participant navigator;
    s = enrollment_stub_->CreateParticipant(server_.As(Secretariat()).get(), nav, &navigator);
    ASSERT_TRUE(s.ok()) << s.error_message();
    navigator_ = navigator.name();
    ev1::CreateApplicationRequest apply;
    apply.set_parent("cohorts/fy2022");
    *apply.mutable_application()->add_members() = Applicant();
    ev1::Application app;
    s = enrollment_stub_->CreateApplication(server_.As(User("user-1")).get(), apply, &app);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(app.participants_size(), 1);
    participant_ = app.participants(0);
  }

  testkit::RunningService enrollment_;
  std::unique_ptr<ev1::EnrollmentService::Stub> enrollment_stub_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<enrollment_client::GrpcRosterSource> roster_;
  std::unique_ptr<Scheduling> scheduling_;
  std::unique_ptr<SchedulingGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::SchedulingService::Stub> stub_;
  std::string navigator_;
  std::string participant_;
};

TEST_F(SchedulingServerTest, SeriesPollAndCloseThroughRealServices) {
  v1::CreateMeetingSeriesRequest create;
  create.set_parent("cohorts/fy2022");
  create.set_template_("templates/next-gen-leaders-fy2022");
  create.set_start_year(2022);
  v1::CreateMeetingSeriesResponse series;
  grpc::Status s = stub_->CreateMeetingSeries(server_.As(Secretariat()).get(), create, &series);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(series.meetings_size(), 8);

  const absl::Time slot = absl::FromUnixSeconds(1661040000);  // 2022-08-21 09:00 JST
  v1::SetPollCandidatesRequest candidates;
  candidates.set_meeting("cohorts/fy2022/meetings/m2");
  *candidates.add_start_times() = ToProtoTimestamp(slot);
  v1::Poll poll;
  ASSERT_TRUE(stub_->SetPollCandidates(server_.As(Navigator()).get(), candidates, &poll).ok());

  v1::AnswerPollRequest nav_answer;
  nav_answer.set_meeting("cohorts/fy2022/meetings/m2");
  (*nav_answer.mutable_availability())[SlotId(slot)] = v1::YES;
  ASSERT_TRUE(stub_->AnswerPoll(server_.As(Navigator()).get(), nav_answer, &poll).ok());
  v1::AnswerPollRequest answer = nav_answer;
  answer.set_comment("参加します");
  s = stub_->AnswerPoll(server_.As(User("user-1")).get(), answer, &poll);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(poll.answers_size(), 2);
  EXPECT_EQ(poll.answers(1).display_name(), "山田 太郎100");

  v1::ClosePollRequest close;
  close.set_meeting("cohorts/fy2022/meetings/m2");
  s = stub_->ClosePoll(server_.As(Navigator()).get(), close, &poll);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(poll.result().slots(0).yes(0), participant_);

  v1::GetCohortCalendarRequest cal;
  cal.set_parent("cohorts/fy2022");
  kaizen::type::HttpBody body;
  ASSERT_TRUE(stub_->GetCohortCalendar(server_.As(User("user-1")).get(), cal, &body).ok());
  EXPECT_NE(body.data().find("DTSTART;TZID=Asia/Tokyo:20220821T090000"), std::string::npos);
}

TEST_F(SchedulingServerTest, EnrollmentDownGivesUnavailableAndWritesNothing) {
  enrollment_.process->Kill();
  v1::CreateMeetingSeriesRequest create;
  create.set_parent("cohorts/fy2022");
  create.set_template_("templates/next-gen-leaders-fy2022");
  create.set_start_year(2022);
  v1::CreateMeetingSeriesResponse series;
  const absl::Time before = absl::Now();
  grpc::Status s = stub_->CreateMeetingSeries(server_.As(Secretariat()).get(), create, &series);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "ENROLLMENT_UNAVAILABLE");
  EXPECT_LT(absl::Now() - before, absl::Seconds(10));  // bounded by the 2 s deadline, generous
  v1::ListMeetingsRequest list;
  list.set_parent("cohorts/fy2022");
  v1::ListMeetingsResponse meetings;
  ASSERT_TRUE(stub_->ListMeetings(server_.As(Secretariat()).get(), list, &meetings).ok());
  EXPECT_EQ(meetings.meetings_size(), 0);
}

TEST_F(SchedulingServerTest, DirectCallWithoutGatewayIsUnauthenticated) {
  grpc::ClientContext context;
  v1::ListTemplatesResponse out;
  EXPECT_EQ(stub_->ListTemplates(&context, v1::ListTemplatesRequest(), &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace kaizen::scheduling
