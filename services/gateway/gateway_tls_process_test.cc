// TLS between the real gateway_server and the real enrollment_server, set up
// with the flags an operator uses (common/auth/tls.h) and the checked-in test
// certificates (common/auth/testdata). Also the rotation overlap across
// processes: a gateway still on the old secret while the service lists it
// as previous.
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
namespace gateway_tls_process_test {

using ::kaizen::gateway::testing::TestHttpClient;

constexpr char kCerts[] = "common/auth/testdata/";
constexpr char kOldSecret[] = "tls-process-old-secret-0123456789";
constexpr char kNewSecret[] = "tls-process-new-secret-0123456789";

std::string Tmp(const std::string& name) { return testkit::TestTmpDir() + "/" + name; }
std::string Cert(const char* name) { return std::string(kCerts) + name; }

std::string SecretFile(const std::string& name, const std::string& contents) {
  std::ofstream(Tmp(name)) << contents;
  return Tmp(name);
}

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

// enrollment_server on port 0 with `extra` flags; returns its port.
int StartEnrollment(std::unique_ptr<testkit::ChildProcess>* out, const std::string& tag,
                    std::vector<std::string> extra) {
  // A port file no earlier child wrote (a stale one would name a dead port).
  const std::string port_file = testkit::NewTempPath(tag, "port");
  std::vector<std::string> args = {"services/enrollment/enrollment_server",
                                   "--listen=127.0.0.1:0", "--db=:memory:",
                                   "--port_file=" + port_file, "--access_log=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  *out = Process(args);
  return *out == nullptr ? 0 : PortOf(**out, port_file);
}

// gateway_server in front of `backend` ("host:port"); returns its HTTP port.
int StartGateway(std::unique_ptr<testkit::ChildProcess>* out, const std::string& tag,
                 const std::string& backend, std::vector<std::string> extra) {
  const std::string port_file = testkit::NewTempPath(tag, "port");
  std::vector<std::string> args = {
      "services/gateway/gateway_server", "--http_listen=127.0.0.1:0", "--grpc_listen=off",
      "--http_port_file=" + port_file, "--access_log=false",
      "--backends=kaizen.enrollment.v1.EnrollmentService=" + backend};
  args.insert(args.end(), extra.begin(), extra.end());
  *out = Process(args);
  return *out == nullptr ? 0 : PortOf(**out, port_file);
}

TEST(GatewayTlsProcessTest, MutualTlsToTheServiceAndPlaintextRefused) {
  const std::string secret = SecretFile("secret", kNewSecret);
  std::unique_ptr<testkit::ChildProcess> enrollment;
  const int port = StartEnrollment(
      &enrollment, "enrollment",
      {"--internal_secret_file=" + secret, "--tls_cert_file=" + Cert("server.pem"),
       "--tls_key_file=" + Cert("server.key"), "--tls_client_ca_file=" + Cert("ca.pem")});
  ASSERT_GT(port, 0);
  const std::string backend = absl::StrCat("localhost:", port);

  std::unique_ptr<testkit::ChildProcess> tls_gateway;
  const int tls_port = StartGateway(
      &tls_gateway, "tls", backend,
      {"--internal_secret_file=" + secret, "--backend_tls_ca_file=" + Cert("ca.pem"),
       "--backend_tls_cert_file=" + Cert("client.pem"),
       "--backend_tls_key_file=" + Cert("client.key")});
  ASSERT_GT(tls_port, 0);
  TestHttpClient tls_client(tls_port);
  EXPECT_EQ(tls_client.Get("/readyz").status, 200);
  EXPECT_EQ(tls_client.Get("/v1/cohorts").status, 200);

  // The same gateway without TLS to the backend reaches nothing.
  std::unique_ptr<testkit::ChildProcess> plain_gateway;
  const int plain_port =
      StartGateway(&plain_gateway, "plain", backend, {"--internal_secret_file=" + secret});
  ASSERT_GT(plain_port, 0);
  TestHttpClient plain_client(plain_port);
  EXPECT_EQ(plain_client.Get("/readyz").status, 503);
  EXPECT_EQ(plain_client.Get("/v1/cohorts").status, 503);

  EXPECT_EQ(tls_gateway->Terminate(), 0);
  EXPECT_EQ(plain_gateway->Terminate(), 0);
  EXPECT_EQ(enrollment->Terminate(), 0);
}

TEST(GatewayTlsProcessTest, GatewayRefusesServerTlsFlags) {
  auto gateway = Process({"services/gateway/gateway_server", "--http_listen=127.0.0.1:0",
                          "--internal_secret_file=" + SecretFile("secret2", kNewSecret),
                          "--backends=kaizen.enrollment.v1.EnrollmentService=127.0.0.1:1",
                          "--tls_cert_file=" + Cert("server.pem"),
                          "--tls_key_file=" + Cert("server.key")});
  ASSERT_NE(gateway, nullptr);
  EXPECT_EQ(gateway->Wait(), 2);
}

// The service lists the old secret as previous: a gateway not yet rotated
// still gets through. Once the old secret is removed, it no longer does.
TEST(GatewayTlsProcessTest, RotationOverlapAcrossProcesses) {
  const std::string old_only = SecretFile("old", kOldSecret);
  const std::string overlap =
      SecretFile("overlap", absl::StrCat(kNewSecret, "\n", kOldSecret, "\n"));
  const std::string new_only = SecretFile("new", kNewSecret);
  int round = 0;
  for (const auto& [service_secret, expected] :
       {std::pair{overlap, 200}, std::pair{new_only, 401}}) {
    const std::string tag = absl::StrCat("round", ++round);  // fresh port files
    std::unique_ptr<testkit::ChildProcess> enrollment;
    const int port = StartEnrollment(&enrollment, tag + "-enrollment",
                                     {"--internal_secret_file=" + service_secret});
    ASSERT_GT(port, 0);
    std::unique_ptr<testkit::ChildProcess> gateway;
    const int http_port = StartGateway(&gateway, tag + "-gateway", absl::StrCat("127.0.0.1:", port),
                                       {"--internal_secret_file=" + old_only});
    ASSERT_GT(http_port, 0);
    EXPECT_EQ(TestHttpClient(http_port).Get("/v1/cohorts").status, expected) << service_secret;
    EXPECT_EQ(gateway->Terminate(), 0);
    EXPECT_EQ(enrollment->Terminate(), 0);
  }
}

}  // namespace
}  // namespace kaizen::gateway
