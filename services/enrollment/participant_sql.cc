#include "services/enrollment/participant_sql.h"

#include "SQLiteCpp/Statement.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "common/storage/statement_cache.h"
#include "services/enrollment/enrollment_rows.h"

namespace kaizen::enrollment::participant_sql {
namespace {

using enrollment_rows::BindOptional;
using enrollment_rows::ParticipantName;
using storage::BindBlob;
using storage::ExecInsert;
using storage::Parse;
using storage::ReadAll;
using storage::SqlLimit;

std::string StoredParticipant(const v1::Participant& participant) {
  v1::Participant stored = participant;
  stored.clear_etag();
  stored.clear_municipality_name();
  return stored.SerializeAsString();
}

// Columns: seq, cohort_id, id, revision, data.
absl::StatusOr<ParticipantRecord> ReadParticipant(SQLite::Statement& row) {
  ParticipantRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.cohort_id = row.getColumn(1).getString();
  record.id = row.getColumn(2).getString();
  record.revision = row.getColumn(3).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(4), &record.participant));
  return record;
}

// ?1..?8 as both the INSERT and the UPDATE number them.
void BindParticipant(SQLite::Statement& statement, const ParticipantRecord& record,
                     int64_t revision) {
  const v1::Participant& participant = record.participant;
  statement.bind(1, record.cohort_id);
  statement.bind(2, record.id);
  statement.bind(3, static_cast<int>(participant.role()));
  statement.bind(4, static_cast<int>(participant.state()));
  statement.bind(5, participant.municipality_code());
  statement.bind(6, participant.subject());
  statement.bind(7, revision);
  BindBlob(statement, 8, StoredParticipant(participant));
}

}  // namespace

absl::StatusOr<ParticipantRecord> Get(SQLite::Database& db, const std::string& cohort_id,
                                      const std::string& id) {
  storage::CachedStatement query(
      db,
      "SELECT seq, cohort_id, id, revision, data FROM participants "
      "WHERE cohort_id = ?1 AND id = ?2");
  query->bind(1, cohort_id);
  query->bind(2, id);
  if (!query->executeStep()) {
    return errors::NotFound("Participant", ParticipantName(cohort_id, id));
  }
  return ReadParticipant(*query);
}

absl::Status Insert(SQLite::Database& db, ParticipantRecord* record) {
  // A plain INSERT, on purpose: `INSERT OR REPLACE` (or any REPLACE
  // resolution) would delete a clashing row without firing the seat
  // counters' delete trigger and leave its seat counted (usage_sql.h).
  storage::CachedStatement insert(
      db,
      "INSERT INTO participants (cohort_id, id, role, state, "
      "municipality_code, subject, revision, data) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  BindParticipant(*insert, *record, record->revision);
  RETURN_IF_ERROR(ExecInsert(*insert, "Participant",
                             ParticipantName(record->cohort_id, record->id)));
  record->seq = db.getLastInsertRowid();
  return absl::OkStatus();
}

absl::Status Update(SQLite::Database& db, ParticipantRecord* record) {
  const int64_t revision = record->revision + 1;
  storage::CachedStatement update(
      db,
      "UPDATE participants SET role = ?3, state = ?4, "
      "municipality_code = ?5, subject = ?6, revision = ?7, data = ?8 "
      "WHERE cohort_id = ?1 AND id = ?2");
  BindParticipant(*update, *record, revision);
  if (update->exec() == 0) {
    return errors::NotFound("Participant",
                            ParticipantName(record->cohort_id, record->id));
  }
  record->revision = revision;
  return absl::OkStatus();
}

// Staff only: the literal `role <> 1` (PARTICIPANT) is what lets SQLite
// read the participants_staff partial index (migration 13), so every
// arrival's staff check reads the few staff rows, not every participant.
static_assert(v1::Participant::PARTICIPANT == 1, "participants_staff's literal");
#define KAIZEN_PARTICIPANT_LIST_SQL(staff_term)                                         \
  "SELECT seq, cohort_id, id, revision, data FROM participants WHERE cohort_id = ?1 " \
  staff_term "AND seq > ?2 AND (?3 IS NULL OR role = ?3) AND (?4 IS NULL OR state = ?4) " \
  "AND (?5 = '' OR municipality_code = ?5) ORDER BY seq LIMIT ?6"
const char kListStaffSql[] = KAIZEN_PARTICIPANT_LIST_SQL("AND role <> 1 ");
const char kListSql[] = KAIZEN_PARTICIPANT_LIST_SQL("");
#undef KAIZEN_PARTICIPANT_LIST_SQL

absl::StatusOr<std::vector<ParticipantRecord>> List(SQLite::Database& db,
                                                    const std::string& cohort_id,
                                                    const ParticipantFilter& filter,
                                                    int64_t after_seq, int limit) {
  // Rows that do not match are skipped before their proto is parsed.
  storage::CachedStatement query(db, filter.staff_only ? kListStaffSql : kListSql);
  query->bind(1, cohort_id);
  query->bind(2, after_seq);
  BindOptional(*query, 3, filter.role);
  BindOptional(*query, 4, filter.state);
  query->bind(5, filter.municipality_code);
  query->bind(6, SqlLimit(limit));
  return ReadAll<ParticipantRecord>(*query, &ReadParticipant);
}

absl::StatusOr<std::vector<ParticipantRecord>> ListBySubject(SQLite::Database& db,
                                                             const std::string& subject) {
  if (subject.empty()) return std::vector<ParticipantRecord>();
  storage::CachedStatement query(
      db,
      "SELECT seq, cohort_id, id, revision, data FROM participants "
      "WHERE subject = ?1 ORDER BY seq");
  query->bind(1, subject);
  return ReadAll<ParticipantRecord>(*query, &ReadParticipant);
}

}  // namespace kaizen::enrollment::participant_sql
