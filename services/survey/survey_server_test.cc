// The real survey gRPC server on port 0 (common/server bootstrap), called
// through real stubs with signed principals; enrollment and scheduling are
// fakes behind the client seams (the e2e suite runs the real binaries).
#include <memory>

#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "kaizen/survey/v1/survey.grpc.pb.h"
#include "services/survey/grpc_service.h"
#include "services/survey/survey_test_util.h"

namespace kaizen::survey {
namespace survey_server_test {

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

// The partner release through real stubs: a partner key reads its
// consenting employee's shared profile (and leaves a record naming the RPC
// the server dispatched), a key of another town is refused, and only the
// enrollment service principal reads the change log.
TEST_F(SurveyServerTest, PartnerProfileAndChangeLogOverGrpc) {
  ev1::Roster roster = Roster();
  for (auto& e : *roster.mutable_entries()) {
    if (e.participant() == Person("p1")) {
      e.set_display_name("まつさか はなこ");
      e.mutable_consent()->set_share_survey_profile(true);
    }
  }
  roster_.SetRoster(roster);
  v1::CreateWaveRequest create;
  create.set_parent(kCohort);
  create.mutable_wave()->set_kind(v1::Wave::PRE);
  create.mutable_wave()->set_instrument_version(kBuiltinVersion);
  v1::Wave wave;
  ASSERT_TRUE(stub_->CreateWave(server_.As(Secretariat()).get(), create, &wave).ok());
  v1::SaveResponseRequest save;
  save.set_parent(wave.name());
  *save.mutable_answers() = FullAnswers(Builtin(), 4);
  v1::Answer* text = save.add_answers();
  text->set_item_id("free-wall-now");
  text->set_text("係長の決裁で三週間止まる。");
  text->set_share_with_employer(true);
  save.set_submit(true);
  v1::Response response;
  ASSERT_TRUE(stub_->SaveResponse(server_.As(Participant(1)).get(), save, &response).ok());

  v1::GetSharedSurveyProfileRequest get;
  get.set_participant(Person("p1"));
  v1::SharedSurveyProfile shared;
  grpc::Status s = stub_->GetSharedSurveyProfile(
      server_.As(testkit::PartnerHr("242047")).get(), get, &shared);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(shared.waves_size(), 1);
  ASSERT_EQ(shared.shared_text_size(), 1);
  EXPECT_EQ(shared.shared_text(0).text(), "係長の決裁で三週間止まる。");
  ASSERT_EQ(provisions_.requests().size(), 1u);
  EXPECT_EQ(provisions_.requests()[0].method(),
            absl::StrCat("/", v1::SurveyService::service_full_name(), "/GetSharedSurveyProfile"));
  EXPECT_EQ(provisions_.requests()[0].recipient().municipality_code(), "242047");

  s = stub_->GetSharedSurveyProfile(server_.As(testkit::PartnerHr("131016")).get(), get,
                                    &shared);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "NOT_SHARED_WITH_PARTNER");

  kaizen::type::ListResultChangesRequest list;
  kaizen::type::ListResultChangesResponse changes;
  s = stub_->ListResultChanges(server_.As(auth::ServicePrincipal("enrollment")).get(), list,
                               &changes);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).participant(), Person("p1"));
  EXPECT_EQ(changes.changes(0).category(), kaizen::type::SHARE_SURVEY_PROFILE);
  EXPECT_EQ(changes.last_sequence(), changes.changes(0).sequence());

  s = stub_->ListResultChanges(server_.As(testkit::PartnerHr("242047")).get(), list, &changes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(s)), "ENROLLMENT_ONLY");
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
