#include "services/enrollment/change_feed_sql.h"

#include <utility>

#include "SQLiteCpp/Statement.h"
#include "absl/time/time.h"
#include "common/storage/sqlite_rows.h"
#include "common/storage/statement_cache.h"

namespace kaizen::enrollment::change_feed_sql {

void Append(SQLite::Database& db, ChangeRecord* record) {
  storage::CachedStatement insert(
      db,
      "INSERT INTO changes (participant_name, municipality_code, kind, "
      "time_micros, category) VALUES (?1, ?2, ?3, ?4, ?5)");
  insert->bind(1, record->participant_name);
  insert->bind(2, record->municipality_code);
  insert->bind(3, static_cast<int>(record->kind));
  insert->bind(4, absl::ToUnixMicros(record->time));
  insert->bind(5, static_cast<int>(record->category));
  insert->exec();
  record->seq = db.getLastInsertRowid();
}

std::vector<ChangeRecord> List(SQLite::Database& db, int64_t after_seq,
                               const std::string& municipality_code, int limit) {
  // Two texts rather than "(? = '' OR ...)", which would keep SQLite from
  // using changes_by_municipality for a partner's feed.
  constexpr char kAll[] =
      "SELECT seq, participant_name, municipality_code, kind, time_micros, category "
      "FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2";
  constexpr char kOneMunicipality[] =
      "SELECT seq, participant_name, municipality_code, kind, time_micros, category "
      "FROM changes WHERE municipality_code = ?3 AND seq > ?1 "
      "ORDER BY seq LIMIT ?2";
  SQLite::Statement query(db, municipality_code.empty() ? kAll : kOneMunicipality);
  query.bind(1, after_seq);
  query.bind(2, storage::SqlLimit(limit));
  if (!municipality_code.empty()) query.bind(3, municipality_code);
  std::vector<ChangeRecord> changes;
  while (query.executeStep()) {
    ChangeRecord change;
    change.seq = query.getColumn(0).getInt64();
    change.participant_name = query.getColumn(1).getString();
    change.municipality_code = query.getColumn(2).getString();
    change.kind = static_cast<v1::Change::Kind>(query.getColumn(3).getInt());
    change.time = absl::FromUnixMicros(query.getColumn(4).getInt64());
    const int category = query.getColumn(5).getInt();
    change.category = kaizen::type::ShareCategory_IsValid(category)
                          ? static_cast<kaizen::type::ShareCategory>(category)
                          : kaizen::type::SHARE_CATEGORY_UNSPECIFIED;
    changes.push_back(std::move(change));
  }
  return changes;
}

int64_t Head(SQLite::Database& db) {
  SQLite::Statement query(db, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'");
  return query.executeStep() ? query.getColumn(0).getInt64() : 0;
}

}  // namespace kaizen::enrollment::change_feed_sql
