// The real gateway_server binary as an operator runs it: in front of the real
// enrollment_server, both on port 0 reported through port files, secrets from
// the environment and files. Checks that it serves, refuses bad flags with
// exit code 2, and drains and exits 0 on SIGTERM.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/child_process.h"
#include "gtest/gtest.h"
#include "services/gateway/gateway_test_util.h"
#include "services/gateway/test_http_client.h"

namespace kaizen::gateway {
namespace gateway_process_test {

using ::kaizen::gateway::testing::TestHttpClient;

std::string TmpDir() { return testkit::TestTmpDir(); }

// A child process that must start (the kit's launcher, asserting success).
std::unique_ptr<testkit::ChildProcess> Process(std::vector<std::string> args) {
  auto child = testkit::ChildProcess::Start(std::move(args));
  EXPECT_TRUE(child.ok()) << child.status();
  return child.ok() ? std::move(*child) : nullptr;
}

int PortOf(testkit::ChildProcess& child, const std::string& file) {
  auto port = child.WaitForPortFile(file);
  EXPECT_TRUE(port.ok()) << port.status();
  return port.ok() ? *port : 0;
}

// The environment is the process's: what a test sets is unset after it, so the
// package's other tests (one binary) start their children without it.
class GatewayProcessTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("KAIZEN_INTERNAL_SECRET");
    unsetenv("KAIZEN_BACKENDS");
  }
};

TEST_F(GatewayProcessTest, ServesAndDrainsOnSigterm) {
  setenv("KAIZEN_INTERNAL_SECRET", testing::kInternalSecret, 1);
  // Port files no earlier child wrote (a stale one would name a dead port).
  const std::string enrollment_port_file = testkit::NewTempPath("enrollment", "port");
  const std::string http_port_file = testkit::NewTempPath("http", "port");
  const std::string grpc_port_file = testkit::NewTempPath("grpc", "port");
  auto enrollment = Process({"services/enrollment/enrollment_server", "--listen=127.0.0.1:0",
                      "--db=:memory:", "--port_file=" + enrollment_port_file,
                      "--access_log=false"});
  ASSERT_NE(enrollment, nullptr);
  const int enrollment_port = PortOf(*enrollment, enrollment_port_file);
  ASSERT_GT(enrollment_port, 0);

  const std::string secret_file = TmpDir() + "/jwt-secret";
  std::ofstream(secret_file) << testing::kJwtSecret << "\n";
  const std::string keys_file = TmpDir() + "/api-keys";
  std::ofstream(keys_file) << "# partner keys\n"
                           << testing::ApiKeyLine("matsusaka-hr", "key-0123456789abcdef", "242047");
  setenv("KAIZEN_BACKENDS",
         absl::StrCat("kaizen.enrollment.v1.EnrollmentService=127.0.0.1:", enrollment_port).c_str(),
         1);
  auto gateway = Process({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                   "--grpc_listen=127.0.0.1:0", "--http_port_file=" + http_port_file,
                   "--grpc_port_file=" + grpc_port_file,
                   "--jwt_hs256_secret_file=" + secret_file, "--api_keys_file=" + keys_file,
                   "--access_log=false"});
  ASSERT_NE(gateway, nullptr);
  const int http_port = PortOf(*gateway, http_port_file);
  ASSERT_GT(http_port, 0);
  EXPECT_GT(PortOf(*gateway, grpc_port_file), 0);

  TestHttpClient client(http_port);
  EXPECT_EQ(client.Get("/healthz").status, 200);
  EXPECT_EQ(client.Get("/readyz").status, 200);
  EXPECT_EQ(client.Get("/v1/cohorts").status, 200);
  EXPECT_EQ(client.Get("/v1/changes", {{"X-Api-Key", "key-0123456789abcdef"}}).status, 200);
  EXPECT_EQ(gateway->Terminate(), 0);
  unsetenv("KAIZEN_BACKENDS");
}

TEST_F(GatewayProcessTest, BadConfigurationExitsWithCode2) {
  setenv("KAIZEN_INTERNAL_SECRET", testing::kInternalSecret, 1);
  auto no_backends = Process({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0"});
  EXPECT_EQ(no_backends->Wait(), 2);
  auto wildcard = Process({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                    "--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:1",
                    "--cors_origins=*"});
  EXPECT_EQ(wildcard->Wait(), 2);
  auto listen = Process({"services/gateway/gateway_server", "--listen=127.0.0.1:0",
                  "--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:1"});
  EXPECT_EQ(listen->Wait(), 2);
  unsetenv("KAIZEN_INTERNAL_SECRET");
  auto no_secret = Process({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                     "--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:1"});
  EXPECT_EQ(no_secret->Wait(), 2);
  // A service whose proto is not linked into the binary cannot start.
  setenv("KAIZEN_INTERNAL_SECRET", testing::kInternalSecret, 1);
  auto unknown = Process({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                   "--grpc_listen=off", "--backends=kaizen.nothing.v1.Nothing=127.0.0.1:1"});
  EXPECT_EQ(unknown->Wait(), 1);
}

}  // namespace
}  // namespace kaizen::gateway
