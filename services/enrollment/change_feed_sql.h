// The SQL of the partner change feed (the `changes` table of schema 1), kept
// out of enrollment_store.cc as claim_link_sql.h is. Only enrollment_store.cc
// calls these, inside its transactions; they throw SQLite::Exception like the
// rest of the store, which the storage layer turns into statuses.
#ifndef KAIZEN_SERVICES_ENROLLMENT_CHANGE_FEED_SQL_H_
#define KAIZEN_SERVICES_ENROLLMENT_CHANGE_FEED_SQL_H_

#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment::change_feed_sql {

// Migration 5: the category a RESULT_WITHDRAWN entry withdraws (0 for the
// other kinds and for every row written before).
inline constexpr char kSchemaV5[] =
    "ALTER TABLE changes ADD COLUMN category INTEGER NOT NULL DEFAULT 0;";

// Appends `record` and sets its seq.
void Append(SQLite::Database& db, ChangeRecord* record);

// Changes after `after_seq` in seq order, at most `limit`; only
// `municipality_code`'s when it is not empty.
std::vector<ChangeRecord> List(SQLite::Database& db, int64_t after_seq,
                               const std::string& municipality_code, int limit);

// The highest seq ever handed out to `changes` (AUTOINCREMENT keeps it in
// sqlite_sequence, also after rows are deleted); 0 when none was.
int64_t Head(SQLite::Database& db);

}  // namespace kaizen::enrollment::change_feed_sql

#endif  // KAIZEN_SERVICES_ENROLLMENT_CHANGE_FEED_SQL_H_
