// The whole gateway in front of the probe service, fed what a strict front
// door must refuse: lenient JSON, ambiguous HTTP framing (request
// smuggling) and protobuf bytes that do not parse.
#include <string>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/gateway/backend_pool.h"
#include "services/gateway/gateway.h"
#include "services/gateway/gateway_test_util.h"
#include "services/gateway/test_http_client.h"
#include "services/gateway/test_raw_socket.h"

namespace kaizen::gateway {
namespace gateway_strict_test {

using namespace ::kaizen::gateway::testing;  // NOLINT

class GatewayStrictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(probe_.server, nullptr);
    GatewayOptions o =
        TestGatewayOptions("kaizen.gateway.testing.v1.ProbeService", probe_.address());
    o.drain_deadline = absl::Seconds(1);
    auto gateway = Gateway::Start(o, &clock_, nullptr);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
  }

  // A unary call through the gRPC proxy with raw request bytes.
  grpc::Status CallRaw(const std::string& method, const std::string& bytes) {
    grpc::GenericStub generic(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", gateway_->grpc_port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    grpc::ByteBuffer request = StringToByteBuffer(bytes), response;
    absl::Notification done;
    grpc::Status status;
    generic.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                        status = s;
                        done.Notify();
                      });
    done.WaitForNotification();
    return status;
  }

  FakeClock clock_{absl::Now()};
  ProbeServer probe_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(GatewayStrictTest, MalformedProtobufThroughTheProxyIsInvalidArgument) {
  const std::string method = "/kaizen.gateway.testing.v1.ProbeService/GetThing";
  // A well-formed message still goes through (anonymous is allowed here).
  probe::GetThingRequest good;
  good.set_name("shelves/s/things/t");
  ASSERT_TRUE(CallRaw(method, good.SerializeAsString()).ok());
  for (const std::string& bytes : {std::string("\xff\xff\xff\xff\xff", 5),  // bad tag
                                   std::string("\x0a\x05" "ab", 4),         // truncated
                                   std::string("\x0a\x01\xff", 3)}) {       // not UTF-8
    const absl::Status s = FromGrpcStatus(CallRaw(method, bytes));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_EQ(errors::Reason(s), "MALFORMED_REQUEST") << s;
  }
}

TEST_F(GatewayStrictTest, LenientJsonIsRefusedOverHttp) {
  TestHttpClient client(gateway_->http_port());
  const std::string token = UserToken(clock_, "user-1", {"participant"});
  for (const std::string& body : {std::string(R"({'title':"x"})"), std::string(R"({title:"x"})"),
                                  std::string(R"({"title":"x",})"), std::string(R"({"count":0x1})"),
                                  std::string(R"({"title":"x","title":"y"})")}) {
    TestResponse r = client.Send("PATCH", "/v1/shelves/s1/things/t1", {Bearer(token)}, body);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    EXPECT_EQ(ErrorReason(r.body), "INVALID_JSON") << r.body;
    EXPECT_EQ(ErrorStatus(r.body), "INVALID_ARGUMENT");
  }
}

TEST_F(GatewayStrictTest, SmuggledRequestIsNeverAnswered) {
  for (const char* coding : {"xchunked", "identity", "chunked, identity", "chunked, chunked"}) {
    SCOPED_TRACE(coding);
    const int fd = Connect(gateway_->http_port());
    ASSERT_GE(fd, 0);
    const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE(SendAll(fd, absl::StrCat("GET /v1/shelves/s1/things/t1 HTTP/1.1\r\nHost: x\r\n"
                                         "Transfer-Encoding: ", coding, "\r\n\r\n", smuggled)));
    bool closed = false;
    const std::string answer = ReadUntilClose(fd, &closed);
    ::close(fd);
    EXPECT_TRUE(closed);
    EXPECT_EQ(StatusOf(answer), 400) << answer;
    EXPECT_TRUE(absl::StrContains(answer, R"("reason":"INVALID_MESSAGE_FRAMING")")) << answer;
    EXPECT_FALSE(absl::StrContains(answer, R"({"status":"ok"})")) << answer;
    EXPECT_EQ(answer.find("HTTP/1.1 ", 1), std::string::npos) << answer;
  }
}

}  // namespace
}  // namespace kaizen::gateway
