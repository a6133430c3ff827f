// The Echo service the common/server tests start on real servers, built the
// way every Kaizen service is (callback API, KAIZEN_DEFINE_RPC, the server's
// executor): "bad" answers INVALID_ARGUMENT BAD_TEXT, "hold" signals
// `entered` and waits for `release` (a call kept in flight; `holding` counts
// them), anything else echoes. `runs` counts handler runs. Peek, a read
// (KAIZEN_DEFINE_READ_RPC), echoes and counts `peeks`. Submit, an
// asynchronous write (KAIZEN_DEFINE_WRITE_RPC), answers "bad" at once, drops
// "drop" unanswered and keeps every other call pending until the test calls FinishSubmits (from
// its own thread, as a database's writer thread would). `unknown_fields`
// counts requests that reached the domain still carrying unknown fields.
// Test-only.
#ifndef KAIZEN_COMMON_SERVER_TEST_ECHO_H_
#define KAIZEN_COMMON_SERVER_TEST_ECHO_H_

#include <atomic>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/auth/principal.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "common/server/unary_call.h"
#include "common/status/errors.h"
#include "common/util/no_wait.h"

namespace kaizen::server {

// The "domain" behind the adapter.
struct EchoDomain {
  void NoteUnknownFields(const kaizen::testing::EchoRequest& request) {
    if (!request.GetReflection()->GetUnknownFields(request).empty()) unknown_fields.fetch_add(1);
  }

  absl::StatusOr<kaizen::testing::EchoResponse> Echo(const kaizen::type::Principal&,
                                                     const kaizen::testing::EchoRequest& request) {
    runs.fetch_add(1);
    NoteUnknownFields(request);
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
    NoteUnknownFields(request);
    if (request.text() == "busy" && !util::MayWait()) {
      // As a read whose reader connection is taken (common/util/no_wait.h).
      util::NoteWaitRefused();
      return absl::UnavailableError("busy");
    }
    kaizen::testing::EchoResponse response;
    response.set_text(request.text());
    return response;
  }

  using SubmitDone = absl::AnyInvocable<void(absl::StatusOr<kaizen::testing::EchoResponse>) &&>;
  void SubmitAsync(const kaizen::type::Principal&, const kaizen::testing::EchoRequest& request,
                   SubmitDone done) {
    submits.fetch_add(1);
    NoteUnknownFields(request);
    if (request.text() == "bad") {
      std::move(done)(errors::InvalidField("text", "must not be bad", "BAD_TEXT"));
      return;
    }
    if (request.text() == "drop") return;  // `done` destroyed, never called
    kaizen::testing::EchoResponse response;
    response.set_text(request.text());
    absl::MutexLock lock(&submit_mu);
    pending_submits.push_back([response, done = std::move(done)]() mutable {
      std::move(done)(response);
    });
  }
  int PendingSubmits() {
    absl::MutexLock lock(&submit_mu);
    return static_cast<int>(pending_submits.size());
  }
  // Answers every pending Submit on the calling thread.
  void FinishSubmits() {
    std::vector<absl::AnyInvocable<void() &&>> ready;
    {
      absl::MutexLock lock(&submit_mu);
      ready.swap(pending_submits);
    }
    for (auto& finish : ready) std::move(finish)();
  }

  absl::Notification entered;
  absl::Notification release;
  std::atomic<int> submits{0};
  absl::Mutex submit_mu;
  std::vector<absl::AnyInvocable<void() &&>> pending_submits ABSL_GUARDED_BY(submit_mu);
  std::atomic<int> runs{0};
  std::atomic<int> peeks{0};
  std::atomic<int> unknown_fields{0};
  std::atomic<int> holding{0};  // "hold" calls that reached the domain
  std::atomic<bool> first_hold{false};
};

class TestEcho final : public kaizen::testing::EchoService::CallbackService,
                       public ExecutorBound {
 public:
  explicit TestEcho(const auth::PrincipalSigner* signer) : signer_(signer) {}

  KAIZEN_DECLARE_RPC(Echo, kaizen::testing::EchoRequest, kaizen::testing::EchoResponse)
  KAIZEN_DECLARE_RPC(Peek, kaizen::testing::EchoRequest, kaizen::testing::EchoResponse)
  KAIZEN_DECLARE_RPC(Submit, kaizen::testing::EchoRequest, kaizen::testing::EchoResponse)

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
inline KAIZEN_DEFINE_WRITE_RPC(TestEcho, Submit, kaizen::testing::EchoRequest,
                               kaizen::testing::EchoResponse)

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_TEST_ECHO_H_
