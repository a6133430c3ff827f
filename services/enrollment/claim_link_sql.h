// The SQL of the claim_links table (schema version 2), kept out of
// enrollment_store.cc so that file stays one screenful per aggregate. Only
// enrollment_store.cc calls these, inside its transactions; they throw
// SQLite::Exception like the rest of the store, which the storage layer
// turns into statuses.
#ifndef KAIZEN_SERVICES_ENROLLMENT_CLAIM_LINK_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_CLAIM_LINK_SQL_H_

#include <optional>
#include <string>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment::claim_link_sql {

// Migration 2: the claim_links table, the by-subject and by-submitter
// indexes, and the applications.submitter column (NULL until backfilled).
extern const char kSchemaV2[];

// Fills applications.submitter from each stored application where it is
// still NULL (rows written before version 2). Idempotent; cheap when done.
absl::Status BackfillSubmitters(SQLite::Database& db);

absl::StatusOr<std::optional<ClaimLinkRecord>> Get(SQLite::Database& db,
                                                  const std::string& token_hash);
absl::Status Insert(SQLite::Database& db, const ClaimLinkRecord& record);
absl::Status RevokeUnredeemed(SQLite::Database& db, const std::string& cohort_id,
                              const std::string& participant_id);
absl::Status MarkRedeemed(SQLite::Database& db, const ClaimLinkRecord& record);
void DeleteCohort(SQLite::Database& db, const std::string& cohort_id);

}  // namespace kaizen::enrollment::claim_link_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_CLAIM_LINK_SQL_H_
