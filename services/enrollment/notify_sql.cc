#include "services/enrollment/notify_sql.h"

#include <string>

#include "SQLiteCpp/Statement.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"

namespace kaizen::enrollment::notify_sql {

// Migration 7 is common/notify's outbox table (enrollment_schema.cc joins
// notify::kOutboxTableSql in front of these) and: reminder_settings, by
// e-mail key (EmailKey: a hash, never the address), no row meaning
// reminders on; notification_intake, the first answer per hand-over key
// (EnqueueNotification).
const char kSchemaV7Tables[] = R"sql(
CREATE TABLE reminder_settings (
  email_key TEXT PRIMARY KEY,
  reminders INTEGER NOT NULL,
  update_micros INTEGER NOT NULL
);
CREATE TABLE notification_intake (
  idempotency_key TEXT PRIMARY KEY,
  response BLOB NOT NULL,
  create_micros INTEGER NOT NULL
);
)sql";

const char kSchemaV10[] =
    "ALTER TABLE notification_intake ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';";

absl::StatusOr<bool> RemindersEnabled(SQLite::Database& db, const std::string& email_key) {
  SQLite::Statement q(db, "SELECT reminders FROM reminder_settings WHERE email_key = ?1");
  q.bind(1, email_key);
  if (!q.executeStep()) return true;
  return q.getColumn(0).getInt() != 0;
}

absl::Status SetRemindersEnabled(SQLite::Database& db, const std::string& email_key,
                                 bool enabled, absl::Time now) {
  SQLite::Statement upsert(db,
                           "INSERT INTO reminder_settings (email_key, reminders, update_micros) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (email_key) DO UPDATE SET "
                           "reminders = excluded.reminders, "
                           "update_micros = excluded.update_micros");
  upsert.bind(1, email_key);
  upsert.bind(2, enabled ? 1 : 0);
  upsert.bind(3, static_cast<int64_t>(absl::ToUnixMicros(now)));
  upsert.exec();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<kaizen::type::EnqueueNotificationResponse>> GetIntake(
    SQLite::Database& db, const std::string& idempotency_key) {
  SQLite::Statement q(db,
                      "SELECT response FROM notification_intake WHERE idempotency_key = ?1");
  q.bind(1, idempotency_key);
  if (!q.executeStep()) return std::optional<kaizen::type::EnqueueNotificationResponse>();
  kaizen::type::EnqueueNotificationResponse response;
  RETURN_IF_ERROR(storage::Parse(q.getColumn(0), &response));
  return std::optional<kaizen::type::EnqueueNotificationResponse>(std::move(response));
}

absl::Status PutIntake(SQLite::Database& db, const std::string& idempotency_key,
                       const kaizen::type::EnqueueNotificationResponse& response,
                       absl::Time now) {
  const std::string blob = response.SerializeAsString();
  SQLite::Statement insert(db,
                           "INSERT INTO notification_intake (idempotency_key, response, "
                           "create_micros) VALUES (?1, ?2, ?3)");
  insert.bind(1, idempotency_key);
  insert.bind(2, blob.data(), static_cast<int>(blob.size()));
  insert.bind(3, static_cast<int64_t>(absl::ToUnixMicros(now)));
  insert.exec();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> CohortEmailKeys(SQLite::Database& db,
                                                         const std::string& cohort_id) {
  SQLite::Statement q(db, "SELECT email_key FROM application_emails WHERE cohort_id = ?1");
  q.bind(1, cohort_id);
  std::vector<std::string> keys;
  while (q.executeStep()) keys.push_back(q.getColumn(0).getString());
  return keys;
}

absl::StatusOr<int> DeleteUnusedReminderSettings(SQLite::Database& db,
                                                 const std::vector<std::string>& email_keys) {
  SQLite::Statement remove(db,
                           "DELETE FROM reminder_settings WHERE email_key = ?1 AND NOT EXISTS "
                           "(SELECT 1 FROM application_emails WHERE email_key = ?1)");
  int deleted = 0;
  for (const std::string& key : email_keys) {
    if (key.empty()) continue;
    remove.reset();
    remove.bind(1, key);
    deleted += remove.exec();
  }
  return deleted;
}

absl::StatusOr<std::string> GetIntakeFingerprint(SQLite::Database& db,
                                                 const std::string& idempotency_key) {
  SQLite::Statement q(db,
                      "SELECT fingerprint FROM notification_intake WHERE idempotency_key = ?1");
  q.bind(1, idempotency_key);
  if (!q.executeStep()) return std::string();
  return q.getColumn(0).getString();
}

absl::Status SetIntakeFingerprint(SQLite::Database& db, const std::string& idempotency_key,
                                  const std::string& fingerprint) {
  SQLite::Statement update(db,
                           "UPDATE notification_intake SET fingerprint = ?2 "
                           "WHERE idempotency_key = ?1");
  update.bind(1, idempotency_key);
  update.bind(2, fingerprint);
  if (update.exec() != 1) return absl::InternalError("hand-over intake row missing");
  return absl::OkStatus();
}

}  // namespace kaizen::enrollment::notify_sql
