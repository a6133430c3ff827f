#include "common/notify/outbox.h"

#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "common/storage/statement_cache.h"

namespace kaizen::notify {
namespace {

constexpr int kMaxIdLength = 200;
constexpr int kMaxKindLength = 64;
constexpr char kInvalidReason[] = "INVALID_OUTBOX_MESSAGE";

bool PrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool KindChars(absl::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

absl::Status ValidateId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength || !PrintableAscii(id)) {
    return errors::InvalidField(
        "outbox.id", "must be 1 to 200 printable ASCII characters without spaces", kInvalidReason);
  }
  return absl::OkStatus();
}

// Times are stored as micros since the epoch; the infinite past (an unset
// time) as INT64_MIN, which absl converts back.
int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

constexpr char kColumns[] =
    "id, kind, subject_ref, recipient, payload, state, attempts, next_attempt_micros, "
    "last_error, create_micros, done_micros";

absl::StatusOr<OutboxMessage> ReadRow(SQLite::Statement& row) {
  OutboxMessage m;
  m.id = row.getColumn(0).getString();
  m.kind = row.getColumn(1).getString();
  m.subject_ref = row.getColumn(2).getString();
  m.recipient = row.getColumn(3).getString();
  const SQLite::Column payload = row.getColumn(4);
  m.payload.assign(static_cast<const char*>(payload.getBlob()), payload.getBytes());
  const int state = row.getColumn(5).getInt();
  if (state < 0 || state > 2) return errors::Internal("outbox row has an unknown state");
  m.state = static_cast<OutboxState>(state);
  m.attempts = row.getColumn(6).getInt();
  m.next_attempt = FromMicros(row.getColumn(7).getInt64());
  m.last_error = row.getColumn(8).getString();
  m.create_time = FromMicros(row.getColumn(9).getInt64());
  if (!row.getColumn(10).isNull()) m.done_time = FromMicros(row.getColumn(10).getInt64());
  return m;
}

// "t***@example.jp": the first character of the local part and the domain.
std::string MaskRecipient(absl::string_view address) {
  if (address.empty()) return "";
  const size_t at = address.rfind('@');
  if (at == absl::string_view::npos || at == 0) return "***";
  return absl::StrCat(address.substr(0, 1), "***", address.substr(at));
}

// Runs an UPDATE of one PENDING row; NOT_FOUND when nothing changed.
absl::Status UpdatePending(SQLite::Statement& update, absl::string_view id) {
  if (update.exec() == 0) return errors::NotFound("outbox message", id);
  return absl::OkStatus();
}

}  // namespace

absl::string_view OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "PENDING";
    case OutboxState::kSent:
      return "SENT";
    case OutboxState::kDead:
      return "DEAD";
  }
  return "UNKNOWN";
}

absl::StatusOr<bool> Enqueue(SQLite::Database& db, const OutboxMessage& m, absl::Time now) {
  RETURN_IF_ERROR(ValidateId(m.id));
  if (m.kind.empty() || m.kind.size() > kMaxKindLength || !KindChars(m.kind)) {
    return errors::InvalidField("outbox.kind",
                                "must be 1 to 64 characters of letters, digits, '_', '-' or '.'",
                                kInvalidReason);
  }
  static const std::string* const kInsert = new std::string(
      absl::StrCat("INSERT OR IGNORE INTO outbox (", kColumns,
                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, '', ?7, NULL)"));
  storage::CachedStatement insert(db, *kInsert);
  insert->bind(1, m.id);
  insert->bind(2, m.kind);
  insert->bind(3, m.subject_ref);
  insert->bind(4, m.recipient);
  storage::BindBlob(*insert, 5, m.payload);
  insert->bind(6, static_cast<int>(OutboxState::kPending));
  insert->bind(7, static_cast<int64_t>(Micros(now)));
  return insert->exec() == 1;
}

// subject_ref is ?1 or under "?1/" (DeleteFor says why two ranges).
#define KAIZEN_OUTBOX_ABOUT_REF "subject_ref = ?1 OR (subject_ref >= ?1 || '/' AND subject_ref < ?1 || '0')"

const char kDeleteForSql[] = "DELETE FROM outbox WHERE " KAIZEN_OUTBOX_ABOUT_REF;

absl::StatusOr<int> DeleteFor(SQLite::Database& db, absl::string_view ref) {
  if (ref.empty()) {
    return errors::InvalidField("subject_ref", "must not be empty", kInvalidReason);
  }
  // The ref itself, or any ref under "<ref>/": in byte order those are
  // exactly the refs from "<ref>/" up to (not including) "<ref>0" ('0'
  // follows '/'), two ranges of the outbox_subject index. (A substr()
  // comparison said the same but read every row of the outbox, on every
  // application write.)
  storage::CachedStatement remove(db, kDeleteForSql);
  remove->bind(1, std::string(ref));
  return remove->exec();
}

absl::StatusOr<std::vector<OutboxMessage>> UndeliveredFor(SQLite::Database& db,
                                                          absl::string_view ref) {
  if (ref.empty()) {
    return errors::InvalidField("subject_ref", "must not be empty", kInvalidReason);
  }
  SQLite::Statement query(
      db, absl::StrCat("SELECT ", kColumns, " FROM outbox WHERE state != 1 AND (",
                       KAIZEN_OUTBOX_ABOUT_REF, ") ORDER BY id"));
  query.bind(1, std::string(ref));
  return storage::ReadAll<OutboxMessage>(query, &ReadRow);
}

absl::StatusOr<bool> ReplaceUndeliveredPayload(SQLite::Database& db, absl::string_view id,
                                               absl::string_view payload) {
  SQLite::Statement update(db, "UPDATE outbox SET payload = ?2 WHERE id = ?1 AND state != 1");
  update.bind(1, std::string(id));
  update.bind(2, payload.data(), static_cast<int>(payload.size()));
  return update.exec() == 1;
}

absl::StatusOr<bool> DeleteUndelivered(SQLite::Database& db, absl::string_view id) {
  SQLite::Statement remove(db, "DELETE FROM outbox WHERE id = ?1 AND state != 1");
  remove.bind(1, std::string(id));
  return remove.exec() == 1;
}

#undef KAIZEN_OUTBOX_ABOUT_REF

absl::StatusOr<std::vector<OutboxMessage>> Due(SQLite::Database& db, absl::Time now, int limit) {
  SQLite::Statement query(
      db, absl::StrCat("SELECT ", kColumns,
                       " FROM outbox WHERE state = 0 AND next_attempt_micros <= ?1 "
                       "ORDER BY next_attempt_micros, create_micros, id LIMIT ?2"));
  query.bind(1, static_cast<int64_t>(Micros(now)));
  query.bind(2, storage::SqlLimit(limit));
  return storage::ReadAll<OutboxMessage>(query, &ReadRow);
}

absl::StatusOr<std::optional<absl::Time>> NextDue(SQLite::Database& db) {
  SQLite::Statement query(db, "SELECT MIN(next_attempt_micros) FROM outbox WHERE state = 0");
  if (!query.executeStep() || query.getColumn(0).isNull()) return std::optional<absl::Time>();
  return std::optional<absl::Time>(FromMicros(query.getColumn(0).getInt64()));
}

absl::Status MarkSent(SQLite::Database& db, absl::string_view id, absl::Time now) {
  SQLite::Statement update(db,
                           "UPDATE outbox SET state = 1, recipient = '', payload = X'', "
                           "last_error = '', done_micros = ?2 WHERE id = ?1 AND state = 0");
  update.bind(1, std::string(id));
  update.bind(2, static_cast<int64_t>(Micros(now)));
  return UpdatePending(update, id);
}

absl::Status MarkRetry(SQLite::Database& db, absl::string_view id, int attempts, absl::Time next,
                       absl::string_view last_error) {
  SQLite::Statement update(db,
                           "UPDATE outbox SET attempts = ?2, next_attempt_micros = ?3, "
                           "last_error = ?4 WHERE id = ?1 AND state = 0");
  update.bind(1, std::string(id));
  update.bind(2, attempts);
  update.bind(3, static_cast<int64_t>(Micros(next)));
  update.bind(4, std::string(last_error));
  return UpdatePending(update, id);
}

absl::StatusOr<bool> Claim(SQLite::Database& db, absl::string_view id, int seen_attempts,
                           absl::Time now, absl::Time lease_until) {
  SQLite::Statement update(db,
                           "UPDATE outbox SET attempts = ?2 + 1, next_attempt_micros = ?4 "
                           "WHERE id = ?1 AND state = 0 AND attempts = ?2 "
                           "AND next_attempt_micros <= ?3");
  update.bind(1, std::string(id));
  update.bind(2, seen_attempts);
  update.bind(3, static_cast<int64_t>(Micros(now)));
  update.bind(4, static_cast<int64_t>(Micros(lease_until)));
  return update.exec() == 1;
}

absl::Status MarkDead(SQLite::Database& db, absl::string_view id, int attempts, absl::Time now,
                      absl::string_view last_error) {
  SQLite::Statement update(db,
                           "UPDATE outbox SET state = 2, attempts = ?2, last_error = ?4, "
                           "done_micros = ?3 WHERE id = ?1 AND state = 0");
  update.bind(1, std::string(id));
  update.bind(2, attempts);
  update.bind(3, static_cast<int64_t>(Micros(now)));
  update.bind(4, std::string(last_error));
  return UpdatePending(update, id);
}

absl::StatusOr<std::vector<OutboxMessage>> List(SQLite::Database& db,
                                                std::optional<OutboxState> state, int limit) {
  // The payload is not even read: an operator's listing never needs it.
  SQLite::Statement query(
      db, absl::StrCat("SELECT id, kind, subject_ref, recipient, X'', state, attempts, "
                       "next_attempt_micros, last_error, create_micros, done_micros "
                       "FROM outbox WHERE ?1 < 0 OR state = ?1 "
                       "ORDER BY create_micros DESC, id DESC LIMIT ?2"));
  query.bind(1, state.has_value() ? static_cast<int>(*state) : -1);
  query.bind(2, storage::SqlLimit(limit));
  ASSIGN_OR_RETURN(std::vector<OutboxMessage> rows,
                   storage::ReadAll<OutboxMessage>(query, &ReadRow));
  for (OutboxMessage& m : rows) m.recipient = MaskRecipient(m.recipient);
  return rows;
}

absl::StatusOr<int> RetryDead(SQLite::Database& db, absl::string_view id, absl::Time now) {
  SQLite::Statement update(db,
                           "UPDATE outbox SET state = 0, attempts = 0, next_attempt_micros = ?2, "
                           "last_error = '', done_micros = NULL "
                           "WHERE state = 2 AND length(payload) > 0 AND (?1 = '' OR id = ?1)");
  update.bind(1, std::string(id));
  update.bind(2, static_cast<int64_t>(Micros(now)));
  const int retried = update.exec();
  if (retried == 0 && !id.empty()) {
    SQLite::Statement cleared(db, "SELECT 1 FROM outbox WHERE id = ?1 AND state = 2");
    cleared.bind(1, std::string(id));
    if (cleared.executeStep()) {
      return errors::FailedPrecondition(
          "OUTBOX_PAYLOAD_CLEARED",
          absl::StrCat("DEAD message ", id,
                       " cannot be retried: its payload was cleared after the retention "
                       "period (keep_dead)"));
    }
  }
  return retried;
}

absl::StatusOr<int> ClearDead(SQLite::Database& db, absl::Time before) {
  SQLite::Statement update(db,
                           "UPDATE outbox SET recipient = '', payload = X'', "
                           "last_error = last_error || '; payload cleared' "
                           "WHERE state = 2 AND length(payload) > 0 AND done_micros < ?1");
  update.bind(1, static_cast<int64_t>(Micros(before)));
  return update.exec();
}

absl::StatusOr<OutboxCounts> Count(SQLite::Database& db) {
  OutboxCounts counts;
  SQLite::Statement query(db, "SELECT state, COUNT(*), MIN(create_micros) FROM outbox "
                              "GROUP BY state");
  while (query.executeStep()) {
    const int64_t n = query.getColumn(1).getInt64();
    switch (query.getColumn(0).getInt()) {
      case 0:
        counts.pending = n;
        counts.oldest_pending = FromMicros(query.getColumn(2).getInt64());
        break;
      case 1:
        counts.sent = n;
        break;
      case 2:
        counts.dead = n;
        break;
      default:
        return errors::Internal("outbox row has an unknown state");
    }
  }
  return counts;
}

absl::StatusOr<int> PruneSent(SQLite::Database& db, absl::Time before) {
  SQLite::Statement remove(db, "DELETE FROM outbox WHERE state = 1 AND done_micros < ?1");
  remove.bind(1, static_cast<int64_t>(Micros(before)));
  return remove.exec();
}

}  // namespace kaizen::notify
