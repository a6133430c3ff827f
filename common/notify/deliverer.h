// Delivers a service's outbox (outbox.h): one background thread per service
// process takes due PENDING rows, hands each to a Transport and records the
// outcome in its own short write transaction.
//
// Threading model: one delivery thread, so messages of one service go out
// one at a time in due order and no two attempts of one row overlap; it
// never holds the database's writer lock while the transport talks to the
// network. Stop() wakes it and joins; an attempt in progress finishes first
// (bounded by the transport's own timeouts).
//
// Outcomes: OK -> SENT. A transient failure (IsTransient) -> retried after
// initial_backoff * 2^(attempts-1), capped at max_backoff, with +-20%
// jitter; after max_attempts -> DEAD. A permanent failure -> DEAD at once.
// A crash after the transport succeeded but before SENT was written sends
// the message again at the next start (at-least-once; the Message-ID is the
// same, mail.h).
//
// Logs one JSON line per DEAD message and per failing pass: the service, the
// row id, the kind and the status code; never a recipient or a payload.
#ifndef KAIZEN_COMMON_NOTIFY_DELIVERER_H_
#define KAIZEN_COMMON_NOTIFY_DELIVERER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/notify/outbox.h"
#include "common/storage/database.h"
#include "common/util/clock.h"

namespace kaizen::notify {

// Sends one outbox message somewhere.
class Transport {
 public:
  virtual ~Transport() = default;
  // OK once the recipient side has accepted the message. Transient
  // failures (retry): UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
  // ABORTED. Anything else is permanent (dead letter), e.g.
  // INVALID_ARGUMENT (a 5xx for the recipient) or FAILED_PRECONDITION.
  virtual absl::Status Deliver(const OutboxMessage& message) = 0;
};

bool IsTransient(const absl::Status& status);

struct DelivererOptions {
  // For logs and metrics, e.g. "enrollment".
  std::string service;
  // How often the thread looks for due rows when nothing woke it.
  absl::Duration poll_interval = absl::Seconds(1);
  absl::Duration initial_backoff = absl::Seconds(2);
  absl::Duration max_backoff = absl::Minutes(10);
  // Attempts before a transiently failing message is DEAD (about 2 h after
  // the first attempt with the defaults, +-20%).
  int max_attempts = 20;
  // Rows per pass.
  int batch = 20;
  // SENT rows are pruned this long after sending (idempotency window).
  absl::Duration keep_sent = absl::Hours(24 * 30);
};

class Deliverer {
 public:
  struct PassResult {
    int sent = 0;
    int retried = 0;
    int dead = 0;
  };

  // None owned; all must outlive the Deliverer.
  Deliverer(storage::Database* db, Transport* transport, const Clock* clock,
            DelivererOptions options);
  ~Deliverer();  // Stop()

  // Starts the thread (once).
  void Start();
  // Stops and joins the thread. Idempotent.
  void Stop();
  // Wakes the thread now (e.g. after a commit that enqueued).
  void Poke();

  // One pass on the calling thread: every row due now, once. For tests
  // (deterministic with a fake clock) and the thread itself.
  absl::StatusOr<PassResult> RunOnce();

 private:
  void Loop();

  storage::Database* db_;
  Transport* transport_;
  const Clock* clock_;
  DelivererOptions options_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<std::thread> thread_;
};

}  // namespace kaizen::notify

#endif  // KAIZEN_COMMON_NOTIFY_DELIVERER_H_
