// GrpcRosterSource against a tiny in-process EnrollmentService on port 0:
// the principal it attaches, the deadline, and the error mapping.
#include "clients/enrollment/grpc_roster_source.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment_client {
namespace grpc_roster_source_test {

namespace ev1 = ::kaizen::enrollment::v1;
constexpr char kSecret[] = "roster-client-test-secret-0123456789";

// Answers GetRoster by cohort: "cohorts/ok" has a roster, "cohorts/missing"
// is NOT_FOUND, "cohorts/down" UNAVAILABLE, "cohorts/denied"
// PERMISSION_DENIED, "cohorts/slow" waits until released.
class FakeEnrollment final : public ev1::EnrollmentService::Service {
 public:
  explicit FakeEnrollment(const auth::PrincipalSigner* signer) : signer_(signer) {}

  grpc::Status GetRoster(grpc::ServerContext* context, const ev1::GetRosterRequest* request,
                         ev1::Roster* response) override {
    {
      absl::MutexLock lock(&mu_);
      auto principal = server::PrincipalFromContext(*context, *signer_);
      last_principal_ = principal.ok() ? *principal : kaizen::type::Principal();
      verified_ = principal.ok();
      last_method_ = server::CalledMethod(*context);
    }
    const std::string& parent = request->parent();
    if (parent == "cohorts/ok") {
      response->set_cohort(parent);
      auto* e = response->add_entries();
      e->set_participant("cohorts/ok/participants/p1");
      e->set_display_name("参加者1");
      e->set_role(ev1::Participant::PARTICIPANT);
      e->set_subject("user-p1");
      return grpc::Status::OK;
    }
    if (parent == "cohorts/missing") {
      return ToGrpcStatus(errors::NotFound("Cohort", parent));
    }
    if (parent == "cohorts/down") return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
    if (parent == "cohorts/slow") {
      release_.WaitForNotification();
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "internal detail");
  }

  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  kaizen::type::Principal last_principal() {
    absl::MutexLock lock(&mu_);
    return last_principal_;
  }
  bool verified() {
    absl::MutexLock lock(&mu_);
    return verified_;
  }
  std::string last_method() {
    absl::MutexLock lock(&mu_);
    return last_method_;
  }

 private:
  const auth::PrincipalSigner* signer_;
  absl::Notification release_;
  absl::Mutex mu_;
  kaizen::type::Principal last_principal_;
  bool verified_ = false;
  std::string last_method_;
};

class GrpcRosterSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    // As GrpcServer::Start does: the method the credential must be for.
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(server::MakeCalledMethodInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(creators));
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    source_ = std::make_unique<GrpcRosterSource>(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()),
        &signer_, "survey", absl::Seconds(30));  // generous: never reached
  }
  void TearDown() override {
    service_.Release();
    server_->Shutdown(std::chrono::system_clock::now());
  }

  auth::PrincipalSigner signer_{kSecret};
  FakeEnrollment service_{&signer_};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<GrpcRosterSource> source_;
};

TEST_F(GrpcRosterSourceTest, ReturnsTheRosterAsTheNamedServicePrincipal) {
  auto roster = source_->GetRoster("cohorts/ok");
  ASSERT_TRUE(roster.ok()) << roster.status();
  ASSERT_EQ(roster->entries_size(), 1);
  EXPECT_EQ(roster->entries(0).display_name(), "参加者1");
  // Verified against the method served: the credential was made for GetRoster.
  EXPECT_TRUE(service_.verified());
  EXPECT_EQ(service_.last_method(), "/kaizen.enrollment.v1.EnrollmentService/GetRoster");
  EXPECT_EQ(service_.last_principal().subject(), "survey");
  ASSERT_EQ(service_.last_principal().roles_size(), 1);
  EXPECT_EQ(service_.last_principal().roles(0), kaizen::type::ROLE_SERVICE);
}

TEST_F(GrpcRosterSourceTest, NotFoundPassesThroughWithItsDetails) {
  auto roster = source_->GetRoster("cohorts/missing");
  EXPECT_EQ(roster.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(errors::Reason(roster.status()), "NOT_FOUND");
  auto info = errors::GetResourceInfo(roster.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->resource_name(), "cohorts/missing");
}

TEST_F(GrpcRosterSourceTest, UnavailableBecomesEnrollmentUnavailable) {
  auto roster = source_->GetRoster("cohorts/down");
  EXPECT_EQ(roster.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(roster.status()), "ENROLLMENT_UNAVAILABLE");
}

TEST_F(GrpcRosterSourceTest, DeadlineBecomesEnrollmentUnavailable) {
  // "cohorts/slow" answers only when released, after the call: the short
  // deadline always passes first, however loaded the machine.
  GrpcRosterSource impatient(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()),
      &signer_, "survey", absl::Milliseconds(300));
  auto roster = impatient.GetRoster("cohorts/slow");
  service_.Release();
  EXPECT_EQ(roster.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(roster.status()), "ENROLLMENT_UNAVAILABLE");
}

TEST_F(GrpcRosterSourceTest, OtherErrorsAreInternalAndSayNothingMore) {
  auto roster = source_->GetRoster("cohorts/denied");
  EXPECT_EQ(roster.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(roster.status().message(), "the roster could not be read");
}

TEST_F(GrpcRosterSourceTest, NoServerIsEnrollmentUnavailable) {
  // A port that was bound a moment ago and is now closed.
  service_.Release();
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  GrpcRosterSource source(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()),
      &signer_, "plans", absl::Milliseconds(300));
  auto roster = source.GetRoster("cohorts/ok");
  EXPECT_EQ(roster.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(roster.status()), "ENROLLMENT_UNAVAILABLE");
}

}  // namespace
}  // namespace kaizen::enrollment_client
