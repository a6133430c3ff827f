// The pool projection (`pool_likert`: the Likert answers of each submitted
// response, one row per response) and the pool reads the bird's-eye
// statistics run, kept out of survey_store.cc. Private to :survey_store;
// SurveyTx's pool methods call these inside a transaction. Every function
// throws SQLiteCpp exceptions (the transaction turns them into statuses).
#ifndef KAIZEN_SERVICES_SURVEY_POOL_SQL_H_
#define KAIZEN_SERVICES_SURVEY_POOL_SQL_H_

#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/statusor.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey::pool_sql {

// SurveyTx::ListPool: the submitted responses of the filter, in the pool
// index's order.
absl::StatusOr<std::vector<ResponseRecord>> List(SQLite::Database& db, const PoolFilter& filter);

// SurveyTx::ListPoolLikert: one range scan of the projection; each row's
// answers to `item_ids` in that order (NaN where not answered).
absl::StatusOr<std::vector<PoolRow>> ListLikert(SQLite::Database& db, const PoolFilter& filter,
                                                const std::vector<std::string>& item_ids);

// Keeps the projection of one response in step with it (its row replaced,
// or removed while it is not submitted). Called by every response write.
void WriteRow(SQLite::Database& db, const ResponseRecord& record);

}  // namespace kaizen::survey::pool_sql

#endif  // KAIZEN_SERVICES_SURVEY_POOL_SQL_H_
