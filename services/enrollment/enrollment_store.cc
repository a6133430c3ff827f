#include "services/enrollment/enrollment_store.h"

#include <sqlite3.h>

#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "services/enrollment/application_sql.h"
#include "services/enrollment/change_feed_sql.h"
#include "services/enrollment/claim_link_sql.h"
#include "services/enrollment/enrollment_rows.h"
#include "services/enrollment/notify_sql.h"
#include "services/enrollment/participant_sql.h"
#include "services/enrollment/purge_report_sql.h"
#include "services/enrollment/provision_sql.h"
#include "services/enrollment/usage_sql.h"
#include "common/storage/statement_cache.h"
#include "google/protobuf/message_lite.h"

namespace kaizen::enrollment {
namespace {

using enrollment_rows::ApplicationName;
using enrollment_rows::BindOptional;
using enrollment_rows::CohortName;
using enrollment_rows::ParticipantName;
using storage::BindBlob;
using storage::ExecInsert;
using storage::Parse;
using storage::ReadAll;
using storage::SqlLimit;

std::string StoredCohort(const v1::Cohort& cohort) {
  v1::Cohort stored = cohort;
  stored.clear_etag();
  stored.clear_seats_taken();
  stored.clear_municipalities_taken();
  return stored.SerializeAsString();
}

}  // namespace

absl::StatusOr<std::string> EnrollmentTx::GetCohortTitle(const std::string& id) {
  ASSIGN_OR_RETURN(CohortRecord cohort, GetCohort(id));
  return cohort.cohort.title();
}

namespace {

// Columns: seq, id, revision, data.
absl::StatusOr<CohortRecord> ReadCohort(SQLite::Statement& row) {
  CohortRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.id = row.getColumn(1).getString();
  record.revision = row.getColumn(2).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(3), &record.cohort));
  return record;
}

class SqliteEnrollmentTx final : public EnrollmentTx {
 public:
  explicit SqliteEnrollmentTx(SQLite::Database& db) : db_(db) {}

  absl::StatusOr<CohortRecord> GetCohort(const std::string& id) override {
    storage::CachedStatement query(
        db_, "SELECT seq, id, revision, data FROM cohorts WHERE id = ?1");
    query->bind(1, id);
    if (!query->executeStep()) return errors::NotFound("Cohort", CohortName(id));
    ASSIGN_OR_RETURN(CohortRecord record, ReadCohort(*query));
    titles_[record.id] = record.cohort.title();
    return record;
  }

  absl::StatusOr<std::string> GetCohortTitle(const std::string& id) override {
    if (auto it = titles_.find(id); it != titles_.end()) return it->second;
    return EnrollmentTx::GetCohortTitle(id);
  }

  absl::Status InsertCohort(CohortRecord* record) override {
    SQLite::Statement insert(
        db_,
        "INSERT INTO cohorts (id, state, revision, data) "
        "VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, record->id);
    insert.bind(2, static_cast<int>(record->cohort.state()));
    insert.bind(3, record->revision);
    BindBlob(insert, 4, StoredCohort(record->cohort));
    RETURN_IF_ERROR(ExecInsert(insert, "Cohort", CohortName(record->id)));
    record->seq = db_.getLastInsertRowid();
    return absl::OkStatus();
  }

  absl::Status UpdateCohort(CohortRecord* record) override {
    const int64_t revision = record->revision + 1;
    SQLite::Statement update(
        db_,
        "UPDATE cohorts SET state = ?2, revision = ?3, data = ?4 "
        "WHERE id = ?1");
    update.bind(1, record->id);
    update.bind(2, static_cast<int>(record->cohort.state()));
    update.bind(3, revision);
    BindBlob(update, 4, StoredCohort(record->cohort));
    if (update.exec() == 0) {
      return errors::NotFound("Cohort", CohortName(record->id));
    }
    record->revision = revision;
    titles_[record->id] = record->cohort.title();
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<CohortRecord>> ListCohorts(
      std::optional<v1::Cohort::State> state, int64_t before_seq,
      int limit) override {
    storage::CachedStatement query(
        db_,
        "SELECT seq, id, revision, data FROM cohorts "
        "WHERE (?1 <= 0 OR seq < ?1) AND (?2 IS NULL OR state = ?2) "
        "ORDER BY seq DESC LIMIT ?3");
    query->bind(1, before_seq);
    BindOptional(*query, 2, state);
    query->bind(3, SqlLimit(limit));
    return ReadAll<CohortRecord>(*query, &ReadCohort);
  }

  absl::StatusOr<int64_t> CountCohorts(std::optional<v1::Cohort::State> state,
                                       bool include_drafts) override {
    storage::CachedStatement query(
        db_,
        "SELECT COUNT(*) FROM cohorts WHERE (?1 IS NULL OR state = ?1) "
        "AND (?2 OR state <> ?3)");
    BindOptional(*query, 1, state);
    query->bind(2, include_drafts ? 1 : 0);
    query->bind(3, static_cast<int>(v1::Cohort::DRAFT));
    query->executeStep();
    return query->getColumn(0).getInt64();
  }

  absl::StatusOr<std::vector<UsageRow>> ListCohortUsage(const std::string& cohort_id) override {
    return usage_sql::List(db_, cohort_id);
  }
  absl::StatusOr<std::optional<UsageRow>> HeldByApplication(
      const std::string& cohort_id, const std::string& application_id) override {
    return usage_sql::HeldBy(db_, cohort_id, application_id);
  }

  absl::StatusOr<ApplicationRecord> GetApplication(
      const std::string& cohort_id, const std::string& id) override {
    return application_sql::Get(db_, cohort_id, id);
  }
  absl::Status InsertApplication(ApplicationRecord* record) override {
    return application_sql::Insert(db_, record);
  }
  absl::Status UpdateApplication(ApplicationRecord* record) override {
    return application_sql::Update(db_, record);
  }
  absl::StatusOr<std::vector<ApplicationRecord>> ListApplications(
      const std::string& cohort_id, const ApplicationFilter& filter,
      std::optional<QueuePosition> after, int limit) override {
    return application_sql::List(db_, cohort_id, filter, after, limit);
  }
  absl::StatusOr<int64_t> CountApplications(
      const std::string& cohort_id, v1::Application::State state) override {
    return application_sql::Count(db_, cohort_id, state);
  }
  absl::StatusOr<int> WaitlistPlace(const std::string& cohort_id,
                                    const std::string& id) override {
    return application_sql::WaitlistPlace(db_, cohort_id, id);
  }
  absl::StatusOr<int64_t> CountWaiting(const std::string& cohort_id) override {
    return usage_sql::Waiting(db_, cohort_id);
  }
  absl::StatusOr<int64_t> CountApplications(const std::string& cohort_id,
                                            const ApplicationFilter& filter) override {
    return application_sql::Count(db_, cohort_id, filter);
  }
  absl::StatusOr<std::vector<ApplicationRecord>> ListApplicationsBySubmitter(
      const std::string& subject) override {
    return application_sql::ListBySubmitter(db_, subject);
  }
  absl::StatusOr<std::vector<ApplicationRecord>> ListConfirmationsDue(absl::Time now,
                                                                      int limit) override {
    return application_sql::ListConfirmationsDue(db_, now, limit);
  }
  absl::Status ReserveEmails(
      const std::string& cohort_id, const std::string& application_id,
      const std::vector<std::string>& email_keys) override {
    return application_sql::ReserveEmails(db_, cohort_id, application_id, email_keys);
  }
  absl::StatusOr<std::optional<std::string>> EmailHolder(
      const std::string& cohort_id, const std::string& email_key) override {
    return application_sql::EmailHolder(db_, cohort_id, email_key);
  }
  absl::Status MoveToQueueEnd(ApplicationRecord* record) override {
    return application_sql::MoveToQueueEnd(db_, record);
  }
  absl::Status ReleaseEmails(const std::string& cohort_id,
                             const std::string& application_id) override {
    return application_sql::ReleaseEmails(db_, cohort_id, application_id);
  }

  absl::StatusOr<ParticipantRecord> GetParticipant(
      const std::string& cohort_id, const std::string& id) override {
    return participant_sql::Get(db_, cohort_id, id);
  }
  absl::Status InsertParticipant(ParticipantRecord* record) override {
    return participant_sql::Insert(db_, record);
  }
  absl::Status UpdateParticipant(ParticipantRecord* record) override {
    return participant_sql::Update(db_, record);
  }
  absl::StatusOr<std::vector<ParticipantRecord>> ListParticipants(
      const std::string& cohort_id, const ParticipantFilter& filter,
      int64_t after_seq, int limit) override {
    return participant_sql::List(db_, cohort_id, filter, after_seq, limit);
  }
  absl::StatusOr<std::vector<ParticipantRecord>> ListParticipantsBySubject(
      const std::string& subject) override {
    return participant_sql::ListBySubject(db_, subject);
  }

  absl::StatusOr<std::optional<ClaimLinkRecord>> GetClaimLink(
      const std::string& token_hash) override {
    return claim_link_sql::Get(db_, token_hash);
  }
  absl::Status InsertClaimLink(const ClaimLinkRecord& record) override {
    return claim_link_sql::Insert(db_, record);
  }
  absl::Status RevokeClaimLinks(const std::string& cohort_id,
                                const std::string& participant_id) override {
    return claim_link_sql::RevokeUnredeemed(db_, cohort_id, participant_id);
  }
  absl::Status MarkClaimLinkRedeemed(const ClaimLinkRecord& record) override {
    return claim_link_sql::MarkRedeemed(db_, record);
  }

  absl::StatusOr<bool> EnqueueMessage(const notify::OutboxMessage& message,
                                      absl::Time now) override {
    return notify::Enqueue(db_, message, now);
  }
  absl::StatusOr<int> DeleteMessagesFor(const std::string& subject_ref) override {
    return notify::DeleteFor(db_, subject_ref);
  }
  absl::StatusOr<bool> RemindersEnabled(const std::string& email_key) override {
    return notify_sql::RemindersEnabled(db_, email_key);
  }
  absl::Status SetRemindersEnabled(const std::string& email_key, bool enabled,
                                   absl::Time now) override {
    return notify_sql::SetRemindersEnabled(db_, email_key, enabled, now);
  }
  absl::StatusOr<std::optional<kaizen::type::EnqueueNotificationResponse>>
  GetNotificationIntake(const std::string& idempotency_key) override {
    return notify_sql::GetIntake(db_, idempotency_key);
  }
  absl::Status PutNotificationIntake(const std::string& idempotency_key,
                                     const kaizen::type::EnqueueNotificationResponse& response,
                                     absl::Time now) override {
    return notify_sql::PutIntake(db_, idempotency_key, response, now);
  }
  absl::StatusOr<std::string> GetNotificationIntakeFingerprint(
      const std::string& idempotency_key) override {
    return notify_sql::GetIntakeFingerprint(db_, idempotency_key);
  }
  absl::Status SetNotificationIntakeFingerprint(const std::string& idempotency_key,
                                                const std::string& fingerprint) override {
    return notify_sql::SetIntakeFingerprint(db_, idempotency_key, fingerprint);
  }
  absl::StatusOr<std::vector<std::string>> CohortEmailKeys(
      const std::string& cohort_id) override {
    return notify_sql::CohortEmailKeys(db_, cohort_id);
  }
  absl::StatusOr<int> DeleteUnusedReminderSettings(
      const std::vector<std::string>& email_keys) override {
    return notify_sql::DeleteUnusedReminderSettings(db_, email_keys);
  }

  absl::StatusOr<std::optional<RequestIdRecord>> LookupRequestId(
      const std::string& scope, const std::string& request_id) override {
    return storage::LookupRequestId(db_, scope, request_id);
  }

  absl::Status SaveRequestId(const std::string& scope,
                             const std::string& request_id,
                             const RequestIdRecord& record,
                             absl::Time now) override {
    storage::SaveRequestId(db_, scope, request_id, record, now);
    return absl::OkStatus();
  }

  absl::Status AppendChange(ChangeRecord* record) override {
    change_feed_sql::Append(db_, record);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<ChangeRecord>> ListChanges(
      int64_t after_seq, const std::string& municipality_code,
      int limit) override {
    return change_feed_sql::List(db_, after_seq, municipality_code, limit);
  }

  absl::StatusOr<int64_t> ChangesHead() override { return change_feed_sql::Head(db_); }

  absl::Status AppendProvisionRecord(ProvisionRow* row) override {
    return provision_sql::Append(db_, row);
  }
  absl::StatusOr<std::vector<ProvisionRow>> ListProvisionRecords(
      const ProvisionFilter& filter, int64_t position, bool oldest_first, int limit) override {
    return provision_sql::List(db_, filter, position, oldest_first, limit);
  }

  absl::StatusOr<std::pair<int, int>> DeleteCohortPersonalData(
      const std::string& cohort_id) override {
    SQLite::Statement applications(
        db_, "DELETE FROM applications WHERE cohort_id = ?1");
    applications.bind(1, cohort_id);
    const int applications_deleted = applications.exec();

    SQLite::Statement participants(
        db_, "DELETE FROM participants WHERE cohort_id = ?1");
    participants.bind(1, cohort_id);
    const int participants_deleted = participants.exec();

    SQLite::Statement emails(
        db_, "DELETE FROM application_emails WHERE cohort_id = ?1");
    emails.bind(1, cohort_id);
    emails.exec();
    claim_link_sql::DeleteCohort(db_, cohort_id);
    purge_report_sql::ClearSubjects(db_, cohort_id);

    // A prefix compare, not LIKE: '_' and '%' in an id must not match more.
    // The cohort's own request ids ("cohorts/{c}") stay with the cohort.
    SQLite::Statement request_ids(
        db_,
        "DELETE FROM request_ids "
        "WHERE substr(resource_name, 1, length(?1)) = ?1");
    request_ids.bind(1, absl::StrCat(CohortName(cohort_id), "/"));
    request_ids.exec();

    return std::make_pair(applications_deleted, participants_deleted);
  }

  absl::StatusOr<std::vector<PurgeReportRow>> ListPurgeReport(
      const std::string& cohort_id, const std::string& participant_id) override {
    return purge_report_sql::List(db_, cohort_id, participant_id);
  }
  absl::Status PutPurgeReportRow(const PurgeReportRow& row) override {
    return purge_report_sql::Put(db_, row);
  }
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListRetryablePurgeReports(
      const std::pair<std::string, std::string>& after, absl::Time now, int limit) override {
    return purge_report_sql::ListRetryable(db_, after, now, limit);
  }
  absl::StatusOr<ErasedKeys> DeleteParticipantKeys(const std::string& cohort_id,
                                                   const std::string& participant_id,
                                                   const std::string& application_id,
                                                   const std::string& email_key) override {
    return purge_report_sql::DeleteParticipantKeys(db_, cohort_id, participant_id,
                                                   ParticipantName(cohort_id, participant_id),
                                                   application_id, email_key);
  }
  absl::StatusOr<ErasedKeys> DeleteApplicationKeys(const std::string& cohort_id,
                                                   const std::string& application_id) override {
    return purge_report_sql::DeleteApplicationKeys(db_, cohort_id, application_id,
                                                   ApplicationName(cohort_id, application_id));
  }

 private:
  SQLite::Database& db_;
  // The titles of the cohorts this transaction read or wrote (one
  // transaction: no other writer can change them meanwhile).
  absl::flat_hash_map<std::string, std::string> titles_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EnrollmentStore>> EnrollmentStore::Open(
    const storage::DatabaseOptions& options) {
  // A create writes small rows into many indexes on random keys (ids,
  // e-mail keys, request ids): each lands on its own leaf page, so 2 KiB
  // pages write about half the bytes of 4 KiB ones per create (+11 %
  // creates/s measured, docs/benchmarks.md eighth look). New files only.
  storage::DatabaseOptions with_pages = options;
  with_pages.page_size = kPageSize;
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open(with_pages, Migrations()));
  // Applications stored before schema 2 get their submitter column here
  // (a migration is SQL only; the value lives in the serialized proto).
  // Likewise admitted_member_count (schema 11), the seat counters' source
  // (usage_sql.h); both find nothing to do once done.
  RETURN_IF_ERROR(db->RunInTransaction([](SQLite::Database& c) -> absl::Status {
    RETURN_IF_ERROR(claim_link_sql::BackfillSubmitters(c));
    RETURN_IF_ERROR(usage_sql::BackfillAdmittedCounts(c));
    return application_sql::BackfillOfferExpiry(c);
  }));
  return std::unique_ptr<EnrollmentStore>(new EnrollmentStore(std::move(db)));
}

absl::Status EnrollmentStore::Write(
    const std::function<absl::Status(EnrollmentTx&)>& fn) {
  return db_->RunInTransaction([&](SQLite::Database& db) {
    SqliteEnrollmentTx tx(db);
    return fn(tx);
  });
}

void EnrollmentStore::WriteAsync(std::function<absl::Status(EnrollmentTx&)> fn,
                                 storage::Database::WriteDone done) {
  db_->SubmitTransaction(
      [fn = std::move(fn)](SQLite::Database& db) {
        SqliteEnrollmentTx tx(db);
        return fn(tx);
      },
      std::move(done));
}

absl::Status EnrollmentStore::Read(
    const std::function<absl::Status(EnrollmentTx&)>& fn) {
  return db_->RunReadOnly([&](SQLite::Database& db) {
    SqliteEnrollmentTx tx(db);
    return fn(tx);
  });
}

absl::Status EnrollmentStore::CheckpointWal() { return db_->CheckpointAndTruncateWal(); }

}  // namespace kaizen::enrollment
