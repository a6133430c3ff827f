#include "services/plans/plans_store.h"

#include <sqlite3.h>

#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "clients/partner/result_changes_contract.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "google/protobuf/message_lite.h"
#include "services/plans/purge_sql.h"

namespace kaizen::plans {
namespace {

using storage::BindBlob;
using storage::ExecInsert;
using storage::Parse;
using storage::ReadAll;
using storage::SqlLimit;

// Cohorts live in the enrollment service, so plans carry cohort_id without a
// foreign key; everything under a plan references it, so a revision, feedback
// or practice entry of a plan that does not exist is refused
// (FAILED_PRECONDITION, CONSTRAINT_VIOLATION) rather than stored as an orphan.
// Each table's listing order has an index, so a page is an index range scan.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE plans (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  cohort_id TEXT NOT NULL,
  id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (cohort_id, id)
);
CREATE INDEX plans_by_cohort ON plans (cohort_id, seq);

CREATE TABLE revisions (
  cohort_id TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (cohort_id, plan_id, number),
  FOREIGN KEY (cohort_id, plan_id) REFERENCES plans (cohort_id, id)
) WITHOUT ROWID;

CREATE TABLE feedback (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  cohort_id TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (cohort_id, plan_id, id),
  FOREIGN KEY (cohort_id, plan_id) REFERENCES plans (cohort_id, id)
);
CREATE INDEX feedback_by_plan ON feedback (cohort_id, plan_id, seq);

CREATE TABLE practice (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  cohort_id TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  id TEXT NOT NULL,
  day INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (cohort_id, plan_id, id),
  FOREIGN KEY (cohort_id, plan_id) REFERENCES plans (cohort_id, id)
);
CREATE INDEX practice_by_plan ON practice (cohort_id, plan_id, day, seq);
)sql";

std::string PlanName(absl::string_view cohort_id, absl::string_view id) {
  return absl::StrCat("cohorts/", cohort_id, "/plans/", id);
}

std::string RevisionName(absl::string_view cohort_id, absl::string_view plan_id,
                         int64_t number) {
  return absl::StrCat(PlanName(cohort_id, plan_id), "/revisions/r", number);
}

std::string FeedbackName(absl::string_view cohort_id, absl::string_view plan_id,
                         absl::string_view id) {
  return absl::StrCat(PlanName(cohort_id, plan_id), "/feedback/", id);
}

std::string PracticeName(absl::string_view cohort_id, absl::string_view plan_id,
                         absl::string_view id) {
  return absl::StrCat(PlanName(cohort_id, plan_id), "/practice/", id);
}

// The etag and draft_changed are derived on every read by the service.
std::string StoredPlanBytes(const v1::Plan& plan) {
  v1::Plan stored = plan;
  stored.clear_etag();
  stored.clear_draft_changed();
  return stored.SerializeAsString();
}

std::string StoredFeedback(const v1::Feedback& feedback) {
  v1::Feedback stored = feedback;
  stored.clear_etag();
  return stored.SerializeAsString();
}

// YYYYMMDD sorts like the date it encodes.
int32_t PracticeDay(const v1::PracticeEntry& entry) {
  return entry.date().year() * 10000 + entry.date().month() * 100 + entry.date().day();
}

// Columns: seq, cohort_id, id, revision, data.
absl::StatusOr<PlanRecord> ReadPlan(SQLite::Statement& row) {
  PlanRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.cohort_id = row.getColumn(1).getString();
  record.id = row.getColumn(2).getString();
  record.revision = row.getColumn(3).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(4), &record.plan));
  return record;
}

// Columns: cohort_id, plan_id, number, data.
absl::StatusOr<RevisionRecord> ReadRevision(SQLite::Statement& row) {
  RevisionRecord record;
  record.cohort_id = row.getColumn(0).getString();
  record.plan_id = row.getColumn(1).getString();
  record.number = row.getColumn(2).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(3), &record.revision));
  return record;
}

// Columns: seq, cohort_id, plan_id, id, revision, data.
absl::StatusOr<FeedbackRecord> ReadFeedback(SQLite::Statement& row) {
  FeedbackRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.cohort_id = row.getColumn(1).getString();
  record.plan_id = row.getColumn(2).getString();
  record.id = row.getColumn(3).getString();
  record.revision = row.getColumn(4).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(5), &record.feedback));
  return record;
}

// Columns: seq, cohort_id, plan_id, id, data.
absl::StatusOr<PracticeRecord> ReadPractice(SQLite::Statement& row) {
  PracticeRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.cohort_id = row.getColumn(1).getString();
  record.plan_id = row.getColumn(2).getString();
  record.id = row.getColumn(3).getString();
  RETURN_IF_ERROR(Parse(row.getColumn(4), &record.entry));
  return record;
}

class SqlitePlansTx final : public PlansTx {
 public:
  explicit SqlitePlansTx(SQLite::Database& db) : db_(db) {}

  // --- plans

  absl::StatusOr<PlanRecord> GetPlan(const std::string& cohort_id,
                                     const std::string& id) override {
    SQLite::Statement query(db_,
                            "SELECT seq, cohort_id, id, revision, data FROM plans "
                            "WHERE cohort_id = ?1 AND id = ?2");
    query.bind(1, cohort_id);
    query.bind(2, id);
    if (!query.executeStep()) return errors::NotFound("Plan", PlanName(cohort_id, id));
    return ReadPlan(query);
  }

  absl::Status InsertPlan(PlanRecord* record) override {
    constexpr int64_t kRevision = 1;
    SQLite::Statement insert(db_,
                             "INSERT INTO plans (cohort_id, id, revision, data) "
                             "VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, record->cohort_id);
    insert.bind(2, record->id);
    insert.bind(3, kRevision);
    BindBlob(insert, 4, StoredPlanBytes(record->plan));
    RETURN_IF_ERROR(ExecInsert(insert, "Plan", PlanName(record->cohort_id, record->id)));
    record->seq = db_.getLastInsertRowid();
    record->revision = kRevision;
    return absl::OkStatus();
  }

  absl::Status UpdatePlan(PlanRecord* record) override {
    const int64_t revision = record->revision + 1;
    SQLite::Statement update(db_,
                             "UPDATE plans SET revision = ?3, data = ?4 "
                             "WHERE cohort_id = ?1 AND id = ?2");
    update.bind(1, record->cohort_id);
    update.bind(2, record->id);
    update.bind(3, revision);
    BindBlob(update, 4, StoredPlanBytes(record->plan));
    if (update.exec() == 0) {
      return errors::NotFound("Plan", PlanName(record->cohort_id, record->id));
    }
    record->revision = revision;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<PlanRecord>> ListPlans(const std::string& cohort_id,
                                                    int64_t after_seq, int limit) override {
    SQLite::Statement query(db_,
                            "SELECT seq, cohort_id, id, revision, data FROM plans "
                            "WHERE cohort_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    query.bind(1, cohort_id);
    query.bind(2, after_seq);
    query.bind(3, SqlLimit(limit));
    return ReadAll<PlanRecord>(query, &ReadPlan);
  }

  // --- revisions

  absl::Status InsertRevision(const RevisionRecord& record) override {
    SQLite::Statement insert(db_,
                             "INSERT INTO revisions (cohort_id, plan_id, number, data) "
                             "VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, record.cohort_id);
    insert.bind(2, record.plan_id);
    insert.bind(3, record.number);
    BindBlob(insert, 4, record.revision.SerializeAsString());
    return ExecInsert(insert, "Revision",
                      RevisionName(record.cohort_id, record.plan_id, record.number));
  }

  absl::StatusOr<RevisionRecord> GetRevision(const std::string& cohort_id,
                                             const std::string& plan_id,
                                             int64_t number) override {
    SQLite::Statement query(db_,
                            "SELECT cohort_id, plan_id, number, data FROM revisions "
                            "WHERE cohort_id = ?1 AND plan_id = ?2 AND number = ?3");
    query.bind(1, cohort_id);
    query.bind(2, plan_id);
    query.bind(3, number);
    if (!query.executeStep()) {
      return errors::NotFound("Revision", RevisionName(cohort_id, plan_id, number));
    }
    return ReadRevision(query);
  }

  absl::StatusOr<std::vector<RevisionRecord>> ListRevisions(const std::string& cohort_id,
                                                            const std::string& plan_id,
                                                            int64_t before_number,
                                                            int limit) override {
    // Walks the primary key backwards.
    SQLite::Statement query(db_,
                            "SELECT cohort_id, plan_id, number, data FROM revisions "
                            "WHERE cohort_id = ?1 AND plan_id = ?2 "
                            "AND (?3 <= 0 OR number < ?3) "
                            "ORDER BY number DESC LIMIT ?4");
    query.bind(1, cohort_id);
    query.bind(2, plan_id);
    query.bind(3, before_number);
    query.bind(4, SqlLimit(limit));
    return ReadAll<RevisionRecord>(query, &ReadRevision);
  }

  // --- feedback

  absl::StatusOr<FeedbackRecord> GetFeedback(const std::string& cohort_id,
                                             const std::string& plan_id,
                                             const std::string& id) override {
    SQLite::Statement query(db_,
                            "SELECT seq, cohort_id, plan_id, id, revision, data FROM feedback "
                            "WHERE cohort_id = ?1 AND plan_id = ?2 AND id = ?3");
    query.bind(1, cohort_id);
    query.bind(2, plan_id);
    query.bind(3, id);
    if (!query.executeStep()) {
      return errors::NotFound("Feedback", FeedbackName(cohort_id, plan_id, id));
    }
    return ReadFeedback(query);
  }

  absl::Status InsertFeedback(FeedbackRecord* record) override {
    constexpr int64_t kRevision = 1;
    SQLite::Statement insert(db_,
                             "INSERT INTO feedback (cohort_id, plan_id, id, revision, data) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, record->cohort_id);
    insert.bind(2, record->plan_id);
    insert.bind(3, record->id);
    insert.bind(4, kRevision);
    BindBlob(insert, 5, StoredFeedback(record->feedback));
    RETURN_IF_ERROR(ExecInsert(insert, "Feedback",
                               FeedbackName(record->cohort_id, record->plan_id, record->id)));
    record->seq = db_.getLastInsertRowid();
    record->revision = kRevision;
    return absl::OkStatus();
  }

  absl::Status UpdateFeedback(FeedbackRecord* record) override {
    const int64_t revision = record->revision + 1;
    SQLite::Statement update(db_,
                             "UPDATE feedback SET revision = ?4, data = ?5 "
                             "WHERE cohort_id = ?1 AND plan_id = ?2 AND id = ?3");
    update.bind(1, record->cohort_id);
    update.bind(2, record->plan_id);
    update.bind(3, record->id);
    update.bind(4, revision);
    BindBlob(update, 5, StoredFeedback(record->feedback));
    if (update.exec() == 0) {
      return errors::NotFound("Feedback",
                              FeedbackName(record->cohort_id, record->plan_id, record->id));
    }
    record->revision = revision;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<FeedbackRecord>> ListFeedback(const std::string& cohort_id,
                                                           const std::string& plan_id,
                                                           int64_t after_seq,
                                                           int limit) override {
    SQLite::Statement query(db_,
                            "SELECT seq, cohort_id, plan_id, id, revision, data FROM feedback "
                            "WHERE cohort_id = ?1 AND plan_id = ?2 AND seq > ?3 "
                            "ORDER BY seq LIMIT ?4");
    query.bind(1, cohort_id);
    query.bind(2, plan_id);
    query.bind(3, after_seq);
    query.bind(4, SqlLimit(limit));
    return ReadAll<FeedbackRecord>(query, &ReadFeedback);
  }

  // --- practice log

  absl::Status InsertPracticeEntry(PracticeRecord* record) override {
    SQLite::Statement insert(db_,
                             "INSERT INTO practice (cohort_id, plan_id, id, day, data) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, record->cohort_id);
    insert.bind(2, record->plan_id);
    insert.bind(3, record->id);
    insert.bind(4, PracticeDay(record->entry));
    BindBlob(insert, 5, record->entry.SerializeAsString());
    RETURN_IF_ERROR(ExecInsert(insert, "PracticeEntry",
                               PracticeName(record->cohort_id, record->plan_id, record->id)));
    record->seq = db_.getLastInsertRowid();
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<PracticeRecord>> ListPracticeEntries(
      const std::string& cohort_id, const std::string& plan_id,
      std::optional<PracticePosition> after, int limit) override {
    // The ORDER BY matches practice_by_plan, so pages need no sort.
    SQLite::Statement query(db_,
                            "SELECT seq, cohort_id, plan_id, id, data FROM practice "
                            "WHERE cohort_id = ?1 AND plan_id = ?2 "
                            "AND (?3 IS NULL OR day > ?3 OR (day = ?3 AND seq > ?4)) "
                            "ORDER BY day, seq LIMIT ?5");
    query.bind(1, cohort_id);
    query.bind(2, plan_id);
    if (after.has_value()) {
      query.bind(3, after->day);
      query.bind(4, after->seq);
    } else {
      query.bind(3);
      query.bind(4);
    }
    query.bind(5, SqlLimit(limit));
    return ReadAll<PracticeRecord>(query, &ReadPractice);
  }

  // --- idempotency

  absl::StatusOr<std::optional<RequestIdRecord>> LookupRequestId(
      const std::string& scope, const std::string& request_id) override {
    return storage::LookupRequestId(db_, scope, request_id);
  }

  absl::Status SaveRequestId(const std::string& scope, const std::string& request_id,
                             const RequestIdRecord& record, absl::Time now) override {
    storage::SaveRequestId(db_, scope, request_id, record, now);
    return absl::OkStatus();
  }

  // --- personal-data purge

  absl::StatusOr<PurgeCounts> PurgePersonalData(const std::string& cohort_id,
                                                const std::string& participant,
                                                const std::string& subject) override {
    if (participant.empty()) return purge_sql::PurgeCohort(db_, cohort_id);
    return purge_sql::PurgeParticipant(db_, cohort_id, participant, subject);
  }

  absl::Status MarkPurged(const std::string& cohort_id, const std::string& participant,
                          absl::Time now, const PurgeCounts& counts) override {
    storage::MarkPurged(db_, cohort_id, participant, now, counts);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<PurgeRecord>> GetPurge(const std::string& cohort_id,
                                                      const std::string& participant) override {
    return storage::GetPurge(db_, cohort_id, participant);
  }

  absl::StatusOr<bool> IsPurged(const std::string& cohort_id,
                                const std::string& participant) override {
    return storage::IsPurged(db_, cohort_id, participant);
  }

  // --- the result-change log

  absl::Status AppendResultChange(const std::string& cohort_id, const std::string& participant,
                                  kaizen::type::ShareCategory category,
                                  absl::Time time) override {
    partner_client::AppendResultChange(db_, cohort_id, participant, category, time);
    return absl::OkStatus();
  }

  absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      int64_t after_sequence, int page_size) override {
    partner_client::ResultChangesQuery query;
    query.after_sequence = after_sequence;
    query.page_size = page_size;
    return partner_client::ListResultChanges(db_, query);
  }

  absl::StatusOr<int64_t> DeleteResultChanges(const std::string& cohort_id,
                                              const std::string& participant) override {
    return partner_client::DeleteResultChanges(db_, cohort_id, participant);
  }

 private:
  SQLite::Database& db_;
};

}  // namespace

const storage::Migrations& PlansStore::Migrations() {
  static const auto* const kMigrations =
      new storage::Migrations{absl::StrCat(kSchemaV1, storage::kRequestIdsTableSql),
                              purge_sql::kSchemaV2, purge_sql::kSchemaV3,
                              // 4: the partner result-change log (issue 14).
                              std::string(partner_client::kResultChangesSchema)};
  return *kMigrations;
}

absl::StatusOr<std::unique_ptr<PlansStore>> PlansStore::Open(
    const storage::DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open(options, Migrations()));
  return std::unique_ptr<PlansStore>(new PlansStore(std::move(db)));
}

absl::Status PlansStore::Write(const std::function<absl::Status(PlansTx&)>& fn) {
  return db_->RunInTransaction([&](SQLite::Database& db) {
    SqlitePlansTx tx(db);
    return fn(tx);
  });
}

absl::Status PlansStore::Read(const std::function<absl::Status(PlansTx&)>& fn) {
  return db_->RunReadOnly([&](SQLite::Database& db) {
    SqlitePlansTx tx(db);
    return fn(tx);
  });
}

absl::Status PlansStore::CheckpointWal() { return db_->CheckpointAndTruncateWal(); }

}  // namespace kaizen::plans
