// BackendPool against the probe backend on a real gRPC server.
#include "services/gateway/backend_pool.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/server/principal_context.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_posix.h"
#include "gtest/gtest.h"
#include "services/gateway/gateway_test_util.h"

namespace kaizen::gateway {
namespace {

using testing::ProbeServer;
namespace probe = testing::probe;

constexpr char kGetThing[] = "/kaizen.gateway.testing.v1.ProbeService/GetThing";

std::unique_ptr<BackendPool> NewPool(const auth::PrincipalSigner& signer,
                                     const std::string& address) {
  return std::make_unique<BackendPool>(
      std::vector<BackendConfig>{{std::string(probe::ProbeService::service_full_name()), address}},
      &signer, BackendPoolOptions{});
}

BackendPool::Call GetThingCall(const std::string& name) {
  probe::GetThingRequest request;
  request.set_name(name);
  BackendPool::Call call;
  call.method = kGetThing;
  call.request = StringToByteBuffer(request.SerializeAsString());
  call.principal.set_subject("user-1");
  call.request_id = "req-pool-1";
  call.deadline = absl::Now() + absl::Seconds(10);
  return call;
}

class BackendPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(probe_.server, nullptr); }
  std::unique_ptr<BackendPool> Pool() { return NewPool(probe_.signer, probe_.address()); }

  ProbeServer probe_;
};

TEST_F(BackendPoolTest, ForwardsTheCallWithItsPrincipalAndRequestId) {
  auto pool = Pool();
  absl::Notification done;
  grpc::Status status;
  probe::Thing thing;
  pool->Start(GetThingCall("shelves/s1/things/本"),
              [&](const grpc::Status& s, grpc::ByteBuffer* response) {
                status = s;
                if (s.ok()) thing.ParseFromString(ByteBufferToString(*response));
                done.Notify();
              });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(thing.name(), "shelves/s1/things/本");
  EXPECT_EQ(thing.seen().subject(), "user-1");
  EXPECT_EQ(thing.seen().request_id(), "req-pool-1");
}

TEST_F(BackendPoolTest, ADownBackendFailsAtOnce) {
  const std::string address = probe_.address();
  probe_.server.reset();  // nothing listens there now
  auto pool = NewPool(probe_.signer, address);
  absl::Notification done;
  grpc::Status status;
  pool->Start(GetThingCall("shelves/s1/things/t"), [&](const grpc::Status& s, grpc::ByteBuffer*) {
    status = s;
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  pool.reset();  // returns: the failed call's count went back to zero
}

// A backend slow to complete a connection (its HTTP/2 settings come 300 ms
// after the TCP connect, as from a service on a loaded machine) still gets
// the call: a connection attempt is given connect_timeout (2 s). It was
// given 100 ms (gRPC reads GRPC_ARG_MIN_RECONNECT_BACKOFF_MS as that), and
// the call failed with UNAVAILABLE (a 503 seen in CI).
TEST(BackendPoolConnectTest, ABackendSlowToAnswerTheHandshakeStillGetsTheCall) {
  auth::PrincipalSigner signer(testing::kInternalSecret);
  testing::ProbeBackend backend(&signer);
  // The backend's server has no port: the test hands it the connection.
  grpc::ServerBuilder builder;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(server::MakeCalledMethodInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(creators));
  builder.RegisterService(&backend);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  // A socket that listens but does not accept yet: the kernel completes the
  // pool's TCP connect, nobody answers its HTTP/2 preface.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto pool = NewPool(signer, absl::StrCat("127.0.0.1:", ntohs(addr.sin_port)));

  absl::Notification done;
  grpc::Status status;
  probe::Thing thing;
  pool->Start(GetThingCall("shelves/s1/things/slow"),
              [&](const grpc::Status& s, grpc::ByteBuffer* response) {
                status = s;
                if (s.ok()) thing.ParseFromString(ByteBufferToString(*response));
                done.Notify();
              });
  pollfd ready{listener, POLLIN, 0};
  ASSERT_EQ(::poll(&ready, 1, 10000), 1);  // the pool connected
  const int connection = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(connection, 0);
  absl::SleepFor(absl::Milliseconds(300));  // the slow backend (not a synchronisation)
  grpc::AddInsecureChannelFromFd(server.get(), connection);  // takes the descriptor

  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(thing.name(), "shelves/s1/things/slow");
  pool.reset();
  server->Shutdown();
  ::close(listener);
}

}  // namespace
}  // namespace kaizen::gateway
