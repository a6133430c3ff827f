#include "services/enrollment/application_sql.h"

#include <algorithm>
#include <vector>

#include "SQLiteCpp/Statement.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "common/storage/statement_cache.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/enrollment_rows.h"

namespace kaizen::enrollment::application_sql {
namespace {

using enrollment_rows::ApplicationName;
using enrollment_rows::BindOptional;
using storage::BindBlob;
using storage::ExecInsert;
using storage::Parse;
using storage::ReadAll;
using storage::SqlLimit;

std::string StoredApplication(const v1::Application& application) {
  v1::Application stored = application;
  stored.clear_access_token();
  stored.clear_etag();
  stored.clear_waitlist_position();
  // Names are looked up when a response is made (municipalities.h).
  stored.clear_municipality_name();
  for (v1::Applicant& m : *stored.mutable_members()) m.clear_municipality_name();
  return stored.SerializeAsString();
}

// Columns: seq, cohort_id, id, revision, data.
absl::StatusOr<ApplicationRecord> ReadApplication(SQLite::Statement& row) {
  ApplicationRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.cohort_id = row.getColumn(1).getString();
  record.id = row.getColumn(2).getString();
  record.revision = row.getColumn(3).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(4), &record.application));
  return record;
}

// applications.confirm_expire_micros: the deadline of an application still
// waiting for e-mail confirmation (SUBMITTED, not arrived), else NULL.
void BindConfirmExpire(SQLite::Statement& statement, int index, const v1::Application& app) {
  if (app.state() == v1::Application::SUBMITTED && app.has_confirm_expire_time() &&
      !app.has_arrival_time()) {
    statement.bind(index, app.confirm_expire_time().seconds() * 1000000 +
                              app.confirm_expire_time().nanos() / 1000);
  } else {
    statement.bind(index);
  }
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// offer_expire_micros (migration 12): the offer's deadline while OFFERED,
// NULL otherwise, derived from the proto on every write.
void BindOfferExpire(SQLite::Statement& statement, int index, const v1::Application& app) {
  if (app.state() == v1::Application::OFFERED) {
    statement.bind(index, Micros(app.offer_expire_time()));
  } else {
    statement.bind(index);
  }
}

}  // namespace

const char kSchemaV12[] = R"sql(
ALTER TABLE applications ADD COLUMN offer_expire_micros INTEGER;
CREATE INDEX applications_offer_expiry ON applications (cohort_id, offer_expire_micros)
  WHERE state = 4;
)sql";

absl::Status BackfillOfferExpiry(SQLite::Database& db) {
  SQLite::Statement rows(
      db, "SELECT seq, data FROM applications WHERE state = 4 AND offer_expire_micros IS NULL");
  std::vector<std::pair<int64_t, int64_t>> found;
  while (rows.executeStep()) {
    v1::Application app;
    RETURN_IF_ERROR(storage::Parse(rows.getColumn(1), &app));
    found.emplace_back(rows.getColumn(0).getInt64(), Micros(app.offer_expire_time()));
  }
  SQLite::Statement update(db, "UPDATE applications SET offer_expire_micros = ?2 WHERE seq = ?1");
  for (const auto& [seq, micros] : found) {
    update.bind(1, seq);
    update.bind(2, micros);
    update.exec();
    update.reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<ApplicationRecord> Get(SQLite::Database& db, const std::string& cohort_id,
                                      const std::string& id) {
  storage::CachedStatement query(
      db,
      "SELECT seq, cohort_id, id, revision, data FROM applications "
      "WHERE cohort_id = ?1 AND id = ?2");
  query->bind(1, cohort_id);
  query->bind(2, id);
  if (!query->executeStep()) {
    return errors::NotFound("Application", ApplicationName(cohort_id, id));
  }
  return ReadApplication(*query);
}

absl::Status Insert(SQLite::Database& db, ApplicationRecord* record) {
  // A plain INSERT, on purpose: `INSERT OR REPLACE` (or any REPLACE
  // resolution) would delete a clashing row without firing the seat
  // counters' delete trigger and leave its seats counted (usage_sql.h).
  const v1::Application& application = record->application;
  storage::CachedStatement insert(
      db,
      "INSERT INTO applications (cohort_id, id, state, municipality_code, "
      "priority, revision, data, submitter, confirm_expire_micros, admitted_member_count, "
      "offer_expire_micros) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  insert->bind(1, record->cohort_id);
  insert->bind(2, record->id);
  insert->bind(3, static_cast<int>(application.state()));
  insert->bind(4, application.municipality_code());
  insert->bind(5, application.priority());
  insert->bind(6, record->revision);
  BindBlob(*insert, 7, StoredApplication(application));
  insert->bind(8, application.submitter());
  BindConfirmExpire(*insert, 9, application);
  insert->bind(10, application.admitted_member_count());
  BindOfferExpire(*insert, 11, application);
  RETURN_IF_ERROR(ExecInsert(*insert, "Application",
                             ApplicationName(record->cohort_id, record->id)));
  record->seq = db.getLastInsertRowid();
  return absl::OkStatus();
}

absl::Status Update(SQLite::Database& db, ApplicationRecord* record) {
  const v1::Application& application = record->application;
  const int64_t revision = record->revision + 1;
  storage::CachedStatement update(
      db,
      "UPDATE applications SET state = ?3, municipality_code = ?4, "
      "priority = ?5, revision = ?6, data = ?7, submitter = ?8, "
      "confirm_expire_micros = ?9, admitted_member_count = ?10, offer_expire_micros = ?11 "
      "WHERE cohort_id = ?1 AND id = ?2");
  update->bind(1, record->cohort_id);
  update->bind(2, record->id);
  update->bind(3, static_cast<int>(application.state()));
  update->bind(4, application.municipality_code());
  update->bind(5, application.priority());
  update->bind(6, revision);
  BindBlob(*update, 7, StoredApplication(application));
  update->bind(8, application.submitter());
  BindConfirmExpire(*update, 9, application);
  update->bind(10, application.admitted_member_count());
  BindOfferExpire(*update, 11, application);
  if (update->exec() == 0) {
    return errors::NotFound("Application",
                            ApplicationName(record->cohort_id, record->id));
  }
  record->revision = revision;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ApplicationRecord>> List(SQLite::Database& db,
                                                    const std::string& cohort_id,
                                                    const ApplicationFilter& filter,
                                                    std::optional<QueuePosition> after,
                                                    int limit) {
  if (filter.offer_expire_by.has_value()) {
    // The partial index applications_offer_expiry (state = 4) finds the
    // lapsed offers. Every write of an application runs this (usually to
    // find none), so they are put in queue order here: an ORDER BY made
    // SQLite set up a sorter at each run, 8 % of the writer's statement
    // time per create (docs/benchmarks.md, eleventh look).
    storage::CachedStatement lapsed(
        db,
        "SELECT seq, cohort_id, id, revision, data FROM applications "
        "WHERE cohort_id = ?1 AND state = 4 AND offer_expire_micros <= ?2");
    lapsed->bind(1, cohort_id);
    lapsed->bind(2, absl::ToUnixMicros(*filter.offer_expire_by));
    ASSIGN_OR_RETURN(std::vector<ApplicationRecord> found,
                     ReadAll<ApplicationRecord>(*lapsed, &ReadApplication));
    std::sort(found.begin(), found.end(),
              [](const ApplicationRecord& a, const ApplicationRecord& b) {
                if (a.application.priority() != b.application.priority()) {
                  return a.application.priority() > b.application.priority();
                }
                return a.seq < b.seq;
              });
    if (limit > 0 && found.size() > static_cast<size_t>(limit)) found.resize(limit);
    return found;
  }
  // The ORDER BY matches applications_queue, so pages need no sort.
  SQLite::Statement query(
      db,
      "SELECT seq, cohort_id, id, revision, data FROM applications "
      "WHERE cohort_id = ?1 AND (?2 IS NULL OR state = ?2) "
      "AND (?3 = '' OR municipality_code = ?3) "
      "AND (?4 IS NULL OR priority < ?4 OR (priority = ?4 AND seq > ?5)) "
      "ORDER BY priority DESC, seq LIMIT ?6");
  query.bind(1, cohort_id);
  BindOptional(query, 2, filter.state);
  query.bind(3, filter.municipality_code);
  if (after.has_value()) {
    query.bind(4, after->priority);
    query.bind(5, after->seq);
  } else {
    query.bind(4);
    query.bind(5);
  }
  query.bind(6, SqlLimit(limit));
  return ReadAll<ApplicationRecord>(query, &ReadApplication);
}

const char kCountInStateSql[] =
    "SELECT COUNT(*) FROM applications WHERE cohort_id = ?1 AND state = ?2";

const char kWaitlistPlaceSql[] =
    "SELECT CASE WHEN me.seq = (SELECT seq FROM sqlite_sequence WHERE name = 'applications') "
    "AND cohort_waiting.waiting IS NOT NULL "
    "THEN cohort_waiting.waiting - "
    "(SELECT COUNT(*) FROM applications a WHERE a.cohort_id = me.cohort_id "
    "AND a.state = me.state AND a.priority < me.priority) "
    "ELSE (SELECT COUNT(*) FROM applications a WHERE a.cohort_id = me.cohort_id "
    "AND a.state = me.state AND a.priority > me.priority) + "
    "(SELECT COUNT(*) FROM applications a WHERE a.cohort_id = me.cohort_id "
    "AND a.state = me.state AND a.priority = me.priority AND a.seq < me.seq) + 1 END "
    "FROM applications me LEFT JOIN cohort_waiting ON cohort_waiting.cohort_id = me.cohort_id "
    "WHERE me.cohort_id = ?1 AND me.id = ?2 AND me.state = ?3";

absl::StatusOr<int64_t> Count(SQLite::Database& db, const std::string& cohort_id,
                              v1::Application::State state) {
  storage::CachedStatement query(db, kCountInStateSql);
  query->bind(1, cohort_id);
  query->bind(2, static_cast<int>(state));
  query->executeStep();
  return query->getColumn(0).getInt64();
}

absl::StatusOr<int> WaitlistPlace(SQLite::Database& db, const std::string& cohort_id,
                                  const std::string& id) {
  // Ahead of it: higher priority, or the same priority and arrived earlier
  // (applications_queue's order). Two counts over ranges of
  // applications_by_state (cohort, state, priority DESC, seq; migration
  // 13): they read only the index entries ahead of it, never a row. For the
  // newest arrival (the greatest seq the table ever gave: an insert, or a
  // confirmed application moved to the end) that is everyone waiting, so
  // instead: the waiting-list counter (migration 14) less those of a lower
  // priority, usually none. SQLite runs only the branch the CASE takes; a
  // missing counter row (never, while the triggers hold) takes the counts.
  // Relies on: seq is only ever given by AUTOINCREMENT or by MoveToQueueEnd,
  // which raises sqlite_sequence first. An UPDATE of seq that does not (a
  // repair script, a backfill) would leave a row holding the counter's seq
  // that is not last, and give it the whole list's place.
  storage::CachedStatement query(db, kWaitlistPlaceSql);
  query->bind(1, cohort_id);
  query->bind(2, id);
  query->bind(3, static_cast<int>(v1::Application::WAITLISTED));
  if (!query->executeStep()) return 0;
  return query->getColumn(0).getInt();
}

absl::StatusOr<int64_t> Count(SQLite::Database& db, const std::string& cohort_id,
                              const ApplicationFilter& filter) {
  SQLite::Statement query(
      db,
      "SELECT COUNT(*) FROM applications WHERE cohort_id = ?1 "
      "AND (?2 IS NULL OR state = ?2) AND (?3 = '' OR municipality_code = ?3)");
  query.bind(1, cohort_id);
  BindOptional(query, 2, filter.state);
  query.bind(3, filter.municipality_code);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

absl::StatusOr<std::vector<ApplicationRecord>> ListBySubmitter(SQLite::Database& db,
                                                               const std::string& subject) {
  if (subject.empty()) return std::vector<ApplicationRecord>();
  storage::CachedStatement query(
      db,
      "SELECT seq, cohort_id, id, revision, data FROM applications "
      "WHERE submitter = ?1 ORDER BY seq");
  query->bind(1, subject);
  return ReadAll<ApplicationRecord>(*query, &ReadApplication);
}

absl::StatusOr<std::vector<ApplicationRecord>> ListConfirmationsDue(SQLite::Database& db,
                                                                    absl::Time now, int limit) {
  // Served by applications_confirm_due (a partial index): only due rows.
  SQLite::Statement query(
      db,
      "SELECT seq, cohort_id, id, revision, data FROM applications "
      "WHERE confirm_expire_micros <= ?1 ORDER BY confirm_expire_micros LIMIT ?2");
  query.bind(1, absl::ToUnixMicros(now));
  query.bind(2, SqlLimit(limit));
  return ReadAll<ApplicationRecord>(query, &ReadApplication);
}

// A key is taken once per cohort (the table's primary key): a clash inserts nothing.
constexpr char kReserveEmailSql[] =
    "INSERT OR IGNORE INTO application_emails "
    "(cohort_id, email_key, application_id) VALUES (?1, ?2, ?3)";

absl::Status ReserveEmails(SQLite::Database& db, const std::string& cohort_id,
                           const std::string& application_id,
                           const std::vector<std::string>& email_keys) {
  if (email_keys.size() == 1) {
    // One key (a one-person application, the common case): insert, and
    // read the holder only when the key was already there; a conflict
    // still reserves nothing.
    storage::CachedStatement insert(db, kReserveEmailSql);
    insert->bind(1, cohort_id);
    insert->bind(2, email_keys.front());
    insert->bind(3, application_id);
    const int inserted = insert->exec();
    insert->reset();
    if (inserted == 1) return absl::OkStatus();
  }
  // Check every key before reserving any, so a conflict reserves nothing
  // even if the caller goes on to commit.
  storage::CachedStatement holder(
      db,
      "SELECT application_id FROM application_emails "
      "WHERE cohort_id = ?1 AND email_key = ?2");
  holder->bind(1, cohort_id);
  for (const std::string& key : email_keys) {
    holder->bind(2, key);
    if (holder->executeStep()) {
      const std::string holder_id = holder->getColumn(0).getString();
      if (holder_id != application_id) {
        // Neither the key (derived from someone's e-mail address) nor the
        // holding application's name: the caller may be anyone probing.
        return DuplicateApplicant();
      }
    }
    holder->reset();
  }
  storage::CachedStatement insert(db, kReserveEmailSql);
  insert->bind(1, cohort_id);
  insert->bind(3, application_id);
  for (const std::string& key : email_keys) {
    insert->bind(2, key);
    insert->exec();
    insert->reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> EmailHolder(SQLite::Database& db,
                                                       const std::string& cohort_id,
                                                       const std::string& email_key) {
  storage::CachedStatement holder(
      db,
      "SELECT application_id FROM application_emails "
      "WHERE cohort_id = ?1 AND email_key = ?2");
  holder->bind(1, cohort_id);
  holder->bind(2, email_key);
  if (!holder->executeStep()) return std::optional<std::string>();
  return std::optional<std::string>(holder->getColumn(0).getString());
}

absl::Status MoveToQueueEnd(SQLite::Database& db, ApplicationRecord* record) {
  // AUTOINCREMENT's counter is the largest seq ever handed out; taking
  // the next one by hand keeps later inserts above it too, and keeps the
  // invariant WaitlistPlace's shortcut relies on (the row holding that seq
  // is the last arrival). Any other code that writes seq must do the same.
  SQLite::Statement bump(
      db, "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'applications'");
  bump.exec();
  SQLite::Statement move(
      db,
      "UPDATE applications SET seq = "
      "(SELECT seq FROM sqlite_sequence WHERE name = 'applications') "
      "WHERE cohort_id = ?1 AND id = ?2");
  move.bind(1, record->cohort_id);
  move.bind(2, record->id);
  if (move.exec() == 0) {
    return errors::NotFound("Application", ApplicationName(record->cohort_id, record->id));
  }
  SQLite::Statement next(db, "SELECT seq FROM sqlite_sequence WHERE name = 'applications'");
  next.executeStep();
  record->seq = next.getColumn(0).getInt64();
  return absl::OkStatus();
}

absl::Status ReleaseEmails(SQLite::Database& db, const std::string& cohort_id,
                           const std::string& application_id) {
  storage::CachedStatement remove(
      db,
      "DELETE FROM application_emails "
      "WHERE cohort_id = ?1 AND application_id = ?2");
  remove->bind(1, cohort_id);
  remove->bind(2, application_id);
  remove->exec();
  return absl::OkStatus();
}

}  // namespace kaizen::enrollment::application_sql
