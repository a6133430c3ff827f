// Starts real servers on port 0 and talks to them through real stubs.
#include "common/server/server.h"

#include <signal.h>

#include <thread>

#include "absl/synchronization/notification.h"
#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/server/test_echo.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace kaizen::server {
namespace server_test {

using kaizen::testing::EchoRequest;
using kaizen::testing::EchoResponse;
using kaizen::testing::EchoService;

constexpr char kSecret[] = "test-internal-secret-0123456789";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.service_name = "echo";
    options_.listen_address = "127.0.0.1:0";
    options_.drain_deadline = absl::Seconds(30);
    auto server = GrpcServer::Start(
        options_, {{EchoService::service_full_name(), &service_}},
        [](const std::string&) {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = Channel();
  }

  std::shared_ptr<grpc::Channel> Channel() {
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                               grpc::InsecureChannelCredentials());
  }

  grpc::Status CallEcho(const std::string& text, EchoResponse* response,
                        bool with_principal = true) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    if (with_principal) {
      AttachPrincipal(auth::ServicePrincipal("test"), signer_, &context);
    }
    EchoRequest request;
    request.set_text(text);
    return EchoService::NewStub(channel_)->Echo(&context, request, response);
  }

  ServerOptions options_;
  auth::PrincipalSigner signer_{kSecret};
  TestEcho service_{&signer_};
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerTest, AnswersWithForwardedPrincipal) {
  EchoResponse response;
  grpc::Status status = CallEcho("こんにちは", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.text(), "こんにちは");
}

TEST_F(ServerTest, DirectCallWithoutInternalCredentialIsUnauthenticated) {
  EchoResponse response;
  grpc::Status status = CallEcho("hi", &response, /*with_principal=*/false);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(status)),
            "INTERNAL_CREDENTIAL_MISSING");
}

TEST_F(ServerTest, StatusDetailsSurviveRealRoundTrip) {
  EchoResponse response;
  absl::Status status = FromGrpcStatus(CallEcho("bad", &response));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(status), "BAD_TEXT");
  auto bad = errors::GetBadRequest(status);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "text");
  EXPECT_EQ(status.message(), "text: must not be bad");
}

TEST_F(ServerTest, CountsCallsInMetrics) {
  EchoResponse response;
  ASSERT_TRUE(CallEcho("a", &response).ok());
  CallEcho("bad", &response);
  EXPECT_EQ(server_->metrics().Count("/kaizen.testing.EchoService/Echo", "OK"), 1);
  EXPECT_EQ(server_->metrics().Count("/kaizen.testing.EchoService/Echo",
                                     "INVALID_ARGUMENT"),
            1);
}

TEST_F(ServerTest, HealthServiceReportsOverallAndPerService) {
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  for (const std::string name : {"", "kaizen.testing.EchoService"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(name);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << name << ": " << status.error_message();
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

// Reflection is off unless options.reflection (server_reflection_test.cc
// has it on: gRPC keeps the plugin process-wide, so not in this binary).
TEST_F(ServerTest, ReflectionIsOffByDefault) {
  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  call->WritesDone(reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(ServerTest, SigtermFinishesInFlightCallBeforeStopping) {
  InstallShutdownSignalHandlers();
  std::thread signal_thread([this] {
    WaitForShutdownSignal();
    server_->Shutdown();  // blocks until the in-flight call is done
  });

  grpc::Status in_flight_status;
  EchoResponse in_flight_response;
  std::thread caller([&] {
    in_flight_status = CallEcho("hold", &in_flight_response);
  });
  service_.entered.WaitForNotification();
  ASSERT_EQ(raise(SIGTERM), 0);

  // New calls are refused once the drain has begun.
  bool refused = false;
  for (int attempt = 0; attempt < 300 && !refused; ++attempt) {
    auto fresh = Channel();
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(100));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status =
        grpc::health::v1::Health::NewStub(fresh)->Check(&context, request, &response);
    refused = !status.ok() ||
              response.status() != grpc::health::v1::HealthCheckResponse::SERVING;
  }
  EXPECT_TRUE(refused);

  service_.release.Notify();
  caller.join();
  signal_thread.join();
  server_->Wait();
  EXPECT_TRUE(in_flight_status.ok()) << in_flight_status.error_message();
  EXPECT_EQ(in_flight_response.text(), "hold");
}

TEST(ServerStartTest, PortInUseIsReported) {
  ServerOptions options;
  options.service_name = "a";
  // A server needs one service (gRPC refuses to start with none).
  EchoService::Service echo;
  auto first = GrpcServer::Start(options, {{EchoService::service_full_name(), &echo}},
                                 [](const std::string&) {});
  ASSERT_TRUE(first.ok()) << first.status();
  options.listen_address = absl::StrCat("127.0.0.1:", (*first)->port());
  auto second = GrpcServer::Start(options, {{EchoService::service_full_name(), &echo}},
                                  [](const std::string&) {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(errors::Reason(second.status()), "PORT_IN_USE");
}

}  // namespace
}  // namespace kaizen::server
