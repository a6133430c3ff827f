// The bounded executor every Kaizen server runs its handlers on.
//
// gRPC's callback API hands each call to a reactor on one of gRPC's own
// threads, which must never block. A handler of ours may block (SQLite, the
// group commit of common/storage/database.h, a call to another service), so
// the one-line adapter (unary_call.h) only queues the call here and returns.
// `threads` workers take calls in arrival order (FIFO) and answer them.
//
// Bounded: at most `max_queued` calls wait for a worker, and the calls
// queued, running and admitted asynchronously (TryAdmitAsync) are at most
// threads + max_queued together. TrySubmit refuses the call beyond that, and
// the adapter answers RESOURCE_EXHAUSTED SERVER_OVERLOADED with retry advice.
// Nothing else is ever refused: a burst of callers up to threads +
// max_queued waits its turn.
//
// Thread-safe. The destructor runs every task already queued, then joins the
// workers (GrpcServer destroys it only after the server has drained).
#ifndef KAIZEN_COMMON_SERVER_CALL_EXECUTOR_H_
#define KAIZEN_COMMON_SERVER_CALL_EXECUTOR_H_

#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace kaizen::server {

class CallExecutor {
 public:
  struct Options {
    // Worker threads; at least 1. A server's come from
    // ServerOptions::handler_threads (default 64, options.h).
    int threads = 64;
    // Calls that may wait for a worker; at least 1.
    int max_queued = 1024;
  };

  struct Stats {
    int64_t queued = 0;          // waiting for a worker now
    int64_t running = 0;         // on a worker now, or admitted asynchronous calls
    int64_t rejected_total = 0;  // refused because the queue was full
    int64_t completed_total = 0;
  };

  explicit CallExecutor(const Options& options);
  ~CallExecutor();
  CallExecutor(const CallExecutor&) = delete;
  CallExecutor& operator=(const CallExecutor&) = delete;

  // Queues `task`; false (task dropped, not run) when max_queued tasks are
  // already waiting, or the executor is being destroyed.
  bool TrySubmit(absl::AnyInvocable<void() &&> task);

  // A call that runs without a worker (an asynchronous write, unary_call.h:
  // it waits for its batch in the database's queue, not on a thread) takes
  // a slot of the same bound: queued, running and such calls together are
  // at most threads + max_queued (TrySubmit checks the same sum); false past
  // it (answer SERVER_OVERLOADED). Counted as running until ReleaseAsync.
  bool TryAdmitAsync();
  void ReleaseAsync();

  Stats stats() const;
  const Options& options() const { return options_; }

 private:
  void Work();
  // Calls queued, on a worker or admitted asynchronously; their bound.
  int64_t InFlight() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t Bound() const;

  const Options options_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t running_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t async_ ABSL_GUARDED_BY(mu_) = 0;  // admitted asynchronous calls
  int64_t rejected_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> workers_;
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_CALL_EXECUTOR_H_
