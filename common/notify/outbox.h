// The transactional outbox every sending service keeps in its own SQLite
// database (docs/notifications.md).
//
// A message is written by Enqueue inside the same write transaction as the
// change that causes it, so it exists if and only if that change committed.
// A Deliverer (deliverer.h) later hands each PENDING row to a Transport (SMTP
// for enrollment, the hand-over to enrollment for scheduling) and marks it
// SENT, or retries it with backoff, or marks it DEAD for an operator to see
// and retry (tools: kaizen_outbox).
//
// Idempotency: the row id is the message's idempotency key, chosen by the
// caller from what the message is about (e.g. "offer-expiring/<app>/<n>"), so
// enqueueing the same message twice is a no-op; the e-mail's Message-ID is
// derived from it (mail.h MessageIdFor), so a relay or mailbox can drop the
// rare duplicate left by a crash between the relay's acceptance and MarkSent.
//
// Privacy: `recipient` and `payload` (an address and a message body) are
// cleared when the row is SENT; the row itself (id, kind, times) is kept for
// idempotency and an operator's count, and pruned after a while. DeleteFor
// removes every row about a purged cohort or an erased person. Nothing here
// logs a recipient or a payload.
//
// Every function takes the service's open SQLite connection: call the
// mutating ones inside a write transaction (storage::Database::
// RunInTransaction, or the service store's Write through its Tx), the
// reading ones inside any transaction.
#ifndef KAIZEN_COMMON_NOTIFY_OUTBOX_H_
#define KAIZEN_COMMON_NOTIFY_OUTBOX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace SQLite {
class Database;
}  // namespace SQLite

namespace kaizen::notify {

// The outbox table: add it to the service's migrations as one numbered step.
inline constexpr char kOutboxTableSql[] = R"sql(
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  subject_ref TEXT NOT NULL,
  recipient TEXT NOT NULL,
  payload BLOB NOT NULL,
  state INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_micros INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  create_micros INTEGER NOT NULL,
  done_micros INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_micros);
CREATE INDEX outbox_subject ON outbox (subject_ref);
)sql";

enum class OutboxState { kPending = 0, kSent = 1, kDead = 2 };

// "PENDING", "SENT", "DEAD".
absl::string_view OutboxStateName(OutboxState state);

struct OutboxMessage {
  // Idempotency key, unique in the service (<= 200 ASCII chars).
  std::string id;
  // The template, e.g. "application_received": for metrics and operators.
  std::string kind;
  // The resource the message is about, e.g. "cohorts/c1/applications/a1";
  // DeleteFor matches it and every name under it.
  std::string subject_ref;
  // The envelope recipient (an e-mail address); "" for hand-overs.
  std::string recipient;
  // What the transport sends (RFC 5322 bytes, or a serialized proto).
  std::string payload;
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  absl::Time next_attempt = absl::InfinitePast();
  // "<CODE>: short reason" of the last failure; never an address or body.
  std::string last_error;
  absl::Time create_time = absl::InfinitePast();
  std::optional<absl::Time> done_time;  // SENT or DEAD
};

// Writes `m` PENDING and due at `now` (m.state, attempts, times ignored).
// Returns false, changing nothing, when a row with m.id already exists.
// INVALID_ARGUMENT for an empty or over-long id or kind.
absl::StatusOr<bool> Enqueue(SQLite::Database& db, const OutboxMessage& m, absl::Time now);

// Deletes every row (any state) whose subject_ref is `ref` or starts with
// `ref` + "/". Returns how many. Two ranges of the outbox_subject index
// (kDeleteForSql), whatever the outbox's size.
absl::StatusOr<int> DeleteFor(SQLite::Database& db, absl::string_view ref);
extern const char kDeleteForSql[];

// The rows not yet sent (PENDING, or DEAD that an operator could still
// retry) whose subject_ref is `ref` or starts with `ref` + "/", in id order
// (the same two index ranges as DeleteFor). For rewriting what is still to
// go out, e.g. an erasure taking a person off it.
absl::StatusOr<std::vector<OutboxMessage>> UndeliveredFor(SQLite::Database& db,
                                                          absl::string_view ref);
// Replaces the payload of the not-yet-sent row `id`; false if there is none.
absl::StatusOr<bool> ReplaceUndeliveredPayload(SQLite::Database& db, absl::string_view id,
                                               absl::string_view payload);
// Deletes the not-yet-sent row `id`; false if there is none.
absl::StatusOr<bool> DeleteUndelivered(SQLite::Database& db, absl::string_view id);

// PENDING rows with next_attempt <= now, soonest first, at most `limit`.
absl::StatusOr<std::vector<OutboxMessage>> Due(SQLite::Database& db, absl::Time now, int limit);

// The soonest next_attempt of a PENDING row, if any (the deliverer sleeps
// until then).
absl::StatusOr<std::optional<absl::Time>> NextDue(SQLite::Database& db);

// Before an attempt (the deliverer): if the row is still PENDING, due by
// `now` and at `seen_attempts`, sets attempts = seen_attempts + 1 and
// next_attempt = `lease_until`, so a crash or a failed mark during the
// attempt can neither resend at once nor leave the attempt uncounted.
// Returns false (nothing changed) when the row is gone, no longer PENDING,
// not due, or was claimed meanwhile.
absl::StatusOr<bool> Claim(SQLite::Database& db, absl::string_view id, int seen_attempts,
                           absl::Time now, absl::Time lease_until);

// PENDING -> SENT at `now`; clears recipient and payload. NOT_FOUND if the
// row is gone (purged meanwhile): callers treat that as done.
absl::Status MarkSent(SQLite::Database& db, absl::string_view id, absl::Time now);
// Stays PENDING: attempts = `attempts`, due again at `next`.
absl::Status MarkRetry(SQLite::Database& db, absl::string_view id, int attempts,
                       absl::Time next, absl::string_view last_error);
// PENDING -> DEAD at `now` (payload kept, so it can be retried).
absl::Status MarkDead(SQLite::Database& db, absl::string_view id, int attempts, absl::Time now,
                      absl::string_view last_error);

// Rows for an operator, newest first, optionally only one state; payload is
// NOT returned (left empty), recipient is masked ("t***@example.jp").
absl::StatusOr<std::vector<OutboxMessage>> List(SQLite::Database& db,
                                                std::optional<OutboxState> state, int limit);

// DEAD -> PENDING, attempts 0, due at `now`: the row `id`, or every DEAD row
// when `id` is empty. Returns how many. A row that is not DEAD is left alone;
// so is a DEAD row whose payload was cleared (ClearDead): with an `id`,
// FAILED_PRECONDITION (reason OUTBOX_PAYLOAD_CLEARED).
absl::StatusOr<int> RetryDead(SQLite::Database& db, absl::string_view id, absl::Time now);

// Retention of dead letters: DEAD rows done before `before` lose recipient
// and payload; they stay DEAD, last_error gains "; payload cleared" so an
// operator sees what happened. Returns how many were cleared.
absl::StatusOr<int> ClearDead(SQLite::Database& db, absl::Time before);

struct OutboxCounts {
  int64_t pending = 0;
  int64_t sent = 0;
  int64_t dead = 0;
  std::optional<absl::Time> oldest_pending;  // create time
};
absl::StatusOr<OutboxCounts> Count(SQLite::Database& db);

// Deletes SENT rows done before `before`. Returns how many.
absl::StatusOr<int> PruneSent(SQLite::Database& db, absl::Time before);

}  // namespace kaizen::notify

#endif  // KAIZEN_COMMON_NOTIFY_OUTBOX_H_
