// Runs the real enrollment_server binary as a child process, the way an
// operator does: port 0 reported through --port_file, a database file, the
// internal secret from the environment. Checks health, persistence across a
// restart, and a clean exit on SIGTERM.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "services/enrollment/enrollment_test_util.h"

extern char** environ;

namespace kaizen {
namespace {

namespace v1 = ::kaizen::enrollment::v1;
constexpr char kSecret[] = "process-test-secret-0123456789";

class ServerProcess {
 public:
  explicit ServerProcess(const std::string& db) {
    const std::string dir = std::getenv("TEST_TMPDIR");
    port_file_ = dir + "/enrollment.port";
    std::remove(port_file_.c_str());
    const std::string binary = "services/enrollment/enrollment_server";
    std::vector<std::string> args = {binary, "--listen=127.0.0.1:0", "--db=" + db,
                                     "--port_file=" + port_file_, "--access_log=false"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    setenv("KAIZEN_INTERNAL_SECRET", kSecret, 1);
    if (posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
  }

  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The port, once the child has written it (bounded wait on a child process).
  int WaitForPort() {
    for (int i = 0; i < 500 && pid_ > 0; ++i) {
      std::ifstream in(port_file_);
      int port = 0;
      if (in >> port && port > 0) return port;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }

  // SIGTERM, then the exit status (-1 if it did not exit normally).
  int Terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  std::string port_file_;
};

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
    ServerProcess server(db);
    const int port = server.WaitForPort();
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
    EXPECT_EQ(server.Terminate(), 0);
  }
  {
    ServerProcess server(db);
    const int port = server.WaitForPort();
    ASSERT_GT(port, 0);
    grpc::ClientContext context;
    AsSecretariat(&context);
    v1::GetCohortRequest get;
    get.set_name(cohort_name);
    v1::Cohort cohort;
    grpc::Status s = v1::EnrollmentService::NewStub(Connect(port))->GetCohort(&context, get, &cohort);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(cohort.title(), "2022年度 次世代改善リーダー事例研究会");
    EXPECT_EQ(server.Terminate(), 0);
  }
}

TEST(EnrollmentProcessTest, RefusesToStartWithoutInternalSecret) {
  unsetenv("KAIZEN_INTERNAL_SECRET");
  const std::string binary = "services/enrollment/enrollment_server";
  std::vector<std::string> args = {binary, "--listen=127.0.0.1:0", "--db=:memory:"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace kaizen
