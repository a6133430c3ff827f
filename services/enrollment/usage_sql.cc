#include "services/enrollment/usage_sql.h"

#include <cstdint>
#include <utility>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "common/storage/statement_cache.h"

namespace kaizen::enrollment::usage_sql {
namespace {

// One counter move: `sign` +1 adds the holder `row` (NEW or OLD) to its
// (cohort, municipality) counter, -1 takes it away and drops a counter left
// without holders. `seats` is the SQL of the seats it holds.
std::string Move(const std::string& row, int sign, const std::string& seats) {
  const std::string s = absl::StrReplaceAll(seats, {{"$ROW", row}});
  if (sign > 0) {
    return absl::StrCat(
        "INSERT INTO cohort_usage (cohort_id, municipality_code, holders, seats) VALUES (", row,
        ".cohort_id, ", row, ".municipality_code, 1, ", s,
        ") ON CONFLICT (cohort_id, municipality_code) DO UPDATE SET "
        "holders = holders + 1, seats = seats + excluded.seats;\n");
  }
  return absl::StrCat("UPDATE cohort_usage SET holders = holders - 1, seats = seats - (", s,
                      ") WHERE cohort_id = ", row, ".cohort_id AND municipality_code = ", row,
                      ".municipality_code;\n"
                      "DELETE FROM cohort_usage WHERE cohort_id = ",
                      row, ".cohort_id AND municipality_code = ", row,
                      ".municipality_code AND holders <= 0;\n");
}

// The four triggers of one table: insert, delete, and an update seen as
// "old holder leaves, new holder comes" (only when a column that matters
// changed). `holds` is the condition on $ROW for being a seat holder.
std::string Triggers(const std::string& table, const std::string& holds,
                     const std::string& seats, const std::string& columns,
                     const std::string& changed) {
  auto when = [&](const std::string& row) { return absl::StrReplaceAll(holds, {{"$ROW", row}}); };
  return absl::StrCat(
      "CREATE TRIGGER ", table, "_usage_insert AFTER INSERT ON ", table, " WHEN ", when("NEW"),
      " BEGIN\n", Move("NEW", 1, seats), "END;\n",
      "CREATE TRIGGER ", table, "_usage_delete AFTER DELETE ON ", table, " WHEN ", when("OLD"),
      " BEGIN\n", Move("OLD", -1, seats), "END;\n",
      "CREATE TRIGGER ", table, "_usage_update_old AFTER UPDATE OF ", columns, " ON ", table,
      " WHEN ", when("OLD"), " AND (", changed, ") BEGIN\n", Move("OLD", -1, seats), "END;\n",
      "CREATE TRIGGER ", table, "_usage_update_new AFTER UPDATE OF ", columns, " ON ", table,
      " WHEN ", when("NEW"), " AND (", changed, ") BEGIN\n", Move("NEW", 1, seats), "END;\n");
}

}  // namespace

const std::string& SchemaV11() {
  // Enum numbers as stored: Application.State OFFERED = 4; Participant.Role
  // PARTICIPANT = 1, Participant.State ACTIVE = 1 (fixed by the proto).
  static const std::string* const kSchema = new std::string(absl::StrCat(
      "ALTER TABLE applications ADD COLUMN admitted_member_count INTEGER;\n"
      "CREATE INDEX applications_count_unset ON applications (seq) "
      "WHERE admitted_member_count IS NULL;\n"
      "CREATE TABLE cohort_usage (\n"
      "  cohort_id TEXT NOT NULL,\n"
      "  municipality_code TEXT NOT NULL,\n"
      "  holders INTEGER NOT NULL,\n"
      "  seats INTEGER NOT NULL,\n"
      "  PRIMARY KEY (cohort_id, municipality_code)\n"
      ") WITHOUT ROWID;\n"
      // Existing OFFERED applications count as holders of 0 seats (their
      // column is NULL) until the backfill sets it: the update triggers then
      // move them to their real seats, exactly as for any later write.
      "INSERT INTO cohort_usage (cohort_id, municipality_code, holders, seats)\n"
      "  SELECT cohort_id, municipality_code, SUM(h), SUM(s) FROM (\n"
      "    SELECT cohort_id, municipality_code, 1 AS h, 1 AS s FROM participants\n"
      "    WHERE role = 1 AND state = 1\n"
      "    UNION ALL\n"
      "    SELECT cohort_id, municipality_code, 1, COALESCE(admitted_member_count, 0)\n"
      "    FROM applications WHERE state = 4)\n"
      "  GROUP BY cohort_id, municipality_code;\n",
      Triggers("participants", "$ROW.role = 1 AND $ROW.state = 1", "1",
               "cohort_id, role, state, municipality_code",
               "OLD.cohort_id IS NOT NEW.cohort_id OR OLD.role IS NOT NEW.role OR "
               "OLD.state IS NOT NEW.state OR "
               "OLD.municipality_code IS NOT NEW.municipality_code"),
      Triggers("applications", "$ROW.state = 4", "COALESCE($ROW.admitted_member_count, 0)",
               "cohort_id, state, municipality_code, admitted_member_count",
               "OLD.cohort_id IS NOT NEW.cohort_id OR OLD.state IS NOT NEW.state OR "
               "OLD.municipality_code IS NOT NEW.municipality_code OR "
               "OLD.admitted_member_count IS NOT NEW.admitted_member_count")));
  return *kSchema;
}

absl::Status BackfillAdmittedCounts(SQLite::Database& db) {
  SQLite::Statement rows(
      db, "SELECT seq, data FROM applications WHERE admitted_member_count IS NULL");
  std::vector<std::pair<int64_t, int>> found;
  while (rows.executeStep()) {
    v1::Application app;
    RETURN_IF_ERROR(storage::Parse(rows.getColumn(1), &app));
    found.emplace_back(rows.getColumn(0).getInt64(), app.admitted_member_count());
  }
  if (found.empty()) return absl::OkStatus();
  SQLite::Statement update(db,
                           "UPDATE applications SET admitted_member_count = ?2 WHERE seq = ?1");
  for (const auto& [seq, count] : found) {
    update.bind(1, seq);
    update.bind(2, count);
    update.exec();
    update.reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<UsageRow>> List(SQLite::Database& db, const std::string& cohort_id) {
  storage::CachedStatement q(
      db,
      "SELECT municipality_code, holders, seats FROM cohort_usage WHERE cohort_id = ?1 "
      "ORDER BY municipality_code");
  q->bind(1, cohort_id);
  std::vector<UsageRow> out;
  while (q->executeStep()) {
    UsageRow row;
    row.municipality_code = q->getColumn(0).getString();
    row.holders = q->getColumn(1).getInt();
    row.seats = q->getColumn(2).getInt();
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::optional<UsageRow>> HeldBy(SQLite::Database& db,
                                               const std::string& cohort_id,
                                               const std::string& application_id) {
  storage::CachedStatement q(
      db,
      "SELECT municipality_code, COALESCE(admitted_member_count, 0) FROM applications "
      "WHERE cohort_id = ?1 AND id = ?2 AND state = 4");
  q->bind(1, cohort_id);
  q->bind(2, application_id);
  if (!q->executeStep()) return std::optional<UsageRow>();
  UsageRow row;
  row.municipality_code = q->getColumn(0).getString();
  row.holders = 1;
  row.seats = q->getColumn(1).getInt();
  return std::optional<UsageRow>(std::move(row));
}

}  // namespace kaizen::enrollment::usage_sql
