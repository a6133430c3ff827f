#include "services/enrollment/usage_sql.h"

#include <cstdint>
#include <utility>

#include "SQLiteCpp/Statement.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "common/storage/statement_cache.h"

namespace kaizen::enrollment::usage_sql {

// Migration 11, as shipped. Never edit it: a database that ran it keeps what
// it created; a change is a new migration (enrollment_schema_test pins
// every migration's text). Enum numbers as stored:
// Application.State OFFERED = 4; Participant.Role PARTICIPANT = 1,
// Participant.State ACTIVE = 1 (fixed by the proto). A seat holder's update
// is "old holder leaves, new holder comes", only when a column that decides
// what it holds changed (the update triggers' WHEN). Existing OFFERED
// applications count as holders of 0 seats (their column is NULL) until
// BackfillAdmittedCounts sets it: the update triggers then move them to their
// real seats, exactly as for any later write.
const char kSchemaV11[] = R"sql(
ALTER TABLE applications ADD COLUMN admitted_member_count INTEGER;
CREATE INDEX applications_count_unset ON applications (seq) WHERE admitted_member_count IS NULL;
CREATE TABLE cohort_usage (
  cohort_id TEXT NOT NULL,
  municipality_code TEXT NOT NULL,
  holders INTEGER NOT NULL,
  seats INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, municipality_code)
) WITHOUT ROWID;
INSERT INTO cohort_usage (cohort_id, municipality_code, holders, seats)
  SELECT cohort_id, municipality_code, SUM(h), SUM(s) FROM (
    SELECT cohort_id, municipality_code, 1 AS h, 1 AS s FROM participants
    WHERE role = 1 AND state = 1
    UNION ALL
    SELECT cohort_id, municipality_code, 1, COALESCE(admitted_member_count, 0)
    FROM applications WHERE state = 4)
  GROUP BY cohort_id, municipality_code;

CREATE TRIGGER participants_usage_insert AFTER INSERT ON participants
WHEN NEW.role = 1 AND NEW.state = 1 BEGIN
  INSERT INTO cohort_usage (cohort_id, municipality_code, holders, seats)
    VALUES (NEW.cohort_id, NEW.municipality_code, 1, 1)
    ON CONFLICT (cohort_id, municipality_code) DO UPDATE SET
      holders = holders + 1, seats = seats + excluded.seats;
END;
CREATE TRIGGER participants_usage_delete AFTER DELETE ON participants
WHEN OLD.role = 1 AND OLD.state = 1 BEGIN
  UPDATE cohort_usage SET holders = holders - 1, seats = seats - (1)
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code;
  DELETE FROM cohort_usage
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code
      AND holders <= 0;
END;
CREATE TRIGGER participants_usage_update_old
AFTER UPDATE OF cohort_id, role, state, municipality_code ON participants
WHEN OLD.role = 1 AND OLD.state = 1 AND (OLD.cohort_id IS NOT NEW.cohort_id OR
  OLD.role IS NOT NEW.role OR OLD.state IS NOT NEW.state OR
  OLD.municipality_code IS NOT NEW.municipality_code) BEGIN
  UPDATE cohort_usage SET holders = holders - 1, seats = seats - (1)
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code;
  DELETE FROM cohort_usage
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code
      AND holders <= 0;
END;
CREATE TRIGGER participants_usage_update_new
AFTER UPDATE OF cohort_id, role, state, municipality_code ON participants
WHEN NEW.role = 1 AND NEW.state = 1 AND (OLD.cohort_id IS NOT NEW.cohort_id OR
  OLD.role IS NOT NEW.role OR OLD.state IS NOT NEW.state OR
  OLD.municipality_code IS NOT NEW.municipality_code) BEGIN
  INSERT INTO cohort_usage (cohort_id, municipality_code, holders, seats)
    VALUES (NEW.cohort_id, NEW.municipality_code, 1, 1)
    ON CONFLICT (cohort_id, municipality_code) DO UPDATE SET
      holders = holders + 1, seats = seats + excluded.seats;
END;

CREATE TRIGGER applications_usage_insert AFTER INSERT ON applications
WHEN NEW.state = 4 BEGIN
  INSERT INTO cohort_usage (cohort_id, municipality_code, holders, seats)
    VALUES (NEW.cohort_id, NEW.municipality_code, 1, COALESCE(NEW.admitted_member_count, 0))
    ON CONFLICT (cohort_id, municipality_code) DO UPDATE SET
      holders = holders + 1, seats = seats + excluded.seats;
END;
CREATE TRIGGER applications_usage_delete AFTER DELETE ON applications
WHEN OLD.state = 4 BEGIN
  UPDATE cohort_usage SET holders = holders - 1,
      seats = seats - (COALESCE(OLD.admitted_member_count, 0))
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code;
  DELETE FROM cohort_usage
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code
      AND holders <= 0;
END;
CREATE TRIGGER applications_usage_update_old
AFTER UPDATE OF cohort_id, state, municipality_code, admitted_member_count ON applications
WHEN OLD.state = 4 AND (OLD.cohort_id IS NOT NEW.cohort_id OR OLD.state IS NOT NEW.state OR
  OLD.municipality_code IS NOT NEW.municipality_code OR
  OLD.admitted_member_count IS NOT NEW.admitted_member_count) BEGIN
  UPDATE cohort_usage SET holders = holders - 1,
      seats = seats - (COALESCE(OLD.admitted_member_count, 0))
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code;
  DELETE FROM cohort_usage
    WHERE cohort_id = OLD.cohort_id AND municipality_code = OLD.municipality_code
      AND holders <= 0;
END;
CREATE TRIGGER applications_usage_update_new
AFTER UPDATE OF cohort_id, state, municipality_code, admitted_member_count ON applications
WHEN NEW.state = 4 AND (OLD.cohort_id IS NOT NEW.cohort_id OR OLD.state IS NOT NEW.state OR
  OLD.municipality_code IS NOT NEW.municipality_code OR
  OLD.admitted_member_count IS NOT NEW.admitted_member_count) BEGIN
  INSERT INTO cohort_usage (cohort_id, municipality_code, holders, seats)
    VALUES (NEW.cohort_id, NEW.municipality_code, 1, COALESCE(NEW.admitted_member_count, 0))
    ON CONFLICT (cohort_id, municipality_code) DO UPDATE SET
      holders = holders + 1, seats = seats + excluded.seats;
END;
)sql";

// Migration 14, as shipped (never edit it, as above). WAITLISTED = 3. The
// count of a cohort's waiting list, so an arrival's max_waitlist check and
// the newest arrival's place read one row instead of counting the list. A
// counter that reaches 0 is deleted, as cohort_usage's are.
const char kSchemaV14[] = R"sql(
CREATE TABLE cohort_waiting (
  cohort_id TEXT PRIMARY KEY,
  waiting INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO cohort_waiting (cohort_id, waiting)
  SELECT cohort_id, COUNT(*) FROM applications WHERE state = 3 GROUP BY cohort_id;

CREATE TRIGGER applications_waiting_insert AFTER INSERT ON applications
WHEN NEW.state = 3 BEGIN
  INSERT INTO cohort_waiting (cohort_id, waiting) VALUES (NEW.cohort_id, 1)
    ON CONFLICT (cohort_id) DO UPDATE SET waiting = waiting + 1;
END;
CREATE TRIGGER applications_waiting_delete AFTER DELETE ON applications
WHEN OLD.state = 3 BEGIN
  UPDATE cohort_waiting SET waiting = waiting - 1 WHERE cohort_id = OLD.cohort_id;
  DELETE FROM cohort_waiting WHERE cohort_id = OLD.cohort_id AND waiting <= 0;
END;
CREATE TRIGGER applications_waiting_update_old AFTER UPDATE OF cohort_id, state ON applications
WHEN OLD.state = 3 AND (OLD.cohort_id IS NOT NEW.cohort_id OR NEW.state IS NOT 3) BEGIN
  UPDATE cohort_waiting SET waiting = waiting - 1 WHERE cohort_id = OLD.cohort_id;
  DELETE FROM cohort_waiting WHERE cohort_id = OLD.cohort_id AND waiting <= 0;
END;
CREATE TRIGGER applications_waiting_update_new AFTER UPDATE OF cohort_id, state ON applications
WHEN NEW.state = 3 AND (OLD.cohort_id IS NOT NEW.cohort_id OR OLD.state IS NOT 3) BEGIN
  INSERT INTO cohort_waiting (cohort_id, waiting) VALUES (NEW.cohort_id, 1)
    ON CONFLICT (cohort_id) DO UPDATE SET waiting = waiting + 1;
END;
)sql";

const char kWaitingSql[] = "SELECT waiting FROM cohort_waiting WHERE cohort_id = ?1";

absl::StatusOr<int64_t> Waiting(SQLite::Database& db, const std::string& cohort_id) {
  storage::CachedStatement query(db, kWaitingSql);
  query->bind(1, cohort_id);
  return query->executeStep() ? query->getColumn(0).getInt64() : 0;
}

absl::Status BackfillAdmittedCounts(SQLite::Database& db) {
  // Only an OFFERED row's count holds seats, so only those protos are
  // parsed; every other unset row gets 0 in one statement (no counter moves:
  // the update triggers look at OFFERED rows only). Application writes
  // rewrite the column from the proto, so a row leaving a state later gets
  // its real count the moment it is written as OFFERED.
  SQLite::Statement rows(
      db,
      "SELECT seq, data FROM applications WHERE admitted_member_count IS NULL AND state = 4");
  std::vector<std::pair<int64_t, int>> found;
  while (rows.executeStep()) {
    v1::Application app;
    RETURN_IF_ERROR(storage::Parse(rows.getColumn(1), &app));
    found.emplace_back(rows.getColumn(0).getInt64(), app.admitted_member_count());
  }
  if (!found.empty()) {
    SQLite::Statement update(
        db, "UPDATE applications SET admitted_member_count = ?2 WHERE seq = ?1");
    for (const auto& [seq, count] : found) {
      update.bind(1, seq);
      update.bind(2, count);
      update.exec();
      update.reset();
    }
  }
  db.exec("UPDATE applications SET admitted_member_count = 0 WHERE admitted_member_count IS NULL");
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
