#include "common/testing/grpc_fixture.h"

#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/testing/principals.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "gtest/gtest.h"

namespace kaizen::testkit {
namespace grpc_fixture_test {

using ::kaizen::testing::EchoRequest;
using ::kaizen::testing::EchoResponse;
using ::kaizen::testing::EchoService;

// Answers with the verified caller's subject.
class WhoAmI final : public EchoService::Service {
 public:
  explicit WhoAmI(const auth::PrincipalSigner* signer) : signer_(signer) {}
  grpc::Status Echo(grpc::ServerContext* context, const EchoRequest* request,
                    EchoResponse* response) override {
    return server::Handle(context, *signer_, [&](const kaizen::type::Principal& caller) {
      response->set_text(caller.subject() + ":" + request->text());
      return absl::OkStatus();
    });
  }

 private:
  const auth::PrincipalSigner* signer_;
};

TEST(InProcessGrpcServerTest, CallsCarryASignedPrincipal) {
  InProcessGrpcServer server;
  WhoAmI service(&server.signer());
  ASSERT_TRUE(server.Start("echo", {{EchoService::service_full_name(), &service}}).ok());
  ASSERT_GT(server.port(), 0);
  auto stub = EchoService::NewStub(server.channel());
  EchoRequest request;
  request.set_text("こんにちは");
  EchoResponse response;
  grpc::Status status = stub->Echo(server.As(Secretariat()).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.text(), "secretariat-1:こんにちは");
}

TEST(InProcessGrpcServerTest, APrincipalSignedWithAnotherSecretIsRefused) {
  InProcessGrpcServer server;
  WhoAmI service(&server.signer());
  ASSERT_TRUE(server.Start("echo", {{EchoService::service_full_name(), &service}}).ok());
  auth::PrincipalSigner other("another-secret-0123456789abcdef");
  EchoResponse response;
  grpc::Status status = EchoService::NewStub(server.channel())
                            ->Echo(ContextAs(other, Navigator()).get(), EchoRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(PrincipalsTest, BuildersSetRolesAndBindings) {
  EXPECT_EQ(PartnerHr("242047").municipality_code(), "242047");
  EXPECT_EQ(PartnerHr("242047").roles(0), kaizen::type::ROLE_PARTNER_HR);
  EXPECT_EQ(Service("plans").subject(), "plans");
  EXPECT_EQ(Service().roles(0), kaizen::type::ROLE_SERVICE);
  EXPECT_TRUE(Anonymous().subject().empty());
  EXPECT_EQ(WithToken("t").access_token(), "t");
}

}  // namespace
}  // namespace kaizen::testkit
