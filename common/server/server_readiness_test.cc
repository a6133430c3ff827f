// Readiness (grpc.health.v1 following a probe, by default the storage health)
// and connection management of the gRPC server, through real stubs.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/server/server.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace kaizen::server {
namespace server_readiness_test {

using grpc::health::v1::HealthCheckResponse;
using kaizen::testing::EchoService;

constexpr char kEcho[] = "kaizen.testing.EchoService";

class ProbeValue {
 public:
  absl::Status Get() {
    absl::MutexLock lock(&mu_);
    return status_;
  }
  void Set(absl::Status s) {
    absl::MutexLock lock(&mu_);
    status_ = std::move(s);
  }

 private:
  absl::Mutex mu_;
  absl::Status status_;
};

std::unique_ptr<GrpcServer> MustStart(const ServerOptions& options, EchoService::Service* service,
                                      ReadinessProbe probe) {
  auto server = GrpcServer::Start(options, {{EchoService::service_full_name(), service}},
                                  [](const std::string&) {}, std::move(probe));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

ServerOptions Options() {
  ServerOptions options;
  options.service_name = "echo";
  options.drain_deadline = absl::ZeroDuration();
  return options;
}

std::shared_ptr<grpc::Channel> ChannelTo(const GrpcServer& server) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                             grpc::InsecureChannelCredentials());
}

// The status of `name` ("" = overall), or UNKNOWN when the call fails.
HealthCheckResponse::ServingStatus Check(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& name) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(name);
  HealthCheckResponse response;
  if (!grpc::health::v1::Health::NewStub(channel)->Check(&context, request, &response).ok()) {
    return HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

void ExpectEverywhere(const std::shared_ptr<grpc::Channel>& channel,
                      HealthCheckResponse::ServingStatus want) {
  EXPECT_EQ(Check(channel, ""), want);
  EXPECT_EQ(Check(channel, kEcho), want);
}

TEST(ReadinessTest, HealthFollowsTheProbeForOverallAndEachService) {
  ProbeValue probe;
  EchoService::Service service;
  auto server = MustStart(Options(), &service, [&] { return probe.Get(); });
  auto channel = ChannelTo(*server);
  ExpectEverywhere(channel, HealthCheckResponse::SERVING);

  EXPECT_EQ(Check(channel, kLivenessService), HealthCheckResponse::SERVING);

  probe.Set(errors::Error(absl::StatusCode::kResourceExhausted, "DISK_FULL", "full"));
  server->RefreshReadiness();
  ExpectEverywhere(channel, HealthCheckResponse::NOT_SERVING);
  // Not ready, but alive: a liveness probe must not restart it.
  EXPECT_EQ(Check(channel, kLivenessService), HealthCheckResponse::SERVING);

  probe.Set(absl::OkStatus());
  server->RefreshReadiness();
  ExpectEverywhere(channel, HealthCheckResponse::SERVING);
}

TEST(ReadinessTest, AFailingProbeAtStartIsNotServingAtOnce) {
  EchoService::Service service;
  auto server = MustStart(Options(), &service, [] { return absl::UnavailableError("no"); });
  auto channel = ChannelTo(*server);
  ExpectEverywhere(channel, HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(channel, kLivenessService), HealthCheckResponse::SERVING);
}

TEST(ReadinessTest, ADeletedDatabaseTurnsTheDefaultProbeNotServing) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/readiness-db";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  storage::DatabaseOptions db_options;
  db_options.path = dir + "/echo.db";
  auto db = storage::Database::Open(db_options, {"CREATE TABLE t (x)"});
  ASSERT_TRUE(db.ok()) << db.status();

  EchoService::Service service;
  auto server = MustStart(Options(), &service, DefaultReadinessProbe());
  auto channel = ChannelTo(*server);
  ExpectEverywhere(channel, HealthCheckResponse::SERVING);

  ASSERT_EQ(::unlink(db_options.path.c_str()), 0);
  server->RefreshReadiness();  // what the 1 s poll does
  ExpectEverywhere(channel, HealthCheckResponse::NOT_SERVING);
  // A restart would close the last handle to the deleted file: stay alive.
  EXPECT_EQ(Check(channel, kLivenessService), HealthCheckResponse::SERVING);
  server.reset();
  db->reset();
}

TEST(ReadinessTest, APassingProbeNeverUndoesTheDrain) {
  EchoService::Service service;
  ServerOptions options = Options();
  auto server = MustStart(options, &service, [] { return absl::OkStatus(); });
  auto channel = ChannelTo(*server);
  ASSERT_EQ(Check(channel, ""), HealthCheckResponse::SERVING);
  server->Shutdown();
  server->RefreshReadiness();
  EXPECT_NE(Check(channel, ""), HealthCheckResponse::SERVING);
  EXPECT_NE(Check(channel, kLivenessService), HealthCheckResponse::SERVING);
}

// Connection management: the server closes the connection (GOAWAY), so the
// client's channel leaves READY. Waited for as an event, with a bound far
// above the limit under test (gRPC's defaults would never close it).
void ExpectServerClosesTheConnection(const ServerOptions& options) {
  EchoService::Service service;
  auto server = MustStart(options, &service, nullptr);
  auto channel = ChannelTo(*server);
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() +
                                        std::chrono::seconds(10)));
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(channel->WaitForStateChange(
      GRPC_CHANNEL_READY, std::chrono::system_clock::now() + std::chrono::seconds(20)));
  EXPECT_NE(channel->GetState(false), GRPC_CHANNEL_READY);
}

TEST(ConnectionOptionsTest, IdleConnectionsAreClosed) {
  ServerOptions options = Options();
  options.connection.max_connection_idle = absl::Milliseconds(300);
  ExpectServerClosesTheConnection(options);
}

TEST(ConnectionOptionsTest, OldConnectionsAreRecycled) {
  ServerOptions options = Options();
  options.connection.max_connection_age = absl::Milliseconds(300);
  options.connection.max_connection_age_grace = absl::Milliseconds(100);
  ExpectServerClosesTheConnection(options);
}

}  // namespace
}  // namespace kaizen::server
