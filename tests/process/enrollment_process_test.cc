// Runs the real enrollment_server binary as a child process, the way an
// operator does: port 0 reported through --port_file, a database file, the
// internal secret from the environment. Checks health, persistence across a
// restart, and a clean exit on SIGTERM.
#include <chrono>
#include <cstdlib>
#include <string>

#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/testing/child_process.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen {
namespace {

namespace v1 = ::kaizen::enrollment::v1;
constexpr char kSecret[] = "process-test-secret-0123456789";

// The real binary on a database file (common/testing/child_process.h).
testkit::RunningService StartServer(const std::string& db) {
  testkit::ServiceProcessOptions options;
  options.binary = "services/enrollment/enrollment_server";
  options.db = db;
  options.internal_secret = kSecret;
  auto running = testkit::StartService(options);
  EXPECT_TRUE(running.ok()) << running.status();
  return running.ok() ? std::move(*running) : testkit::RunningService();
}

std::shared_ptr<grpc::Channel> Connect(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

void AsSecretariat(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  server::AttachPrincipal(enrollment::testing::Secretariat(),
                          auth::PrincipalSigner(kSecret), context);
}

TEST(EnrollmentProcessTest, ServesHealthPersistsAcrossRestartAndStopsCleanly) {
  const std::string db = std::string(std::getenv("TEST_TMPDIR")) + "/enrollment.db";
  std::remove(db.c_str());
  std::string cohort_name;
  {
    testkit::RunningService server = StartServer(db);
    const int port = server.port;
    ASSERT_GT(port, 0) << "the server did not start";
    auto channel = Connect(port);

    grpc::ClientContext health_context;
    grpc::health::v1::HealthCheckRequest health_request;
    health_request.set_service("kaizen.enrollment.v1.EnrollmentService");
    grpc::health::v1::HealthCheckResponse health;
    ASSERT_TRUE(grpc::health::v1::Health::NewStub(channel)
                    ->Check(&health_context, health_request, &health)
                    .ok());
    EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);

    grpc::ClientContext context;
    AsSecretariat(&context);
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = enrollment::testing::Fy2022Cohort();
    create.set_cohort_id("fy2022");
    v1::Cohort cohort;
    grpc::Status s = v1::EnrollmentService::NewStub(channel)->CreateCohort(&context, create, &cohort);
    ASSERT_TRUE(s.ok()) << s.error_message();
    cohort_name = cohort.name();
    EXPECT_EQ(server.process->Terminate(), 0);
  }
  {
    testkit::RunningService server = StartServer(db);
    const int port = server.port;
    ASSERT_GT(port, 0);
    grpc::ClientContext context;
    AsSecretariat(&context);
    v1::GetCohortRequest get;
    get.set_name(cohort_name);
    v1::Cohort cohort;
    grpc::Status s = v1::EnrollmentService::NewStub(Connect(port))->GetCohort(&context, get, &cohort);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(cohort.title(), "2022年度 次世代改善リーダー事例研究会");
    EXPECT_EQ(server.process->Terminate(), 0);
  }
}

TEST(EnrollmentProcessTest, RefusesToStartWithoutInternalSecret) {
  unsetenv("KAIZEN_INTERNAL_SECRET");
  auto server = testkit::ChildProcess::Start(
      {"services/enrollment/enrollment_server", "--listen=127.0.0.1:0", "--db=:memory:"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->Wait(), 2);
}

}  // namespace
}  // namespace kaizen
