// The purge contract every target service applies, and GrpcPurgeTarget's
// error mapping against a real server on port 0 (the successful call
// through a real service is in services/survey and services/plans server
// tests).
#include "clients/purge/purge_contract.h"

#include <memory>

#include "clients/purge/fake_purge_target.h"
#include "clients/purge/grpc_purge_target.h"
#include "clients/purge/purge_client_errors.h"
#include "common/auth/principal.h"
#include "common/server/test_echo.h"
#include "common/status/errors.h"
#include "common/testing/grpc_fixture.h"
#include "common/testing/principals.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace kaizen::purge_client {
namespace {

using kaizen::type::PurgeRequest;

PurgeRequest Request(const std::string& cohort, const std::string& participant = "",
                     const std::string& subject = "") {
  PurgeRequest r;
  r.set_cohort(cohort);
  r.set_participant(participant);
  r.set_subject(subject);
  return r;
}

TEST(PurgeContractTest, OnlyTheEnrollmentServiceMayPurge) {
  EXPECT_TRUE(RequireEnrollmentCaller(auth::ServicePrincipal("enrollment")).ok());
  for (const auto& p : {testkit::Secretariat(), auth::ServicePrincipal("survey"),
                        testkit::User("enrollment", kaizen::type::ROLE_SECRETARIAT),
                        testkit::Anonymous()}) {
    absl::Status s = RequireEnrollmentCaller(p);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << p.DebugString();
    EXPECT_EQ(errors::Reason(s), kEnrollmentOnly);
  }
}

TEST(PurgeContractTest, ParsesCohortAndParticipant) {
  auto whole = ParsePurgeRequest(Request("cohorts/fy2022"));
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->cohort_id, "fy2022");
  EXPECT_TRUE(whole->whole_cohort());
  auto one = ParsePurgeRequest(
      Request("cohorts/fy2022", "cohorts/fy2022/participants/p1", "user-p1"));
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->participant, "cohorts/fy2022/participants/p1");
  EXPECT_EQ(one->subject, "user-p1");
  EXPECT_FALSE(one->whole_cohort());
}

TEST(PurgeContractTest, RefusesBadRequestsNamingTheField) {
  struct Case {
    PurgeRequest request;
    std::string field;
  };
  for (const Case& c : {Case{Request(""), "cohort"}, Case{Request("cohorts/a/b"), "cohort"},
                        Case{Request("cohorts/a", "cohorts/b/participants/p1"), "participant"},
                        Case{Request("cohorts/a", "participants/p1"), "participant"},
                        Case{Request("cohorts/a", "", "user-p1"), "subject"}}) {
    absl::Status s = ParsePurgeRequest(c.request).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.request.DebugString();
    auto bad = errors::GetBadRequest(s);
    ASSERT_TRUE(bad.has_value()) << s;
    EXPECT_EQ(bad->field_violations(0).field(), c.field);
  }
}

TEST(PurgeContractTest, ReportKeepsTheOrderAndZeros) {
  auto report = MakeReport("survey", Request("cohorts/a"), {{"responses", 3}, {"pool_rows", 0}},
                           absl::FromUnixSeconds(100));
  EXPECT_EQ(report.service(), "survey");
  EXPECT_EQ(report.cohort(), "cohorts/a");
  ASSERT_EQ(report.counts_size(), 2);
  EXPECT_EQ(report.counts(0).kind(), "responses");
  EXPECT_EQ(report.counts(0).deleted(), 3);
  EXPECT_EQ(report.counts(1).kind(), "pool_rows");
  EXPECT_EQ(report.counts(1).deleted(), 0);
  EXPECT_EQ(report.complete_time().seconds(), 100);
  EXPECT_FALSE(report.repeat());
  EXPECT_TRUE(MakeReport("survey", Request("cohorts/a"), {}, absl::FromUnixSeconds(100),
                         /*repeat=*/true)
                  .repeat());
}

TEST(FakePurgeTargetTest, FailsThenRecoversAndIsIdempotent) {
  FakePurgeTarget fake("plans", {{"plans", 2}});
  fake.FailNext(1);
  EXPECT_EQ(errors::Reason(fake.Purge(Request("cohorts/a")).status()), kPurgeTargetUnavailable);
  auto first = fake.Purge(Request("cohorts/a"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->counts(0).deleted(), 2);
  EXPECT_FALSE(first->repeat());
  // A repeat answers like purge.proto says: the first counts and time, repeat set.
  auto again = fake.Purge(Request("cohorts/a"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->counts(0).deleted(), 2);
  EXPECT_TRUE(again->repeat());
  EXPECT_EQ(again->complete_time().seconds(), first->complete_time().seconds());
  EXPECT_EQ(fake.requests().size(), 3u);
}

// A server without the method (only Echo): the target refused (UNIMPLEMENTED), which is
// not "unreachable" and must not be retried as if it were.
TEST(GrpcPurgeTargetTest, AServiceWithoutTheMethodIsAFailureNotUnavailable) {
  testkit::InProcessGrpcServer server;
  server::TestEcho echo(&server.signer());
  ASSERT_TRUE(server.Start("echo", {{kaizen::testing::EchoService::service_full_name(), &echo}})
                  .ok());
  GrpcPurgeTarget target("survey", std::string(kSurveyPurgeMethod), server.channel(),
                         &server.signer(), absl::Seconds(10));
  EXPECT_EQ(target.service(), "survey");
  absl::Status s = target.Purge(Request("cohorts/a")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_EQ(errors::Reason(s), kPurgeTargetFailed);
  auto info = errors::GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("target_reason"), "UNIMPLEMENTED");
  EXPECT_EQ(info->metadata().at("service"), "survey");
}

TEST(GrpcPurgeTargetTest, NobodyListeningIsUnavailable) {
  std::string address;
  {
    testkit::InProcessGrpcServer server;
    server::TestEcho echo(&server.signer());
    ASSERT_TRUE(
        server.Start("echo", {{kaizen::testing::EchoService::service_full_name(), &echo}}).ok());
    address = server.address();
  }  // stopped: the port no longer answers
  auth::PrincipalSigner signer(testkit::kInternalSecret);
  GrpcPurgeTarget target("plans", std::string(kPlansPurgeMethod),
                         grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
                         &signer, absl::Seconds(2));
  absl::Status s = target.Purge(Request("cohorts/a")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(errors::Reason(s), kPurgeTargetUnavailable);
}

}  // namespace
}  // namespace kaizen::purge_client
