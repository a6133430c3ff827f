// The real scheduling gRPC server (port 0) reading its roster from the real
// enrollment gRPC server (port 0), both in-process, called through stubs.
#include <memory>

#include "common/server/principal_context.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/util/proto_time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/grpc_service.h"
#include "services/scheduling/grpc_service.h"
#include "services/scheduling/poll_rule.h"

namespace kaizen::scheduling {
namespace {

namespace et = ::kaizen::enrollment::testing;
namespace ev1 = ::kaizen::enrollment::v1;
constexpr char kSecret[] = "scheduling-test-secret-0123456789";

std::unique_ptr<grpc::ClientContext> As(const Principal& p, const auth::PrincipalSigner& s) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  server::AttachPrincipal(p, s, c.get());
  return c;
}

class SchedulingServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(et::June1());
    auto estore = enrollment::EnrollmentStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(estore.ok());
    enrollment_store_ = std::move(*estore);
    enrollment_ = std::make_unique<enrollment::Enrollment>(
        enrollment_store_.get(), &clock_,
        enrollment::EnrollmentConfig{"page-key-0123456789", "access-key-0123456789"});
    enrollment_service_ =
        std::make_unique<enrollment::EnrollmentGrpcService>(enrollment_.get(), &signer_);
    server::ServerOptions eo;
    eo.service_name = "enrollment";
    auto es = server::GrpcServer::Start(
        eo, {{ev1::EnrollmentService::service_full_name(), enrollment_service_.get()}},
        [](const std::string&) {});
    ASSERT_TRUE(es.ok());
    enrollment_server_ = std::move(*es);

    auto sstore = SchedulingStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(sstore.ok());
    store_ = std::move(*sstore);
    roster_ = std::make_unique<GrpcRosterSource>(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", enrollment_server_->port()),
                            grpc::InsecureChannelCredentials()),
        &signer_, absl::Seconds(2));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), roster_.get(), &clock_);
    service_ = std::make_unique<SchedulingGrpcService>(scheduling_.get(), &signer_);
    server::ServerOptions so;
    so.service_name = "scheduling";
    auto ss = server::GrpcServer::Start(
        so, {{v1::SchedulingService::service_full_name(), service_.get()}},
        [](const std::string&) {});
    ASSERT_TRUE(ss.ok());
    server_ = std::move(*ss);
    stub_ = v1::SchedulingService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));

    // A cohort with a navigator and two accepted participants (one signed in).
    auto cohort = enrollment_->CreateCohort(et::Secretariat(), [] {
      ev1::CreateCohortRequest r;
      *r.mutable_cohort() = et::Fy2022Cohort();
      r.set_cohort_id("fy2022");
      return r;
    }());
    ASSERT_TRUE(cohort.ok());
    ASSERT_TRUE(enrollment_->TransitionCohort(et::Secretariat(), [] {
      ev1::TransitionCohortRequest r;
      r.set_name("cohorts/fy2022");
      r.set_state(ev1::Cohort::OPEN);
      return r;
    }()).ok());
    ev1::CreateParticipantRequest nav;
    nav.set_parent("cohorts/fy2022");
    nav.mutable_participant()->set_display_name("中村 進");
    nav.mutable_participant()->set_role(ev1::Participant::NAVIGATOR);
    nav.mutable_participant()->set_subject("navigator-1");
    navigator_ = enrollment_->CreateParticipant(et::Secretariat(), nav)->name();
    auto a = enrollment_->CreateApplication(et::User("user-1"), et::Apply("cohorts/fy2022", 1, et::kTowns[0]));
    ASSERT_TRUE(a.ok()) << a.status();
    participant_ = a->participants(0);
  }

  auth::PrincipalSigner signer_{kSecret};
  FakeClock clock_;
  std::unique_ptr<enrollment::EnrollmentStore> enrollment_store_;
  std::unique_ptr<enrollment::Enrollment> enrollment_;
  std::unique_ptr<enrollment::EnrollmentGrpcService> enrollment_service_;
  std::unique_ptr<server::GrpcServer> enrollment_server_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<GrpcRosterSource> roster_;
  std::unique_ptr<Scheduling> scheduling_;
  std::unique_ptr<SchedulingGrpcService> service_;
  std::unique_ptr<server::GrpcServer> server_;
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
  grpc::Status s = stub_->CreateMeetingSeries(As(et::Secretariat(), signer_).get(), create, &series);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(series.meetings_size(), 8);

  const absl::Time slot = absl::FromUnixSeconds(1661040000);  // 2022-08-21 09:00 JST
  v1::SetPollCandidatesRequest candidates;
  candidates.set_meeting("cohorts/fy2022/meetings/m2");
  *candidates.add_start_times() = ToProtoTimestamp(slot);
  v1::Poll poll;
  ASSERT_TRUE(stub_->SetPollCandidates(As(et::Navigator(), signer_).get(), candidates, &poll).ok());

  v1::AnswerPollRequest nav_answer;
  nav_answer.set_meeting("cohorts/fy2022/meetings/m2");
  (*nav_answer.mutable_availability())[SlotId(slot)] = v1::YES;
  ASSERT_TRUE(stub_->AnswerPoll(As(et::Navigator(), signer_).get(), nav_answer, &poll).ok());
  v1::AnswerPollRequest answer = nav_answer;
  answer.set_comment("参加します");
  s = stub_->AnswerPoll(As(et::User("user-1"), signer_).get(), answer, &poll);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(poll.answers_size(), 2);
  EXPECT_EQ(poll.answers(1).display_name(), "山田 太郎100");

  v1::ClosePollRequest close;
  close.set_meeting("cohorts/fy2022/meetings/m2");
  s = stub_->ClosePoll(As(et::Navigator(), signer_).get(), close, &poll);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(poll.result().slots(0).yes(0), participant_);

  v1::GetCohortCalendarRequest cal;
  cal.set_parent("cohorts/fy2022");
  kaizen::type::HttpBody body;
  ASSERT_TRUE(stub_->GetCohortCalendar(As(et::User("user-1"), signer_).get(), cal, &body).ok());
  EXPECT_NE(body.data().find("DTSTART;TZID=Asia/Tokyo:20220821T090000"), std::string::npos);
}

TEST_F(SchedulingServerTest, EnrollmentDownGivesUnavailableAndWritesNothing) {
  enrollment_server_->Shutdown();
  enrollment_server_->Wait();
  v1::CreateMeetingSeriesRequest create;
  create.set_parent("cohorts/fy2022");
  create.set_template_("templates/next-gen-leaders-fy2022");
  create.set_start_year(2022);
  v1::CreateMeetingSeriesResponse series;
  const absl::Time before = absl::Now();
  grpc::Status s = stub_->CreateMeetingSeries(As(et::Secretariat(), signer_).get(), create, &series);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "ENROLLMENT_UNAVAILABLE");
  EXPECT_LT(absl::Now() - before, absl::Seconds(10));  // bounded by the 2 s deadline, generous
  v1::ListMeetingsRequest list;
  list.set_parent("cohorts/fy2022");
  v1::ListMeetingsResponse meetings;
  ASSERT_TRUE(stub_->ListMeetings(As(et::Secretariat(), signer_).get(), list, &meetings).ok());
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
