#include "services/enrollment/enrollment_store.h"

#include <sqlite3.h>

#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/sqlite_rows.h"
#include "services/enrollment/change_feed_sql.h"
#include "services/enrollment/claim_link_sql.h"
#include "services/enrollment/notify_sql.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/purge_report_sql.h"
#include "services/enrollment/provision_sql.h"
#include "google/protobuf/message_lite.h"

namespace kaizen::enrollment {
namespace {

using storage::BindBlob;
using storage::ExecInsert;
using storage::Parse;
using storage::ReadAll;
using storage::SqlLimit;

std::string CohortName(absl::string_view id) {
  return absl::StrCat("cohorts/", id);
}

std::string ApplicationName(absl::string_view cohort_id, absl::string_view id) {
  return absl::StrCat("cohorts/", cohort_id, "/applications/", id);
}

std::string ParticipantName(absl::string_view cohort_id, absl::string_view id) {
  return absl::StrCat("cohorts/", cohort_id, "/participants/", id);
}

std::string StoredCohort(const v1::Cohort& cohort) {
  v1::Cohort stored = cohort;
  stored.clear_etag();
  stored.clear_seats_taken();
  stored.clear_municipalities_taken();
  return stored.SerializeAsString();
}

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

std::string StoredParticipant(const v1::Participant& participant) {
  v1::Participant stored = participant;
  stored.clear_etag();
  stored.clear_municipality_name();
  return stored.SerializeAsString();
}

// Unset filters are bound as NULL so each query keeps one fixed SQL text.
template <typename Enum>
void BindOptional(SQLite::Statement& statement, int index,
                  const std::optional<Enum>& value) {
  if (value.has_value()) {
    statement.bind(index, static_cast<int>(*value));
  } else {
    statement.bind(index);
  }
}

// Columns: seq, id, revision, data.
absl::StatusOr<CohortRecord> ReadCohort(SQLite::Statement& row) {
  CohortRecord record;
  record.seq = row.getColumn(0).getInt64();
  record.id = row.getColumn(1).getString();
  record.revision = row.getColumn(2).getInt64();
  RETURN_IF_ERROR(Parse(row.getColumn(3), &record.cohort));
  return record;
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
    statement.bind(index, app.confirm_expire_time().seconds() * 1000000 + app.confirm_expire_time().nanos() / 1000);
  } else {
    statement.bind(index);
  }
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

class SqliteEnrollmentTx final : public EnrollmentTx {
 public:
  explicit SqliteEnrollmentTx(SQLite::Database& db) : db_(db) {}

  absl::StatusOr<CohortRecord> GetCohort(const std::string& id) override {
    SQLite::Statement query(
        db_, "SELECT seq, id, revision, data FROM cohorts WHERE id = ?1");
    query.bind(1, id);
    if (!query.executeStep()) return errors::NotFound("Cohort", CohortName(id));
    return ReadCohort(query);
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
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<CohortRecord>> ListCohorts(
      std::optional<v1::Cohort::State> state, int64_t before_seq,
      int limit) override {
    SQLite::Statement query(
        db_,
        "SELECT seq, id, revision, data FROM cohorts "
        "WHERE (?1 <= 0 OR seq < ?1) AND (?2 IS NULL OR state = ?2) "
        "ORDER BY seq DESC LIMIT ?3");
    query.bind(1, before_seq);
    BindOptional(query, 2, state);
    query.bind(3, SqlLimit(limit));
    return ReadAll<CohortRecord>(query, &ReadCohort);
  }

  absl::StatusOr<int64_t> CountCohorts(std::optional<v1::Cohort::State> state,
                                       bool include_drafts) override {
    SQLite::Statement query(
        db_,
        "SELECT COUNT(*) FROM cohorts WHERE (?1 IS NULL OR state = ?1) "
        "AND (?2 OR state <> ?3)");
    BindOptional(query, 1, state);
    query.bind(2, include_drafts ? 1 : 0);
    query.bind(3, static_cast<int>(v1::Cohort::DRAFT));
    query.executeStep();
    return query.getColumn(0).getInt64();
  }

  absl::StatusOr<ApplicationRecord> GetApplication(
      const std::string& cohort_id, const std::string& id) override {
    SQLite::Statement query(
        db_,
        "SELECT seq, cohort_id, id, revision, data FROM applications "
        "WHERE cohort_id = ?1 AND id = ?2");
    query.bind(1, cohort_id);
    query.bind(2, id);
    if (!query.executeStep()) {
      return errors::NotFound("Application", ApplicationName(cohort_id, id));
    }
    return ReadApplication(query);
  }

  absl::Status InsertApplication(ApplicationRecord* record) override {
    const v1::Application& application = record->application;
    SQLite::Statement insert(
        db_,
        "INSERT INTO applications (cohort_id, id, state, municipality_code, "
        "priority, revision, data, submitter, confirm_expire_micros) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    insert.bind(1, record->cohort_id);
    insert.bind(2, record->id);
    insert.bind(3, static_cast<int>(application.state()));
    insert.bind(4, application.municipality_code());
    insert.bind(5, application.priority());
    insert.bind(6, record->revision);
    BindBlob(insert, 7, StoredApplication(application));
    insert.bind(8, application.submitter());
    BindConfirmExpire(insert, 9, application);
    RETURN_IF_ERROR(ExecInsert(insert, "Application",
                               ApplicationName(record->cohort_id, record->id)));
    record->seq = db_.getLastInsertRowid();
    return absl::OkStatus();
  }

  absl::Status UpdateApplication(ApplicationRecord* record) override {
    const v1::Application& application = record->application;
    const int64_t revision = record->revision + 1;
    SQLite::Statement update(
        db_,
        "UPDATE applications SET state = ?3, municipality_code = ?4, "
        "priority = ?5, revision = ?6, data = ?7, submitter = ?8, "
        "confirm_expire_micros = ?9 WHERE cohort_id = ?1 AND id = ?2");
    update.bind(1, record->cohort_id);
    update.bind(2, record->id);
    update.bind(3, static_cast<int>(application.state()));
    update.bind(4, application.municipality_code());
    update.bind(5, application.priority());
    update.bind(6, revision);
    BindBlob(update, 7, StoredApplication(application));
    update.bind(8, application.submitter());
    BindConfirmExpire(update, 9, application);
    if (update.exec() == 0) {
      return errors::NotFound("Application",
                              ApplicationName(record->cohort_id, record->id));
    }
    record->revision = revision;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<ApplicationRecord>> ListApplications(
      const std::string& cohort_id, const ApplicationFilter& filter,
      std::optional<QueuePosition> after, int limit) override {
    // The ORDER BY matches applications_queue, so pages need no sort.
    SQLite::Statement query(
        db_,
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

  absl::StatusOr<int64_t> CountApplications(
      const std::string& cohort_id, v1::Application::State state) override {
    SQLite::Statement query(
        db_,
        "SELECT COUNT(*) FROM applications "
        "WHERE cohort_id = ?1 AND state = ?2");
    query.bind(1, cohort_id);
    query.bind(2, static_cast<int>(state));
    query.executeStep();
    return query.getColumn(0).getInt64();
  }

  absl::StatusOr<int64_t> CountApplications(const std::string& cohort_id,
                                            const ApplicationFilter& filter) override {
    SQLite::Statement query(
        db_,
        "SELECT COUNT(*) FROM applications WHERE cohort_id = ?1 "
        "AND (?2 IS NULL OR state = ?2) AND (?3 = '' OR municipality_code = ?3)");
    query.bind(1, cohort_id);
    BindOptional(query, 2, filter.state);
    query.bind(3, filter.municipality_code);
    query.executeStep();
    return query.getColumn(0).getInt64();
  }

  absl::StatusOr<std::vector<ApplicationRecord>> ListApplicationsBySubmitter(
      const std::string& subject) override {
    if (subject.empty()) return std::vector<ApplicationRecord>();
    SQLite::Statement query(
        db_,
        "SELECT seq, cohort_id, id, revision, data FROM applications "
        "WHERE submitter = ?1 ORDER BY seq");
    query.bind(1, subject);
    return ReadAll<ApplicationRecord>(query, &ReadApplication);
  }

  absl::StatusOr<std::vector<ApplicationRecord>> ListConfirmationsDue(absl::Time now,
                                                                      int limit) override {
    // Served by applications_confirm_due (a partial index): only due rows.
    SQLite::Statement query(
        db_,
        "SELECT seq, cohort_id, id, revision, data FROM applications "
        "WHERE confirm_expire_micros <= ?1 ORDER BY confirm_expire_micros LIMIT ?2");
    query.bind(1, absl::ToUnixMicros(now));
    query.bind(2, SqlLimit(limit));
    return ReadAll<ApplicationRecord>(query, &ReadApplication);
  }

  absl::Status ReserveEmails(
      const std::string& cohort_id, const std::string& application_id,
      const std::vector<std::string>& email_keys) override {
    // Check every key before reserving any, so a conflict reserves nothing
    // even if the caller goes on to commit.
    SQLite::Statement holder(
        db_,
        "SELECT application_id FROM application_emails "
        "WHERE cohort_id = ?1 AND email_key = ?2");
    holder.bind(1, cohort_id);
    for (const std::string& key : email_keys) {
      holder.bind(2, key);
      if (holder.executeStep()) {
        const std::string holder_id = holder.getColumn(0).getString();
        if (holder_id != application_id) {
          // Neither the key (derived from someone's e-mail address) nor the
          // holding application's name: the caller may be anyone probing.
          return DuplicateApplicant();
        }
      }
      holder.reset();
    }
    SQLite::Statement insert(
        db_,
        "INSERT OR IGNORE INTO application_emails "
        "(cohort_id, email_key, application_id) VALUES (?1, ?2, ?3)");
    insert.bind(1, cohort_id);
    insert.bind(3, application_id);
    for (const std::string& key : email_keys) {
      insert.bind(2, key);
      insert.exec();
      insert.reset();
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> EmailHolder(
      const std::string& cohort_id, const std::string& email_key) override {
    SQLite::Statement holder(
        db_,
        "SELECT application_id FROM application_emails "
        "WHERE cohort_id = ?1 AND email_key = ?2");
    holder.bind(1, cohort_id);
    holder.bind(2, email_key);
    if (!holder.executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(holder.getColumn(0).getString());
  }

  absl::Status MoveToQueueEnd(ApplicationRecord* record) override {
    // AUTOINCREMENT's counter is the largest seq ever handed out; taking
    // the next one by hand keeps later inserts above it too.
    SQLite::Statement bump(
        db_, "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'applications'");
    bump.exec();
    SQLite::Statement move(
        db_,
        "UPDATE applications SET seq = "
        "(SELECT seq FROM sqlite_sequence WHERE name = 'applications') "
        "WHERE cohort_id = ?1 AND id = ?2");
    move.bind(1, record->cohort_id);
    move.bind(2, record->id);
    if (move.exec() == 0) {
      return errors::NotFound("Application", ApplicationName(record->cohort_id, record->id));
    }
    SQLite::Statement next(db_, "SELECT seq FROM sqlite_sequence WHERE name = 'applications'");
    next.executeStep();
    record->seq = next.getColumn(0).getInt64();
    return absl::OkStatus();
  }

  absl::Status ReleaseEmails(const std::string& cohort_id,
                             const std::string& application_id) override {
    SQLite::Statement remove(
        db_,
        "DELETE FROM application_emails "
        "WHERE cohort_id = ?1 AND application_id = ?2");
    remove.bind(1, cohort_id);
    remove.bind(2, application_id);
    remove.exec();
    return absl::OkStatus();
  }

  absl::StatusOr<ParticipantRecord> GetParticipant(
      const std::string& cohort_id, const std::string& id) override {
    SQLite::Statement query(
        db_,
        "SELECT seq, cohort_id, id, revision, data FROM participants "
        "WHERE cohort_id = ?1 AND id = ?2");
    query.bind(1, cohort_id);
    query.bind(2, id);
    if (!query.executeStep()) {
      return errors::NotFound("Participant", ParticipantName(cohort_id, id));
    }
    return ReadParticipant(query);
  }

  absl::Status InsertParticipant(ParticipantRecord* record) override {
    const v1::Participant& participant = record->participant;
    SQLite::Statement insert(
        db_,
        "INSERT INTO participants (cohort_id, id, role, state, "
        "municipality_code, subject, revision, data) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert.bind(1, record->cohort_id);
    insert.bind(2, record->id);
    insert.bind(3, static_cast<int>(participant.role()));
    insert.bind(4, static_cast<int>(participant.state()));
    insert.bind(5, participant.municipality_code());
    insert.bind(6, participant.subject());
    insert.bind(7, record->revision);
    BindBlob(insert, 8, StoredParticipant(participant));
    RETURN_IF_ERROR(ExecInsert(insert, "Participant",
                               ParticipantName(record->cohort_id, record->id)));
    record->seq = db_.getLastInsertRowid();
    return absl::OkStatus();
  }

  absl::Status UpdateParticipant(ParticipantRecord* record) override {
    const v1::Participant& participant = record->participant;
    const int64_t revision = record->revision + 1;
    SQLite::Statement update(
        db_,
        "UPDATE participants SET role = ?3, state = ?4, "
        "municipality_code = ?5, subject = ?6, revision = ?7, data = ?8 "
        "WHERE cohort_id = ?1 AND id = ?2");
    update.bind(1, record->cohort_id);
    update.bind(2, record->id);
    update.bind(3, static_cast<int>(participant.role()));
    update.bind(4, static_cast<int>(participant.state()));
    update.bind(5, participant.municipality_code());
    update.bind(6, participant.subject());
    update.bind(7, revision);
    BindBlob(update, 8, StoredParticipant(participant));
    if (update.exec() == 0) {
      return errors::NotFound("Participant",
                              ParticipantName(record->cohort_id, record->id));
    }
    record->revision = revision;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<ParticipantRecord>> ListParticipants(
      const std::string& cohort_id, const ParticipantFilter& filter,
      int64_t after_seq, int limit) override {
    SQLite::Statement query(
        db_,
        "SELECT seq, cohort_id, id, revision, data FROM participants "
        "WHERE cohort_id = ?1 AND seq > ?2 AND (?3 IS NULL OR role = ?3) "
        "AND (?4 IS NULL OR state = ?4) "
        "AND (?5 = '' OR municipality_code = ?5) "
        "ORDER BY seq LIMIT ?6");
    query.bind(1, cohort_id);
    query.bind(2, after_seq);
    BindOptional(query, 3, filter.role);
    BindOptional(query, 4, filter.state);
    query.bind(5, filter.municipality_code);
    query.bind(6, SqlLimit(limit));
    return ReadAll<ParticipantRecord>(query, &ReadParticipant);
  }

  absl::StatusOr<std::vector<ParticipantRecord>> ListParticipantsBySubject(
      const std::string& subject) override {
    if (subject.empty()) return std::vector<ParticipantRecord>();
    SQLite::Statement query(
        db_,
        "SELECT seq, cohort_id, id, revision, data FROM participants "
        "WHERE subject = ?1 ORDER BY seq");
    query.bind(1, subject);
    return ReadAll<ParticipantRecord>(query, &ReadParticipant);
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
};

}  // namespace

absl::StatusOr<std::unique_ptr<EnrollmentStore>> EnrollmentStore::Open(
    const storage::DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open(options, Migrations()));
  // Applications stored before schema 2 get their submitter column here
  // (a migration is SQL only; the value lives in the serialized proto).
  RETURN_IF_ERROR(db->RunInTransaction(
      [](SQLite::Database& c) { return claim_link_sql::BackfillSubmitters(c); }));
  return std::unique_ptr<EnrollmentStore>(new EnrollmentStore(std::move(db)));
}

absl::Status EnrollmentStore::Write(
    const std::function<absl::Status(EnrollmentTx&)>& fn) {
  return db_->RunInTransaction([&](SQLite::Database& db) {
    SqliteEnrollmentTx tx(db);
    return fn(tx);
  });
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
