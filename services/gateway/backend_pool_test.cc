// BackendPool against the probe backend on a real gRPC server.
#include "services/gateway/backend_pool.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/gateway/gateway_test_util.h"

namespace kaizen::gateway {
namespace {

using testing::ProbeServer;
namespace probe = testing::probe;

constexpr char kGetThing[] = "/kaizen.gateway.testing.v1.ProbeService/GetThing";

std::unique_ptr<BackendPool> NewPool(const ProbeServer& probe, const std::string& address) {
  return std::make_unique<BackendPool>(
      std::vector<BackendConfig>{{std::string(probe::ProbeService::service_full_name()), address}},
      &probe.signer, BackendPoolOptions{});
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
  std::unique_ptr<BackendPool> Pool() { return NewPool(probe_, probe_.address()); }

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
  auto pool = NewPool(probe_, address);
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

}  // namespace
}  // namespace kaizen::gateway
