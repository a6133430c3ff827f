// The receiving side of ListResultChanges (kaizen/type/partner.proto) for the
// services that keep a result-change log (scheduling, plans, survey), and the
// log itself. Each service creates the table in its own migrations:
//
//   result_changes (sequence INTEGER PRIMARY KEY AUTOINCREMENT,
//                   cohort_id TEXT NOT NULL, participant TEXT NOT NULL,
//                   category INTEGER NOT NULL, change_time INTEGER NOT NULL)
//   CREATE INDEX result_changes_by_cohort ON result_changes (cohort_id, participant);
//
// (kResultChangesSchema below is that DDL.) Rows hold resource names, a
// category and a time: nothing personal. AUTOINCREMENT keeps sequences
// increasing even after the newest rows are purged, so enrollment's cursor
// never sees a number twice. A service appends in the same write transaction
// as the change (so a change is logged if and only if it committed) and
// deletes a cohort's or a person's rows in its PurgePersonalData.
//
// The SQL functions throw SQLiteCpp exceptions inside the caller's
// transaction, as common/storage's helpers do.
#ifndef KAIZEN_CLIENTS_PARTNER_RESULT_CHANGES_CONTRACT_H_
#define KAIZEN_CLIENTS_PARTNER_RESULT_CHANGES_CONTRACT_H_

#include <cstdint>
#include <string>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaizen/type/partner.pb.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::partner_client {

inline constexpr absl::string_view kResultChangesSchema =
    "CREATE TABLE result_changes ("
    " sequence INTEGER PRIMARY KEY AUTOINCREMENT,"
    " cohort_id TEXT NOT NULL, participant TEXT NOT NULL,"
    " category INTEGER NOT NULL, change_time INTEGER NOT NULL);"
    "CREATE INDEX result_changes_by_cohort ON result_changes (cohort_id, participant);";

// A checked ListResultChangesRequest: after_sequence >= 0 and page_size in
// [0, 1000] (0 means 100). INVALID_ARGUMENT INVALID_FIELD naming the field.
struct ResultChangesQuery {
  int64_t after_sequence = 0;
  int page_size = 100;
};
absl::StatusOr<ResultChangesQuery> ParseListResultChanges(
    const kaizen::type::ListResultChangesRequest& request);

// PERMISSION_DENIED ENROLLMENT_ONLY unless auth::ServicePrincipal("enrollment")
// (the same check as PurgePersonalData's).
absl::Status RequireEnrollmentReader(const kaizen::type::Principal& caller);

// Appends one change (call inside the write transaction that made it).
// `participant` is "cohorts/{cohort_id}/participants/{p}".
void AppendResultChange(SQLite::Database& db, const std::string& cohort_id,
                        const std::string& participant, kaizen::type::ShareCategory category,
                        absl::Time time);

// The page after query.after_sequence (a read; any transaction).
kaizen::type::ListResultChangesResponse ListResultChanges(SQLite::Database& db,
                                                          const ResultChangesQuery& query);

// Deletes a cohort's rows (participant "") or one person's; returns how many.
int64_t DeleteResultChanges(SQLite::Database& db, const std::string& cohort_id,
                            const std::string& participant);

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_RESULT_CHANGES_CONTRACT_H_
