// The gateway's connections to the Kaizen services: one gRPC channel per
// configured backend, generic unary calls by method path (no per-service
// code), and health checks for /readyz.
//
// Calls never block the caller: they use gRPC's callback API and `done` runs
// on a gRPC thread. Every call carries the principal, signed for the
// call's method with a short expiry (common/server/principal_context.h
// AttachPrincipalForMethod), the request id and a deadline. Channels use TLS
// when BackendPoolOptions::tls is enabled (common/auth/tls.h). Channels do not wait for a backend that is down
// (wait_for_ready=false): a call to a down backend fails at once with
// UNAVAILABLE (a refused connection; one that does not answer fails after
// `connect_timeout`, or at the call's deadline if that comes first). They
// reconnect by themselves, with a backoff capped at `max_reconnect_backoff`,
// so the gateway recovers when the backend returns.
#ifndef KAIZEN_SERVICES_GATEWAY_BACKEND_POOL_H_
#define KAIZEN_SERVICES_GATEWAY_BACKEND_POOL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/auth/tls.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::gateway {

// One `<proto service full name>=<host:port>` entry of --backends.
struct BackendConfig {
  std::string service;  // "kaizen.enrollment.v1.EnrollmentService"
  std::string address;  // "127.0.0.1:50051"
};

// Parses "svc=host:port,svc2=host:port". INVALID_ARGUMENT (INVALID_FLAG,
// field "backends") for an empty list, a malformed entry or a service given
// twice.
absl::StatusOr<std::vector<BackendConfig>> ParseBackends(absl::string_view spec);

struct BackendPoolOptions {
  absl::Duration max_reconnect_backoff = absl::Seconds(1);
  // The least time a connection attempt is given (backend_pool.cc).
  absl::Duration connect_timeout = absl::Seconds(2);
  int max_message_bytes = 4 * 1024 * 1024;
  // TLS to every backend (and its health checks); plaintext when disabled.
  auth::TlsClientConfig tls;
};

// Cancels a call in flight (the gRPC proxy does when its client cancels).
class BackendCallHandle {
 public:
  virtual ~BackendCallHandle() = default;
  virtual void Cancel() = 0;
};

class BackendPool {
 public:
  // `signer` is not owned and must outlive the pool.
  BackendPool(std::vector<BackendConfig> backends, const auth::PrincipalSigner* signer,
              BackendPoolOptions options);
  // Waits until no call is in flight (each has a deadline) and nothing of a
  // call (its context and stub, what its callback captured) is left, then
  // drops the channels: so the last reference to a channel is dropped on the
  // destroying thread. Must not run on a gRPC callback thread (gRPC 1.51
  // joins those threads when the last callback channel goes: README.md,
  // "Teardown and gRPC's callback threads").
  ~BackendPool();

  struct Call {
    int backend = 0;            // index into the configured backends
    std::string method;         // "/kaizen.enrollment.v1.EnrollmentService/GetCohort"
    grpc::ByteBuffer request;   // serialized request message
    kaizen::type::Principal principal;
    std::string request_id;
    absl::Time deadline;
  };
  // `status`, and the response bytes when OK. Runs once on a gRPC thread.
  using Done = std::function<void(const grpc::Status& status, grpc::ByteBuffer* response)>;

  // Starts the call; `done` runs exactly once.
  std::shared_ptr<BackendCallHandle> Start(Call call, Done done);

  struct Health {
    std::string service;
    bool serving = false;
  };
  // grpc.health.v1 Check of every backend (with its service name), in
  // parallel; `done` gets one entry per backend, in configured order.
  void CheckHealth(absl::Duration timeout, std::function<void(std::vector<Health>)> done);

  const std::vector<BackendConfig>& backends() const { return backends_; }

  // Calls started and not yet finished.
  int in_flight() const;

 private:
  class InFlight;
  class CallState;

  const std::vector<BackendConfig> backends_;
  const auth::PrincipalSigner* signer_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  mutable absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

// The bytes of a ByteBuffer as one string.
std::string ByteBufferToString(const grpc::ByteBuffer& buffer);
grpc::ByteBuffer StringToByteBuffer(std::string bytes);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_BACKEND_POOL_H_
