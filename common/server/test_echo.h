// The Echo service the common/server tests start on real servers: "bad"
// answers INVALID_ARGUMENT BAD_TEXT, "hold" signals `entered` and waits for
// `release` (a call kept in flight), anything else echoes. Test-only.
#ifndef KAIZEN_COMMON_SERVER_TEST_ECHO_H_
#define KAIZEN_COMMON_SERVER_TEST_ECHO_H_

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "common/status/errors.h"

namespace kaizen::server {

class TestEcho final : public kaizen::testing::EchoService::Service {
 public:
  explicit TestEcho(const auth::PrincipalSigner* signer) : signer_(signer) {}

  grpc::Status Echo(grpc::ServerContext* context, const kaizen::testing::EchoRequest* request,
                    kaizen::testing::EchoResponse* response) override {
    return Handle(context, *signer_, [&](const kaizen::type::Principal&) {
      if (request->text() == "bad") {
        return errors::InvalidField("text", "must not be bad", "BAD_TEXT");
      }
      if (request->text() == "hold") {
        entered.Notify();
        release.WaitForNotification();
      }
      response->set_text(request->text());
      return absl::OkStatus();
    });
  }

  absl::Notification entered;
  absl::Notification release;

 private:
  const auth::PrincipalSigner* signer_;
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_TEST_ECHO_H_
