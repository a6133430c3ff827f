// The real gateway_server binary as an operator runs it: in front of the real
// enrollment_server, both on port 0 reported through port files, secrets from
// the environment and files. Checks that it serves, refuses bad flags with
// exit code 2, and drains and exits 0 on SIGTERM.
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

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/gateway/gateway_test_util.h"
#include "services/gateway/test_http_client.h"

extern char** environ;

namespace kaizen::gateway {
namespace {

using ::kaizen::gateway::testing::TestHttpClient;

std::string TmpDir() { return std::getenv("TEST_TMPDIR"); }

class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, args[0].c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // The exit code once it has exited (-1 if killed by a signal).
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  int Terminate() {
    kill(pid_, SIGTERM);
    return Wait();
  }
  // Bounded polling of a child process's port file.
  int WaitForPort(const std::string& file) {
    for (int i = 0; i < 1000 && pid_ > 0; ++i) {
      std::ifstream in(file);
      int port = 0;
      if (in >> port && port > 0) return port;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

 private:
  pid_t pid_ = -1;
};

TEST(GatewayProcessTest, ServesAndDrainsOnSigterm) {
  setenv("KAIZEN_INTERNAL_SECRET", testing::kInternalSecret, 1);
  Process enrollment({"services/enrollment/enrollment_server", "--listen=127.0.0.1:0",
                      "--db=:memory:", "--port_file=" + TmpDir() + "/enrollment.port",
                      "--access_log=false"});
  const int enrollment_port = enrollment.WaitForPort(TmpDir() + "/enrollment.port");
  ASSERT_GT(enrollment_port, 0);

  const std::string secret_file = TmpDir() + "/jwt-secret";
  std::ofstream(secret_file) << testing::kJwtSecret << "\n";
  const std::string keys_file = TmpDir() + "/api-keys";
  std::ofstream(keys_file) << "# partner keys\n"
                           << testing::ApiKeyLine("matsusaka-hr", "key-0123456789abcdef", "242047");
  setenv("KAIZEN_BACKENDS",
         absl::StrCat("kaizen.enrollment.v1.EnrollmentService=127.0.0.1:", enrollment_port).c_str(),
         1);
  Process gateway({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                   "--grpc_listen=127.0.0.1:0", "--http_port_file=" + TmpDir() + "/http.port",
                   "--grpc_port_file=" + TmpDir() + "/grpc.port",
                   "--jwt_hs256_secret_file=" + secret_file, "--api_keys_file=" + keys_file,
                   "--access_log=false"});
  const int http_port = gateway.WaitForPort(TmpDir() + "/http.port");
  ASSERT_GT(http_port, 0);
  EXPECT_GT(gateway.WaitForPort(TmpDir() + "/grpc.port"), 0);

  TestHttpClient client(http_port);
  EXPECT_EQ(client.Get("/healthz").status, 200);
  EXPECT_EQ(client.Get("/readyz").status, 200);
  EXPECT_EQ(client.Get("/v1/cohorts").status, 200);
  EXPECT_EQ(client.Get("/v1/changes", {{"X-Api-Key", "key-0123456789abcdef"}}).status, 200);
  EXPECT_EQ(gateway.Terminate(), 0);
  unsetenv("KAIZEN_BACKENDS");
}

TEST(GatewayProcessTest, BadConfigurationExitsWithCode2) {
  setenv("KAIZEN_INTERNAL_SECRET", testing::kInternalSecret, 1);
  Process no_backends({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0"});
  EXPECT_EQ(no_backends.Wait(), 2);
  Process wildcard({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                    "--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:1",
                    "--cors_origins=*"});
  EXPECT_EQ(wildcard.Wait(), 2);
  Process listen({"services/gateway/gateway_server", "--listen=127.0.0.1:0",
                  "--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:1"});
  EXPECT_EQ(listen.Wait(), 2);
  unsetenv("KAIZEN_INTERNAL_SECRET");
  Process no_secret({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                     "--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:1"});
  EXPECT_EQ(no_secret.Wait(), 2);
  // A service whose proto is not linked into the binary cannot start.
  setenv("KAIZEN_INTERNAL_SECRET", testing::kInternalSecret, 1);
  Process unknown({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                   "--grpc_listen=off", "--backends=kaizen.nothing.v1.Nothing=127.0.0.1:1"});
  EXPECT_EQ(unknown.Wait(), 1);
}

}  // namespace
}  // namespace kaizen::gateway
