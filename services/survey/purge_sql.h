// The SQL of a personal-data purge in the survey database (issue 15), kept
// out of survey_store.cc. Private to :survey_store; SurveyTx's purge methods
// call these inside a write transaction. Every function throws SQLiteCpp
// exceptions (the transaction turns them into statuses).
#ifndef KAIZEN_SERVICES_SURVEY_PURGE_SQL_H_
#define KAIZEN_SERVICES_SURVEY_PURGE_SQL_H_

#include <string>

#include "SQLiteCpp/Database.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey::purge_sql {

// Migration 2: the `purges` table. One row per cohort purge (participant
// '') and per person erased; no personal data, only resource names.
extern const char kSchemaV2[];

// Deletes everything personal of one cohort: its responses (linked and
// anonymous, free text included), their pool projections, the anonymous
// waves' participation sets, the request ids of its responses and its rows
// of the result-change log (issue 14). Waves (windows and instrument, no
// person) stay.
PurgeCounts PurgeCohort(SQLite::Database& db, const std::string& cohort_id);

// Deletes one person's linked responses (and pool rows, request ids and
// result-change log rows) in the cohort and removes them from every
// participation set. `subject`
// (their account, may be empty) also finds request ids scoped to it.
// Anonymous responses carry no link to anyone and are not touched.
PurgeCounts PurgeParticipant(SQLite::Database& db, const std::string& cohort_id,
                             const std::string& participant, const std::string& subject);

// Migration 3: `purges.counts`, what the first purge deleted, so that a
// repeated request answers with the first report ("kind=count" lines in the
// report's order; NULL for a purge recorded before). The marks are read and
// written by common/storage/purge_marks.h.
extern const char kSchemaV3[];

}  // namespace kaizen::survey::purge_sql

#endif  // KAIZEN_SERVICES_SURVEY_PURGE_SQL_H_
