// The one-line gRPC adapter every service RPC uses, on gRPC's callback API.
//
// In the service class (which derives from the generated
// `v1::XService::CallbackService` and from server::ExecutorBound):
//   KAIZEN_DECLARE_RPC(GetCohort, v1::GetCohortRequest, v1::Cohort)
// and in the .cc:
//   KAIZEN_DEFINE_RPC(EnrollmentGrpcService, GetCohort, v1::GetCohortRequest, v1::Cohort)
// with members `domain_` (whose Method(principal, request) returns
// StatusOr<Response>) and `signer_` (a PrincipalSigner*).
//
// Threading model: gRPC calls the method on one of its own threads; the
// method only queues the call on the server's CallExecutor
// (call_executor.h) and returns the call's reactor. A worker then checks the
// call is still wanted (a call cancelled or past its deadline while it waited
// is answered CANCELLED / DEADLINE_EXCEEDED without running), verifies the
// caller, runs the domain method, converts the result once and finishes the
// call. When the executor's queue is full the call is answered at once with
// RESOURCE_EXHAUSTED SERVER_OVERLOADED, metadata retry_after_seconds and a
// google.rpc.RetryInfo: nothing ran, the caller may retry.
//
// Reads that only read this service's own database may instead be defined
// with KAIZEN_DEFINE_READ_RPC (same arguments): they run on gRPC's thread
// at once, without the hand-off to a worker (one thread wake-up and context
// switch less per call: about a third more GetCohort throughput and 0.1 ms
// less latency here, docs/benchmarks.md). gRPC has few callback threads
// (two on two cores, shared by every call), so such a read must never wait:
// it never waits for the writer (WAL snapshots on the reader pool), does no
// network I/O, and runs in a util::NoWaitScope, so when every reader
// connection is taken (long exports hold one) it does not wait for one
// either: it gives up and the same call is queued on the executor like any
// other (and may then be refused SERVER_OVERLOADED). A method that writes,
// calls another service or can run long (exports) stays on the executor.
//
// Unknown fields (numbers this server's schema does not have: a newer
// client's, or bytes someone added) are dropped from the request before the
// domain sees it (DropUnknownFields): the domain validates only the fields
// it knows, so nothing it did not check may be stored with a message or
// passed on to another service or a partner.
//
// Writes that are one transaction of this service's own database may be
// defined with KAIZEN_DEFINE_WRITE_RPC (same arguments) when the domain has
// `MethodAsync(principal, request, done)`: the caller is verified and the
// domain's checks run on gRPC's thread (they must not wait: no database, no
// network), the transaction is submitted to the database's writer
// (storage::Database::SubmitTransaction) and the database's completion
// thread finishes the call after the COMMIT. No worker waits for the batch:
// under 64 writers, about two thread wake-ups less per write
// (docs/benchmarks.md, eleventh look). Such calls take a slot of the
// executor's bound (CallExecutor::TryAdmitAsync) and are refused
// SERVER_OVERLOADED past it.
#ifndef KAIZEN_COMMON_SERVER_UNARY_CALL_H_
#define KAIZEN_COMMON_SERVER_UNARY_CALL_H_

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "common/server/call_executor.h"
#include "common/server/principal_context.h"
#include "grpcpp/support/server_callback.h"

namespace kaizen::server {

// Reason of the overload answer.
inline constexpr char kServerOverloaded[] = "SERVER_OVERLOADED";

// The overload answer (also used by tests and the gateway's docs).
absl::Status ServerOverloaded();

// Services served by GrpcServer derive from this; Start binds the server's
// executor before the first call. Unbound (a service object used outside
// GrpcServer), calls run inline on gRPC's thread.
class ExecutorBound {
 public:
  virtual ~ExecutorBound() = default;
  void BindExecutor(CallExecutor* executor) { executor_ = executor; }
  CallExecutor* executor() const { return executor_; }

 private:
  CallExecutor* executor_ = nullptr;
};

// Queues `fn` on `executor` (RunInline when null) and finishes the call
// with its status; see the top of this file.
grpc::ServerUnaryReactor* RunUnary(CallExecutor* executor,
                                   grpc::CallbackServerContext* context,
                                   absl::AnyInvocable<grpc::Status() &&> fn);

// Runs `fn` at once on the calling (gRPC) thread, with the same checks and
// finish as RunUnary.
grpc::ServerUnaryReactor* RunInline(grpc::CallbackServerContext* context,
                                    absl::AnyInvocable<grpc::Status() &&> fn);

// KAIZEN_DEFINE_READ_RPC: runs `fn` on the calling (gRPC) thread in a
// util::NoWaitScope; if it gave up rather than wait (refused()), its answer
// is dropped and `fn` runs again through RunUnary(executor, ...). `fn` must
// be safe to run twice: a read that writes nothing, and its response is
// only set on success.
grpc::ServerUnaryReactor* RunRead(CallExecutor* executor, grpc::CallbackServerContext* context,
                                  absl::AnyInvocable<grpc::Status()> fn);

// KAIZEN_DEFINE_WRITE_RPC: checks the call is wanted and admitted, then runs
// `start(finish)` on the calling (gRPC) thread; `start` must not wait and
// must call `finish` exactly once, from any thread, with the call's status.
// Without an executor (a service used outside GrpcServer) it is admitted
// unconditionally.
using FinishCall = absl::AnyInvocable<void(grpc::Status) &&>;
grpc::ServerUnaryReactor* RunWrite(CallExecutor* executor, grpc::CallbackServerContext* context,
                                   absl::AnyInvocable<void(FinishCall) &&> start);

// Clears the unknown fields of `request`, recursively. gRPC owns the
// request (it is not a const object; its handler API hands it out const),
// and nothing else reads it before the handler.
template <typename Request>
void DropUnknownFields(const Request* request) {
  const_cast<Request*>(request)->DiscardUnknownFields();
}

}  // namespace kaizen::server

#define KAIZEN_DECLARE_RPC(Method, Request, Response)                                    \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,                 \
                                   const Request* request, Response* response) override;

// `run`: ::kaizen::server::RunUnary or ::kaizen::server::RunRead.
#define KAIZEN_INTERNAL_DEFINE_RPC(Class, Method, Request, Response, run)                    \
  grpc::ServerUnaryReactor* Class::Method(grpc::CallbackServerContext* context,              \
                                          const Request* request, Response* response) {      \
    ::kaizen::server::DropUnknownFields(request);                                            \
    return run(executor(), context, [this, context, request,                                 \
                                     response]() -> grpc::Status {                           \
      return ::kaizen::server::Handle(                                                       \
          context, *signer_, [&](const ::kaizen::type::Principal& caller) {                  \
            return ::kaizen::server::Respond(domain_->Method(caller, *request), response);   \
          });                                                                                \
    });                                                                                      \
  }

#define KAIZEN_DEFINE_WRITE_RPC(Class, Method, Request, Response)                                \
  grpc::ServerUnaryReactor* Class::Method(grpc::CallbackServerContext* context,                  \
                                          const Request* request, Response* response) {          \
    ::kaizen::server::DropUnknownFields(request);                                                \
    return ::kaizen::server::RunWrite(                                                           \
        executor(), context,                                                                     \
        [this, context, request, response](::kaizen::server::FinishCall finish) {                \
          /* Handle verifies the caller; `finish` moves on only once it has. */                  \
          const grpc::Status refused = ::kaizen::server::Handle(                                 \
              context, *signer_, [&](const ::kaizen::type::Principal& caller) {                  \
                domain_->Method##Async(                                                          \
                    caller, *request,                                                            \
                    [response, finish = std::move(finish)](absl::StatusOr<Response> r) mutable { \
                      std::move(finish)(::kaizen::ToGrpcStatus(                                  \
                          ::kaizen::server::Respond(std::move(r), response)));                   \
                    });                                                                          \
                return absl::OkStatus();                                                         \
              });                                                                                \
          if (!refused.ok()) std::move(finish)(refused);                                         \
        });                                                                                      \
  }

#define KAIZEN_DEFINE_RPC(Class, Method, Request, Response) \
  KAIZEN_INTERNAL_DEFINE_RPC(Class, Method, Request, Response, ::kaizen::server::RunUnary)

#define KAIZEN_DEFINE_READ_RPC(Class, Method, Request, Response) \
  KAIZEN_INTERNAL_DEFINE_RPC(Class, Method, Request, Response, ::kaizen::server::RunRead)

#endif  // KAIZEN_COMMON_SERVER_UNARY_CALL_H_
