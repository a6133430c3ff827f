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
// Each attempt first claims its row in a short transaction (outbox.h Claim:
// the attempt is counted and the row leased for `lease`), so a row erased
// since the pass read it is skipped, and a crash during the attempt retries
// only after the lease.
//
// Outcomes: OK -> SENT. A transient failure (IsTransient) -> retried after
// initial_backoff * 2^(attempts-1), capped at max_backoff, with +-20%
// jitter; DEAD after max_attempts or once older than max_age (48 h). A
// permanent failure -> DEAD at once. If SENT cannot be written (a full disk,
// a long writer), the thread remembers the row and retries only the mark,
// never the send. A crash after the transport succeeded but before SENT was
// written sends the message again after the lease (at-least-once; the
// Message-ID is the same, mail.h).
//
// Logs one JSON line per DEAD message and per failing pass: the service, the
// row id, the kind and the status code; never a recipient or a payload.
#ifndef KAIZEN_COMMON_NOTIFY_DELIVERER_H_
#define KAIZEN_COMMON_NOTIFY_DELIVERER_H_

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
  // True when Deliver has no effect outside the process, never blocks and
  // never touches the database (NoRelayTransport): nothing can be
  // half-sent, so the Deliverer attempts a whole pass first and then claims
  // and marks its rows in ONE transaction instead of two per message (a
  // burst of applications without a relay would otherwise cost two durable
  // commits per mail), and paces itself (Loop: one pass per poll_interval,
  // Poke ignored). A row that was deleted or claimed meanwhile is skipped
  // in the transaction, so an attempt made for it simply did not count: a
  // transport with any real effect must return false.
  virtual bool InProcess() const { return false; }
};

bool IsTransient(const absl::Status& status);

// For a service started without a relay: every attempt fails transiently
// (UNAVAILABLE "no relay configured"), so rows go DEAD after the retry
// budget instead of piling up PENDING, and are cleared after keep_dead.
class NoRelayTransport final : public Transport {
 public:
  absl::Status Deliver(const OutboxMessage& message) override;
  bool InProcess() const override { return true; }
};

struct DelivererOptions {
  // For logs and metrics, e.g. "enrollment".
  std::string service;
  // How often the thread looks for due rows when nothing woke it.
  absl::Duration poll_interval = absl::Seconds(1);
  absl::Duration initial_backoff = absl::Seconds(2);
  absl::Duration max_backoff = absl::Minutes(10);
  // Attempts before a transiently failing message is DEAD. With the default
  // backoff (capped at 10 min) max_age comes first: about 290 attempts in
  // 48 h.
  int max_attempts = 400;
  // A transiently failing message also goes DEAD once it is this old: a
  // relay down overnight delays mail, it does not dead-letter it (offers
  // last 48 h).
  absl::Duration max_age = absl::Hours(48);
  // An attempt holds its row this long (Claim): a crash during it, or a
  // failed mark after it, retries only after the lease. Longer than the
  // transport's own bound (SMTP: 8 steps + 10 min for the final reply).
  absl::Duration lease = absl::Minutes(20);
  // Rows per pass.
  int batch = 20;
  // SENT rows are pruned this long after sending (idempotency window).
  absl::Duration keep_sent = absl::Hours(24 * 30);
  // DEAD rows keep recipient and payload this long (an operator may retry
  // them meanwhile); then both are cleared and the row stays DEAD
  // (outbox.h, ClearDead).
  absl::Duration keep_dead = absl::Hours(24 * 30);
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
  // Wakes the thread now (e.g. after a commit that enqueued); ignored with
  // an InProcess() transport, which has nothing to hurry for.
  void Poke();

  // One pass on the calling thread: every row due now, once. For tests
  // (deterministic with a fake clock) and the thread itself.
  absl::StatusOr<PassResult> RunOnce();

  // Retention on the calling thread (the thread runs it hourly): prunes SENT
  // rows older than keep_sent, clears DEAD rows older than keep_dead.
  absl::Status Housekeep();

 private:
  enum class Outcome { kSent, kRetry, kDead };
  struct Decision {
    Outcome outcome = Outcome::kSent;
    int attempts = 0;         // the row's attempts, this one included
    absl::Time next_attempt;  // kRetry: after the back-off (jitter drawn)
    std::string error;        // kRetry, kDead: "<CODE>: reason"
  };
  // What the transport's answer `sent` means for `m` at `now`: sent, retry
  // after a back-off, or dead. On the delivery thread (draws the jitter),
  // before any transaction.
  Decision Decide(const OutboxMessage& m, const absl::Status& sent, absl::Time now) const;
  // Writes `d` to m's row in `db`'s transaction (only SQL: it may run on
  // another caller's thread, group commit).
  absl::Status Mark(SQLite::Database& db, const OutboxMessage& m, const Decision& d,
                    absl::Time now);
  // Counts d's outcome in `result` (and logs a dead letter).
  void Count(const OutboxMessage& m, const Decision& d, const absl::Status& sent,
             PassResult& result);
  // RunOnce for an InProcess() transport: the marks of a whole pass in one
  // transaction.
  absl::StatusOr<PassResult> RunOnceInProcess(const std::vector<OutboxMessage>& due,
                                              PassResult result);
  void Loop();

  storage::Database* db_;
  Transport* transport_;
  const Clock* clock_;
  DelivererOptions options_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<std::thread> thread_;
  // Rows the transport delivered whose SENT mark failed (e.g. DISK_FULL):
  // each pass retries the mark, never the send. Only the delivery thread
  // (or a test's RunOnce) touches it.
  std::vector<std::pair<std::string, absl::Time>> sent_unrecorded_;
};

}  // namespace kaizen::notify

#endif  // KAIZEN_COMMON_NOTIFY_DELIVERER_H_
