// The Echo service the common/server tests start on real servers, built the
// way every Kaizen service is (callback API, KAIZEN_DEFINE_RPC, the server's
// executor): "bad" answers INVALID_ARGUMENT BAD_TEXT, "hold" signals
// `entered` and waits for `release` (a call kept in flight; `holding` counts
// them), anything else echoes. `runs` counts handler runs. Peek, a read
// (KAIZEN_DEFINE_READ_RPC), echoes and counts `peeks`. Test-only.
#ifndef KAIZEN_COMMON_SERVER_TEST_ECHO_H_
#define KAIZEN_COMMON_SERVER_TEST_ECHO_H_

#include <atomic>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "common/auth/principal.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "common/server/unary_call.h"
#include "common/status/errors.h"
#include "common/util/no_wait.h"

namespace kaizen::server {

// The "domain" behind the adapter.
struct EchoDomain {
  absl::StatusOr<kaizen::testing::EchoResponse> Echo(const kaizen::type::Principal&,
                                                     const kaizen::testing::EchoRequest& request) {
    runs.fetch_add(1);
    if (request.text() == "bad") {
      return errors::InvalidField("text", "must not be bad", "BAD_TEXT");
    }
    if (request.text() == "hold") {
      holding.fetch_add(1);
      if (!first_hold.exchange(true)) entered.Notify();
      release.WaitForNotification();
    }
    kaizen::testing::EchoResponse response;
    response.set_text(request.text());
    return response;
  }

  absl::StatusOr<kaizen::testing::EchoResponse> Peek(
      const kaizen::type::Principal&, const kaizen::testing::EchoRequest& request) {
    peeks.fetch_add(1);
    if (request.text() == "busy" && !util::MayWait()) {
      // As a read whose reader connection is taken (common/util/no_wait.h).
      util::NoteWaitRefused();
      return absl::UnavailableError("busy");
    }
    kaizen::testing::EchoResponse response;
    response.set_text(request.text());
    return response;
  }

  absl::Notification entered;
  absl::Notification release;
  std::atomic<int> runs{0};
  std::atomic<int> peeks{0};
  std::atomic<int> holding{0};  // "hold" calls that reached the domain
  std::atomic<bool> first_hold{false};
};

class TestEcho final : public kaizen::testing::EchoService::CallbackService,
                       public ExecutorBound {
 public:
  explicit TestEcho(const auth::PrincipalSigner* signer) : signer_(signer) {}

  KAIZEN_DECLARE_RPC(Echo, kaizen::testing::EchoRequest, kaizen::testing::EchoResponse)
  KAIZEN_DECLARE_RPC(Peek, kaizen::testing::EchoRequest, kaizen::testing::EchoResponse)

  EchoDomain state;
  absl::Notification& entered = state.entered;
  absl::Notification& release = state.release;

 private:
  EchoDomain* const domain_ = &state;
  const auth::PrincipalSigner* signer_;
};

inline KAIZEN_DEFINE_RPC(TestEcho, Echo, kaizen::testing::EchoRequest,
                         kaizen::testing::EchoResponse)
inline KAIZEN_DEFINE_READ_RPC(TestEcho, Peek, kaizen::testing::EchoRequest,
                              kaizen::testing::EchoResponse)

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_TEST_ECHO_H_
