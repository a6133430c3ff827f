#include "common/server/unary_call.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/util/no_wait.h"

namespace kaizen::server {
namespace {

// How long an overloaded server asks callers to wait before retrying.
constexpr int kRetryAfterSeconds = 1;

// A call nobody waits for any more is not run (its work would be thrown away,
// and under overload it would delay the calls that are still wanted).
bool Abandoned(grpc::CallbackServerContext* context, grpc::Status* status) {
  if (context->IsCancelled()) {
    *status = grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled");
    return true;
  }
  if (context->deadline() <= std::chrono::system_clock::now()) {
    *status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                           "the call's deadline passed while it waited for a handler");
    return true;
  }
  return false;
}

// RunWrite's `finish`: answers the call and frees its slot once. Dropped
// unanswered (an exception on the way, a completion that never ran), it
// answers INTERNAL itself, so no call hangs and no slot leaks.
class AnswerOnce {
 public:
  AnswerOnce(grpc::ServerUnaryReactor* reactor, CallExecutor* executor)
      : reactor_(reactor), executor_(executor) {}
  AnswerOnce(AnswerOnce&& other) noexcept
      : reactor_(std::exchange(other.reactor_, nullptr)), executor_(other.executor_) {}
  AnswerOnce& operator=(AnswerOnce&&) = delete;
  ~AnswerOnce() {
    if (reactor_ != nullptr) {
      Answer(grpc::Status(grpc::StatusCode::INTERNAL, "the write was dropped unanswered"));
    }
  }
  void operator()(grpc::Status status) {
    if (reactor_ != nullptr) Answer(std::move(status));
  }

 private:
  void Answer(grpc::Status status) {
    grpc::ServerUnaryReactor* reactor = std::exchange(reactor_, nullptr);
    // Released before Finish: once finished the server may be destroyed.
    if (executor_ != nullptr) executor_->ReleaseAsync();
    reactor->Finish(status);
  }

  grpc::ServerUnaryReactor* reactor_;
  CallExecutor* executor_;
};

}  // namespace

absl::Status ServerOverloaded() {
  return errors::WithRetryDelay(
      errors::ResourceExhausted(
          kServerOverloaded,
          "the server is busy: every handler is working and its queue is full; retry in "
          "a second",
          {{"retry_after_seconds", absl::StrCat(kRetryAfterSeconds)}}),
      absl::Seconds(kRetryAfterSeconds));
}

grpc::ServerUnaryReactor* RunUnary(CallExecutor* executor,
                                   grpc::CallbackServerContext* context,
                                   absl::AnyInvocable<grpc::Status() &&> fn) {
  if (executor == nullptr) return RunInline(context, std::move(fn));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto run = [reactor, context, fn = std::move(fn)]() mutable {
    grpc::Status status;
    if (!Abandoned(context, &status)) status = std::move(fn)();
    reactor->Finish(status);
  };
  if (!executor->TrySubmit(std::move(run))) {
    reactor->Finish(ToGrpcStatus(ServerOverloaded()));
  }
  return reactor;
}

grpc::ServerUnaryReactor* RunInline(grpc::CallbackServerContext* context,
                                    absl::AnyInvocable<grpc::Status() &&> fn) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status;
  if (!Abandoned(context, &status)) status = std::move(fn)();
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* RunRead(CallExecutor* executor, grpc::CallbackServerContext* context,
                                  absl::AnyInvocable<grpc::Status()> fn) {
  grpc::Status status;
  if (!Abandoned(context, &status)) {
    bool refused = false;
    {
      util::NoWaitScope scope;
      status = fn();
      refused = scope.refused();
    }
    if (refused) {
      // It would have waited (every reader connection taken): not on this
      // thread. Nothing was written; the executor runs it from the start
      // (RunUnary's own rule: inline, outside the scope, without one).
      return RunUnary(executor, context, std::move(fn));
    }
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

grpc::ServerUnaryReactor* RunWrite(CallExecutor* executor, grpc::CallbackServerContext* context,
                                   absl::AnyInvocable<void(FinishCall) &&> start) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status;
  if (Abandoned(context, &status)) {
    reactor->Finish(status);
    return reactor;
  }
  if (executor != nullptr && !executor->TryAdmitAsync()) {
    reactor->Finish(ToGrpcStatus(ServerOverloaded()));
    return reactor;
  }
  std::move(start)(FinishCall(AnswerOnce(reactor, executor)));
  return reactor;
}

}  // namespace kaizen::server
