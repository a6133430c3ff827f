// The SQL of e-mail notifications (schema version 7): the outbox
// (common/notify/outbox.h), reminder settings by e-mail key and the
// hand-overs taken from other services. Only enrollment_store.cc calls
// these, inside its transactions; they throw SQLite::Exception like the rest
// of the store.
#ifndef KAIZEN_SERVICES_ENROLLMENT_NOTIFY_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_NOTIFY_SQL_H_

#include <optional>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kaizen/type/notification.pb.h"

namespace kaizen::enrollment::notify_sql {

// Migration 7: notify::kOutboxTableSql, reminder_settings (email_key
// PRIMARY KEY, reminders INTEGER, update_micros) and notification_intake
// (idempotency_key PRIMARY KEY, response BLOB, create_micros).
extern const char kSchemaV7Tables[];

absl::StatusOr<bool> RemindersEnabled(SQLite::Database& db, const std::string& email_key);
absl::Status SetRemindersEnabled(SQLite::Database& db, const std::string& email_key,
                                 bool enabled, absl::Time now);
absl::StatusOr<std::optional<kaizen::type::EnqueueNotificationResponse>> GetIntake(
    SQLite::Database& db, const std::string& idempotency_key);
absl::Status PutIntake(SQLite::Database& db, const std::string& idempotency_key,
                       const kaizen::type::EnqueueNotificationResponse& response,
                       absl::Time now);

// Migration 10: notification_intake.fingerprint (hex SHA-256 of the request
// without its idempotency key; '' for keys taken before).
extern const char kSchemaV10[];
absl::StatusOr<std::string> GetIntakeFingerprint(SQLite::Database& db,
                                                 const std::string& idempotency_key);
absl::Status SetIntakeFingerprint(SQLite::Database& db, const std::string& idempotency_key,
                                  const std::string& fingerprint);

// Retention of reminder settings (EnrollmentTx::CohortEmailKeys,
// DeleteUnusedReminderSettings): a setting outlives neither its address's
// last application (application_emails) nor an erasure of it.
absl::StatusOr<std::vector<std::string>> CohortEmailKeys(SQLite::Database& db,
                                                         const std::string& cohort_id);
absl::StatusOr<int> DeleteUnusedReminderSettings(SQLite::Database& db,
                                                 const std::vector<std::string>& email_keys);

}  // namespace kaizen::enrollment::notify_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_NOTIFY_SQL_H_
