// Seat usage counters (issue 18): what a cohort's seats are taken by, kept
// per (cohort, municipality) in `cohort_usage` by SQLite triggers on
// `participants` and `applications`, so every write that changes a seat
// holder changes the counters in the same transaction, whatever code path
// wrote the row (the ledger, erasure, a purge's DELETE). Reads are one
// indexed range instead of loading every participant and offer.
//
// A seat holder is, exactly as the ledger (waitlist.h) defines it:
//   - a participant with role PARTICIPANT and state ACTIVE: 1 seat;
//   - an application in state OFFERED: admitted_member_count seats (the
//     column of that name, written by application_sql from the proto).
// `holders` counts the rows behind a (cohort, municipality) counter, so a
// municipality stays "taken" while any holder remains, even one holding 0
// seats; a counter whose holders reach 0 is deleted.
//
// Migration 11 (kSchemaV11, a literal like every migration: its text must
// never change once shipped; enrollment_schema_test pins it) adds the column
// (NULL in existing rows), the table filled from existing participants, and
// the triggers. An OFFERED application's count lives only in its serialized
// proto, so BackfillAdmittedCounts (run by EnrollmentStore::Open after
// migrating) copies it into the column of every OFFERED row still NULL (the
// update triggers then add the offer's seats) and sets the other NULL rows
// to 0. Rows are never NULL once written by this code, so the backfill does
// work once (a partial index finds NULL rows without a scan at every later
// open).
//
// The triggers see INSERT, DELETE and UPDATE. `INSERT OR REPLACE` / `REPLACE`
// (REPLACE conflict resolution in general) deletes the old row without firing
// the delete triggers (recursive_triggers is off), so the counters would keep
// a holder that no longer exists (measured on SQLite 3.40; an UPSERT's DO
// UPDATE does fire the update triggers): never write these tables that way. A
// binary of schema 10 writing the same file would leave the column NULL or
// stale; stop it before the new one starts (README, "Storage").
#ifndef KAIZEN_SERVICES_ENROLLMENT_USAGE_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_USAGE_SQL_H_

#include <optional>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment::usage_sql {

// Migration 11 (see above).
extern const char kSchemaV11[];

// Migration 14: `cohort_waiting`, each cohort's count of WAITLISTED
// applications, kept by triggers on `applications` the same way (and with
// the same REPLACE caveat as above).
extern const char kSchemaV14[];
extern const char kWaitingSql[];

// EnrollmentTx::CountWaiting: the cohort's counter (0 without a row).
absl::StatusOr<int64_t> Waiting(SQLite::Database& db, const std::string& cohort_id);

// Fills applications.admitted_member_count where it is NULL: from the proto
// for OFFERED rows, 0 for the others. Inside the caller's write transaction.
absl::Status BackfillAdmittedCounts(SQLite::Database& db);

// EnrollmentTx::ListCohortUsage: the cohort's counters, by municipality.
absl::StatusOr<std::vector<UsageRow>> List(SQLite::Database& db, const std::string& cohort_id);

// EnrollmentTx::HeldByApplication.
absl::StatusOr<std::optional<UsageRow>> HeldBy(SQLite::Database& db,
                                               const std::string& cohort_id,
                                               const std::string& application_id);

}  // namespace kaizen::enrollment::usage_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_USAGE_SQL_H_
