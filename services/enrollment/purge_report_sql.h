// The SQL of purge reports (schema version 3) and of the key rows an
// erasure removes, kept out of enrollment_store.cc like claim_link_sql.
// Only enrollment_store.cc calls these, inside its transactions; they throw
// SQLite::Exception like the rest of the store, which the storage layer
// turns into statuses.
#ifndef KAIZEN_SERVICES_ENROLLMENT_PURGE_REPORT_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_PURGE_REPORT_SQL_H_

#include <string>
#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment::purge_report_sql {

// Migration 3: the purge_reports table, one row per (cohort, participant
// or '' for the whole cohort, service).
extern const char kSchemaV3[];

// The rows of one report, in `position` order (enrollment first).
absl::StatusOr<std::vector<PurgeReportRow>> List(SQLite::Database& db,
                                                 const std::string& cohort_id,
                                                 const std::string& participant_id);
// Up to `limit` keys (cohort_id, participant_id) after `after`, in key
// order, with a row FAILED or PENDING with its lease at or before `now`.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListRetryable(
    SQLite::Database& db, const std::pair<std::string, std::string>& after, absl::Time now,
    int limit);
// Inserts or replaces the row with the same key.
absl::Status Put(SQLite::Database& db, const PurgeReportRow& row);

// Clears the account subject of every report row of the cohort (its
// purge: nothing of the people may stay). Returns the rows changed.
int ClearSubjects(SQLite::Database& db, const std::string& cohort_id);

// An erasure's key rows: the e-mail key (only when both it and
// `application_id` are set, and only if that application holds it: the same
// address may be reserved by another application of the cohort, whose key
// must stay), the participant's claim links and the request ids naming the
// participant.
ErasedKeys DeleteParticipantKeys(SQLite::Database& db, const std::string& cohort_id,
                                 const std::string& participant_id,
                                 const std::string& participant_name,
                                 const std::string& application_id,
                                 const std::string& email_key);

// An application's erasure's key rows: the e-mail keys that application
// reserves (only its own) and the request ids naming it. claim_links stays 0
// (claim links name participants).
ErasedKeys DeleteApplicationKeys(SQLite::Database& db, const std::string& cohort_id,
                                 const std::string& application_id,
                                 const std::string& application_name);

}  // namespace kaizen::enrollment::purge_report_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_PURGE_REPORT_SQL_H_
