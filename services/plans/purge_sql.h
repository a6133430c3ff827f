// The SQL of a personal-data purge in the plans database (issue 15), kept
// out of plans_store.cc. Private to :plans_store; PlansTx's purge methods
// call these inside a write transaction. Every function throws SQLiteCpp
// exceptions (the transaction turns them into statuses).
#ifndef KAIZEN_SERVICES_PLANS_PURGE_SQL_H_
#define KAIZEN_SERVICES_PLANS_PURGE_SQL_H_

#include <string>

#include "SQLiteCpp/Database.h"
#include "services/plans/plans_store.h"

namespace kaizen::plans::purge_sql {

// Migration 2: the `purges` table. One row per cohort purge (participant
// '') and per person erased; resource names and a time, nothing personal.
extern const char kSchemaV2[];

// Deletes every plan of the cohort with its revisions, feedback and
// practice log, and the request ids of the cohort's resources.
PurgeCounts PurgeCohort(SQLite::Database& db, const std::string& cohort_id);

// One person (a participant name; `subject` their account, may be empty):
// plans they alone own go whole; from team plans they are removed as an
// owner and their authorship of revisions and stage versions is cleared;
// feedback and practice entries they wrote are deleted; request ids made
// by them (scope naming `subject`) or for a deleted plan go too.
PurgeCounts PurgeParticipant(SQLite::Database& db, const std::string& cohort_id,
                             const std::string& participant, const std::string& subject);

// Migration 3: `purges.counts`, what the first purge deleted, so that a
// repeated request answers with the first report ("kind=count" lines in the
// report's order; NULL for a purge recorded before). The marks are read and
// written by common/storage/purge_marks.h.
extern const char kSchemaV3[];

}  // namespace kaizen::plans::purge_sql

#endif  // KAIZEN_SERVICES_PLANS_PURGE_SQL_H_
