#include "services/enrollment/provision_sql.h"

#include <limits>
#include <string>
#include <utility>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/storage/sqlite_rows.h"

namespace kaizen::enrollment::provision_sql {

const char kSchema[] = R"sql(
CREATE TABLE provision_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  time_micros INTEGER NOT NULL,
  recipient TEXT NOT NULL,
  municipality_code TEXT NOT NULL,
  participant TEXT NOT NULL,
  service TEXT NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX provision_records_by_participant ON provision_records (participant, seq);
CREATE INDEX provision_records_by_municipality ON provision_records (municipality_code, seq);
CREATE INDEX provision_records_by_time ON provision_records (time_micros);
CREATE TRIGGER provision_records_no_update BEFORE UPDATE ON provision_records
BEGIN
  SELECT RAISE(ABORT, 'provision records are append-only');
END;
CREATE TRIGGER provision_records_no_delete BEFORE DELETE ON provision_records
BEGIN
  SELECT RAISE(ABORT, 'provision records are append-only');
END;
)sql";

// INSERT OR REPLACE / REPLACE INTO delete the old row without firing DELETE
// triggers (recursive_triggers is off), so a replacement needs its own
// guard: an insert whose id or seq is taken aborts.
const char kSchemaV6[] = R"sql(
CREATE TRIGGER provision_records_no_replace BEFORE INSERT ON provision_records
WHEN EXISTS (SELECT 1 FROM provision_records WHERE id = NEW.id OR seq = NEW.seq)
BEGIN
  SELECT RAISE(ABORT, 'provision records are append-only');
END;
)sql";

namespace {

constexpr absl::string_view kPrefix = "provisionRecords/";

// Columns: seq, data.
absl::StatusOr<ProvisionRow> Read(SQLite::Statement& row) {
  ProvisionRow out;
  out.seq = row.getColumn(0).getInt64();
  RETURN_IF_ERROR(storage::Parse(row.getColumn(1), &out.record));
  return out;
}

}  // namespace

absl::Status Append(SQLite::Database& db, ProvisionRow* row) {
  const v1::ProvisionRecord& r = row->record;
  if (!absl::StartsWith(r.name(), kPrefix)) {
    return errors::Internal("a provision record needs its name before it is stored");
  }
  // A taken id is ALREADY_EXISTS (the trigger above would abort first).
  SQLite::Statement taken(db, "SELECT 1 FROM provision_records WHERE id = ?1");
  taken.bind(1, r.name().substr(kPrefix.size()));
  if (taken.executeStep()) return errors::AlreadyExists("ProvisionRecord", r.name());
  v1::ProvisionRecord stored = r;
  stored.clear_recipient_municipality_name();  // looked up when read
  SQLite::Statement insert(
      db,
      "INSERT INTO provision_records (id, time_micros, recipient, municipality_code, "
      "participant, service, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, r.name().substr(kPrefix.size()));
  insert.bind(2, absl::ToUnixMicros(absl::FromUnixSeconds(r.time().seconds()) +
                                    absl::Nanoseconds(r.time().nanos())));
  insert.bind(3, r.recipient());
  insert.bind(4, r.recipient_municipality_code());
  insert.bind(5, r.participant());
  insert.bind(6, r.service());
  storage::BindBlob(insert, 7, stored.SerializeAsString());
  RETURN_IF_ERROR(storage::ExecInsert(insert, "ProvisionRecord", r.name()));
  row->seq = db.getLastInsertRowid();
  return absl::OkStatus();
}

std::string ListSql(const ProvisionFilter& filter, int64_t position, bool oldest_first) {
  // Only the filters that are set, so SQLite can use the index of the
  // narrowest one ("(?1 = '' OR col = ?1)" would defeat it). The numbers
  // stay fixed (?7 is always there, so every number up to it may be bound).
  std::string sql = "SELECT seq, data FROM provision_records WHERE 1";
  if (!filter.municipality_code.empty()) sql += " AND municipality_code = ?1";
  if (!filter.recipient.empty()) sql += " AND recipient = ?2";
  if (!filter.participant.empty()) sql += " AND participant = ?3";
  if (filter.start_time.has_value()) sql += " AND time_micros >= ?4";
  if (filter.end_time.has_value()) sql += " AND time_micros < ?5";
  if (oldest_first) {
    sql += " AND seq > ?6 ORDER BY seq LIMIT ?7";
  } else {
    if (position > 0) sql += " AND seq < ?6";
    sql += " ORDER BY seq DESC LIMIT ?7";
  }
  return sql;
}

absl::StatusOr<std::vector<ProvisionRow>> List(SQLite::Database& db,
                                               const ProvisionFilter& filter, int64_t position,
                                               bool oldest_first, int limit) {
  SQLite::Statement query(db, ListSql(filter, position, oldest_first));
  query.bind(1, filter.municipality_code);
  query.bind(2, filter.recipient);
  query.bind(3, filter.participant);
  query.bind(4, filter.start_time.has_value() ? absl::ToUnixMicros(*filter.start_time)
                                              : std::numeric_limits<int64_t>::min());
  query.bind(5, filter.end_time.has_value() ? absl::ToUnixMicros(*filter.end_time)
                                            : std::numeric_limits<int64_t>::max());
  query.bind(6, position);
  query.bind(7, storage::SqlLimit(limit));
  return storage::ReadAll<ProvisionRow>(query, &Read);
}

}  // namespace kaizen::enrollment::provision_sql
