// The SQL of the APPI Art. 29 provision records (provision.cc), kept out of
// enrollment_store.cc like claim_link_sql. Only enrollment_store.cc calls
// these, inside its transactions; they throw SQLite::Exception like the rest
// of the store, which the storage layer turns into statuses.
//
// The table is append-only, enforced by the database itself: triggers
// refuse every UPDATE and DELETE of a row and every insert over an existing
// id or seq (REPLACE; RAISE(ABORT)), so no code path of
// this service (purge, erasure, a future bug) can change or remove a record.
// The one way to remove rows is the operator's documented prune of records
// older than the retention period (README.md, "Provision records"), which
// drops and recreates the triggers by hand.
#ifndef KAIZEN_SERVICES_ENROLLMENT_PROVISION_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_PROVISION_SQL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment::provision_sql {

// The migration that creates `provision_records` (indexed columns plus the
// serialized v1::ProvisionRecord) and its two append-only triggers.
extern const char kSchema[];
// Migration 6: a BEFORE INSERT trigger refusing an insert whose id or seq is
// taken, so INSERT OR REPLACE / REPLACE INTO cannot swap a record (their
// implicit delete fires no DELETE trigger).
extern const char kSchemaV6[];

// Inserts `row` (its record's name must be "provisionRecords/{id}") and sets
// row->seq. ALREADY_EXISTS when the id is taken.
absl::Status Append(SQLite::Database& db, ProvisionRow* row);

// Rows matching `filter`: newest first with seq < `position` (0: from the
// newest), or with `oldest_first` oldest first with seq > `position`; at
// most `limit` (<= 0: all).
// The SELECT List runs: a condition only for each filter that is set (so
// the participant's or municipality's index is used), parameters ?1-?7.
// Exposed for the query-plan test.
std::string ListSql(const ProvisionFilter& filter, int64_t position, bool oldest_first);

absl::StatusOr<std::vector<ProvisionRow>> List(SQLite::Database& db,
                                               const ProvisionFilter& filter, int64_t position,
                                               bool oldest_first, int limit);

}  // namespace kaizen::enrollment::provision_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_PROVISION_SQL_H_
