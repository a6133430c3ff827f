// The real survey gRPC server on port 0 (common/server bootstrap), called
// through real stubs with signed principals; enrollment and scheduling are
// fakes behind the client seams (the e2e suite runs the real binaries).
#include <memory>

#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "kaizen/survey/v1/survey.grpc.pb.h"
#include "services/survey/grpc_service.h"
#include "services/survey/survey_test_util.h"

namespace kaizen::survey {
namespace {

using namespace ::kaizen::survey::testing;  // NOLINT

class SurveyServerTest : public SurveyTest {
 protected:
  void SetUp() override {
    SurveyTest::SetUp();
    service_ = std::make_unique<SurveyGrpcService>(survey_.get(), &server_.signer());
    absl::Status started =
        server_.Start("survey", {{v1::SurveyService::service_full_name(), service_.get()}});
    ASSERT_TRUE(started.ok()) << started;
    stub_ = v1::SurveyService::NewStub(server_.channel());
  }

  std::unique_ptr<SurveyGrpcService> service_;
  testkit::InProcessGrpcServer server_;  // stops before the service goes
  std::unique_ptr<v1::SurveyService::Stub> stub_;
};

TEST_F(SurveyServerTest, WaveAndResponseOverGrpc) {
  v1::CreateWaveRequest create;
  create.set_parent(kCohort);
  create.mutable_wave()->set_kind(v1::Wave::PRE);
  create.mutable_wave()->set_instrument_version(kBuiltinVersion);
  v1::Wave wave;
  grpc::Status s = stub_->CreateWave(server_.As(Secretariat()).get(), create, &wave);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(wave.state(), v1::Wave::OPEN);

  v1::SaveResponseRequest save;
  save.set_parent(wave.name());
  *save.mutable_answers() = FullAnswers(Builtin(), 4);
  v1::Answer* text = save.add_answers();
  text->set_item_id("free-wall-now");
  text->set_text("課長に提案しても「前例がない」と言われて止まってしまう。");
  save.set_submit(true);
  v1::Response response;
  s = stub_->SaveResponse(server_.As(Participant(1)).get(), save, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(response.submitted());

  v1::GetPersonProfileRequest profile;
  profile.set_participant(Person("p1"));
  profile.set_wave("pre");
  v1::PersonProfile out;
  s = stub_->GetPersonProfile(server_.As(Participant(2)).get(), profile, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "NOT_YOURSELF");
}

TEST_F(SurveyServerTest, BadAnswerNamesTheItemOverGrpc) {
  v1::CreateWaveRequest create;
  create.set_parent(kCohort);
  create.mutable_wave()->set_kind(v1::Wave::PRE);
  create.mutable_wave()->set_instrument_version(kBuiltinVersion);
  v1::Wave wave;
  ASSERT_TRUE(stub_->CreateWave(server_.As(Secretariat()).get(), create, &wave).ok());
  v1::SaveResponseRequest save;
  save.set_parent(wave.name());
  v1::Answer* a = save.add_answers();
  a->set_item_id("wall-peers-1");
  a->set_likert(9);
  v1::Response response;
  grpc::Status s = stub_->SaveResponse(server_.As(Participant(1)).get(), save, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad = errors::GetBadRequest(FromGrpcStatus(s));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "answers[wall-peers-1]");
}

TEST_F(SurveyServerTest, DirectCallWithoutGatewayIsUnauthenticated) {
  grpc::ClientContext context;
  v1::ListWavesRequest list;
  list.set_parent(kCohort);
  v1::ListWavesResponse out;
  EXPECT_EQ(stub_->ListWaves(&context, list, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace kaizen::survey
