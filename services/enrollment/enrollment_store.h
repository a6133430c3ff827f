// Storage for the enrollment service: cohorts, applications, participants,
// request ids and the partner change feed, in one SQLite database.
//
// Each resource is stored as its serialized proto plus the columns that
// queries need (state, municipality, priority, role, ...), which the store
// derives from the proto on every write. Callers never see SQL.
//
// Transactions: Write() runs `fn` inside one BEGIN IMMEDIATE transaction
// (common/storage/database.h), so a read-modify-write in `fn` is atomic with
// respect to every other writer, in this process or another; Read() gives a
// consistent snapshot. `fn` returning non-OK rolls everything back.
#ifndef KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_STORE_H_
#define KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/storage/database.h"
#include "common/notify/outbox.h"
#include "common/storage/request_ids.h"
#include "kaizen/type/notification.pb.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"

namespace kaizen::enrollment {


// A stored cohort. `cohort.name` is "cohorts/{id}"; `cohort.etag` and the
// output-only counters are not stored (the service fills them in).
struct CohortRecord {
  std::string id;
  int64_t revision = 0;  // 1 on insert; EnrollmentTx::Update* bumps it
  int64_t seq = 0;       // assigned on insert; increases with creation order
  v1::Cohort cohort;
};

// A stored application. Index columns come from the proto: state,
// municipality_code, priority. `application.access_token`, `etag` and
// `waitlist_position` are never stored.
struct ApplicationRecord {
  std::string cohort_id;
  std::string id;
  int64_t revision = 0;
  int64_t seq = 0;  // assigned on insert, renewed at arrival (MoveToQueueEnd): queue order
  v1::Application application;
  // The column confirm_expire_micros (indexed, for the expiry sweep) is
  // derived from the proto on every write: confirm_expire_time while the
  // application is SUBMITTED and has not arrived, NULL otherwise. So is
  // admitted_member_count (the seat counters' source, usage_sql.h).
};

// A stored participant. Index columns: role, state, municipality_code,
// subject.
struct ParticipantRecord {
  std::string cohort_id;
  std::string id;
  int64_t revision = 0;
  int64_t seq = 0;  // assigned on insert: joining order
  v1::Participant participant;
};

// A change-feed entry: which participant changed, when, in which
// municipality. The feed's content is projected from the participant's
// current state when read.
struct ChangeRecord {
  int64_t seq = 0;  // assigned on append; strictly increasing
  std::string participant_name;  // "cohorts/{c}/participants/{p}"
  std::string municipality_code;
  v1::Change::Kind kind = v1::Change::UPSERTED;
  absl::Time time;
  // For RESULT_WITHDRAWN: the category no longer shared (result_feed.h).
  kaizen::type::ShareCategory category = kaizen::type::SHARE_CATEGORY_UNSPECIFIED;
};

using RequestIdRecord = storage::RequestIdRecord;

// A claim link (claims.cc). The token itself is never stored: `token_hash`
// is its keyed hash (HMAC under the claim-links key, hex), the primary key.
struct ClaimLinkRecord {
  std::string token_hash;
  std::string cohort_id;
  std::string participant_id;
  std::string issued_by;  // the issuer's subject, or "applicant"
  absl::Time create_time;
  absl::Time expire_time;
  // Set once redeemed (never cleared).
  std::optional<absl::Time> redeem_time;
  std::string redeemed_by;  // the subject bound by the redemption
  // Replaced by a newer link for the same participation.
  bool revoked = false;
};

// One service's row of a purge report (purge.cc, purge_report_sql.h),
// keyed by (cohort_id, participant_id, service).
struct PurgeReportRow {
  std::string cohort_id;
  std::string participant_id;  // "" for a whole-cohort purge
  std::string service;
  int position = 0;  // display order: enrollment 0, then the targets
  // State, counts, reasons, attempts, update time (no personal data).
  v1::PurgeReport::ServiceReport report;
  // An erasure's account subject, kept only until the service is DONE.
  std::string subject;
  // A call to the service is in flight until then (InfinitePast: none).
  absl::Time lease_until = absl::InfinitePast();
  absl::Time create_time;
};

// What an erasure removed besides the participant's fields.
struct ErasedKeys {
  int email_keys = 0;
  int claim_links = 0;
  int request_ids = 0;
};

// An APPI Art. 29 provision record (provision.cc, provision_sql.h): the
// record as written (recipient_municipality_name is looked up when read)
// and its position. Append-only.
struct ProvisionRow {
  int64_t seq = 0;  // assigned on append; increases with recording order
  v1::ProvisionRecord record;
};

// Filters of the provision-record lists; empty or unset = any.
struct ProvisionFilter {
  std::string municipality_code;  // the recipient's
  std::string recipient;          // the partner key id
  std::string participant;        // "cohorts/{c}/participants/{p}"
  std::optional<absl::Time> start_time;  // inclusive
  std::optional<absl::Time> end_time;    // exclusive
};

struct ApplicationFilter {
  std::optional<v1::Application::State> state;
  std::string municipality_code;  // empty = any
  // Only OFFERED applications whose offer expires at or before this time
  // (state and municipality_code are then ignored), read through the
  // applications_offer_expiry index: what every write's lapsed-offer check
  // needs without reading every open offer of the cohort.
  std::optional<absl::Time> offer_expire_by;
};

struct ParticipantFilter {
  std::optional<v1::Participant::Role> role;
  std::optional<v1::Participant::State> state;
  std::string municipality_code;  // empty = any
  // Staff only: every role but PARTICIPANT, read from the participants_staff
  // partial index (migration 13): the cost follows the cohort's staff, not
  // its participants.
  bool staff_only = false;
};

// A seat counter of a cohort (usage_sql.h): the seats held by ACTIVE
// PARTICIPANT participations and OFFERED applications from one
// municipality, and how many such rows hold them (> 0).
struct UsageRow {
  std::string municipality_code;
  int holders = 0;
  int seats = 0;
};

// Position in the application queue: (priority DESC, seq ASC).
struct QueuePosition {
  int32_t priority = 0;
  int64_t seq = 0;
};

// The operations available inside a transaction. NOT_FOUND (errors::NotFound
// with the resource name) when a get or update misses; ALREADY_EXISTS on
// duplicate ids.
//
// Revisions (the source of etags): an insert stores record->revision as given
// (callers start at 1); every Update* writes the record with its revision
// bumped by exactly one and sets record->revision to the stored value, so the
// caller's copy (and the etag it derives) is current. An update that fails
// leaves record->revision unchanged.
class EnrollmentTx {
 public:
  virtual ~EnrollmentTx() = default;

  // --- cohorts
  virtual absl::StatusOr<CohortRecord> GetCohort(const std::string& id) = 0;
  // The cohort's title, for mails: a write's mails name their cohort, which
  // the write has usually just read (the SQLite transaction remembers the
  // titles it read or wrote instead of reading the row again).
  virtual absl::StatusOr<std::string> GetCohortTitle(const std::string& id);
  // Sets record->seq.
  virtual absl::Status InsertCohort(CohortRecord* record) = 0;
  // Bumps record->revision.
  virtual absl::Status UpdateCohort(CohortRecord* record) = 0;
  // Newest first: cohorts with seq < before_seq (0 = from the newest), at
  // most `limit`, optionally only in `state`.
  virtual absl::StatusOr<std::vector<CohortRecord>> ListCohorts(
      std::optional<v1::Cohort::State> state, int64_t before_seq,
      int limit) = 0;
  // How many cohorts are in `state` (any when unset), drafts only when
  // `include_drafts`.
  virtual absl::StatusOr<int64_t> CountCohorts(std::optional<v1::Cohort::State> state,
                                               bool include_drafts) = 0;

  // --- seat counters, maintained by the database itself (triggers, in the
  // writing transaction; usage_sql.h): they are current in any transaction.
  // The cohort's counters, one per municipality holding seats (by code).
  virtual absl::StatusOr<std::vector<UsageRow>> ListCohortUsage(
      const std::string& cohort_id) = 0;
  // What the stored application holds (holders 1, its municipality and
  // admitted_member_count) while it is OFFERED; nullopt otherwise or when
  // there is no such application.
  virtual absl::StatusOr<std::optional<UsageRow>> HeldByApplication(
      const std::string& cohort_id, const std::string& application_id) = 0;

  // --- applications
  virtual absl::StatusOr<ApplicationRecord> GetApplication(
      const std::string& cohort_id, const std::string& id) = 0;
  // Sets record->seq.
  virtual absl::Status InsertApplication(ApplicationRecord* record) = 0;
  // Bumps record->revision.
  virtual absl::Status UpdateApplication(ApplicationRecord* record) = 0;
  // Queue order (priority DESC, seq ASC), strictly after `after` when given,
  // at most `limit` (limit <= 0: no limit).
  virtual absl::StatusOr<std::vector<ApplicationRecord>> ListApplications(
      const std::string& cohort_id, const ApplicationFilter& filter,
      std::optional<QueuePosition> after, int limit) = 0;
  virtual absl::StatusOr<int64_t> CountApplications(
      const std::string& cohort_id, v1::Application::State state) = 0;
  // 1-based place of the stored application in its cohort's WAITLISTED queue
  // (queue order as ListApplications), counted in SQL without reading the
  // queue (the newest arrival's from the waiting-list counter: one row);
  // 0 when it is not stored WAITLISTED.
  virtual absl::StatusOr<int> WaitlistPlace(const std::string& cohort_id,
                                            const std::string& id) = 0;
  // The cohort's WAITLISTED applications, from the counter the triggers of
  // migration 14 keep (usage_sql.h): one row read, however long the list.
  virtual absl::StatusOr<int64_t> CountWaiting(const std::string& cohort_id) = 0;
  // How many of the cohort's applications match `filter` (list totals).
  virtual absl::StatusOr<int64_t> CountApplications(const std::string& cohort_id,
                                                    const ApplicationFilter& filter) = 0;
  // Every application `subject` submitted (or claimed), in any cohort, in
  // arrival order. Indexed by the submitter column.
  virtual absl::StatusOr<std::vector<ApplicationRecord>> ListApplicationsBySubmitter(
      const std::string& subject) = 0;
  // Applications of any cohort waiting for e-mail confirmation whose
  // confirm_expire_micros is at or before `now`, earliest first, at most
  // `limit` (indexed: the sweep reads only what is due).
  virtual absl::StatusOr<std::vector<ApplicationRecord>> ListConfirmationsDue(absl::Time now,
                                                                              int limit) = 0;

  // E-mail uniqueness among a cohort's live applications. `email_keys` are
  // normalised keys (the service hashes lowercased addresses).
  // DuplicateApplicant() (enrollment_errors.h, ALREADY_EXISTS) if any key is
  // held by another application; then nothing is reserved.
  virtual absl::Status ReserveEmails(const std::string& cohort_id,
                                     const std::string& application_id,
                                     const std::vector<std::string>& email_keys) = 0;
  virtual absl::Status ReleaseEmails(const std::string& cohort_id,
                                     const std::string& application_id) = 0;
  // The application holding `email_key` in the cohort, if any.
  virtual absl::StatusOr<std::optional<std::string>> EmailHolder(
      const std::string& cohort_id, const std::string& email_key) = 0;
  // Gives the application the next arrival number (record->seq), so it
  // queues behind every application stored or arrived before: an anonymous
  // application arrives when its last address is confirmed, not when it was
  // created (confirmation.cc). Changes nothing else (no revision bump).
  virtual absl::Status MoveToQueueEnd(ApplicationRecord* record) = 0;

  // --- participants
  virtual absl::StatusOr<ParticipantRecord> GetParticipant(
      const std::string& cohort_id, const std::string& id) = 0;
  // Sets record->seq.
  virtual absl::Status InsertParticipant(ParticipantRecord* record) = 0;
  // Bumps record->revision.
  virtual absl::Status UpdateParticipant(ParticipantRecord* record) = 0;
  // Joining order (seq ASC), seq > after_seq, at most `limit` (<= 0: all).
  virtual absl::StatusOr<std::vector<ParticipantRecord>> ListParticipants(
      const std::string& cohort_id, const ParticipantFilter& filter,
      int64_t after_seq, int limit) = 0;
  // Every participation bound to `subject`, in any cohort and state, in
  // joining order. Indexed by the subject column. Empty subject: none.
  virtual absl::StatusOr<std::vector<ParticipantRecord>> ListParticipantsBySubject(
      const std::string& subject) = 0;

  // --- claim links
  // nullopt when no link has this hash.
  virtual absl::StatusOr<std::optional<ClaimLinkRecord>> GetClaimLink(
      const std::string& token_hash) = 0;
  virtual absl::Status InsertClaimLink(const ClaimLinkRecord& record) = 0;
  // Marks every unredeemed link of the participation revoked (a reissue).
  virtual absl::Status RevokeClaimLinks(const std::string& cohort_id,
                                        const std::string& participant_id) = 0;
  // Stores redeem_time and redeemed_by of `record` (found by token_hash).
  virtual absl::Status MarkClaimLinkRedeemed(const ClaimLinkRecord& record) = 0;

  // --- idempotency (AIP-155)
  virtual absl::StatusOr<std::optional<RequestIdRecord>> LookupRequestId(
      const std::string& scope, const std::string& request_id) = 0;
  virtual absl::Status SaveRequestId(const std::string& scope,
                                     const std::string& request_id,
                                     const RequestIdRecord& record,
                                     absl::Time now) = 0;

  // --- change feed
  // Sets record->seq.
  virtual absl::Status AppendChange(ChangeRecord* record) = 0;
  // seq > after_seq, oldest first, at most `limit`; only `municipality_code`
  // unless it is empty (all).
  virtual absl::StatusOr<std::vector<ChangeRecord>> ListChanges(
      int64_t after_seq, const std::string& municipality_code, int limit) = 0;
  // The highest seq the change log ever handed out (sqlite_sequence; 0 for
  // none): a cursor beyond it was made before a restore of an older backup.
  virtual absl::StatusOr<int64_t> ChangesHead() = 0;

  // --- provision records (provision.cc, provision_sql.h). Append-only:
  // the schema's triggers refuse UPDATE and DELETE, and nothing here offers
  // either (purge and erasure leave these rows alone).
  // Sets row->seq; ALREADY_EXISTS on a duplicate id.
  virtual absl::Status AppendProvisionRecord(ProvisionRow* row) = 0;
  // Matching rows: newest first with seq < position (0: from the newest),
  // or with `oldest_first` oldest first with seq > position; at most
  // `limit` (<= 0: all).
  virtual absl::StatusOr<std::vector<ProvisionRow>> ListProvisionRecords(
      const ProvisionFilter& filter, int64_t position, bool oldest_first, int limit) = 0;

  // --- retention
  // Deletes the cohort's applications, participants, e-mail keys, claim
  // links and request ids whose resource is in the cohort, and clears the
  // account subjects its erasures' report rows still hold. Returns (applications,
  // participants) deleted.
  virtual absl::StatusOr<std::pair<int, int>> DeleteCohortPersonalData(
      const std::string& cohort_id) = 0;

  // --- purge reports and erasure (purge.cc, erasure.cc; purge_report_sql.h)
  // A report's rows in display order; empty when there is none.
  virtual absl::StatusOr<std::vector<PurgeReportRow>> ListPurgeReport(
      const std::string& cohort_id, const std::string& participant_id) = 0;
  // Inserts or replaces the row with the same key.
  virtual absl::Status PutPurgeReportRow(const PurgeReportRow& row) = 0;
  // Up to `limit` report keys (cohort_id, participant_id), in key order and
  // after `after` (exclusive; {"", ""} and an empty cohort: from the start),
  // with a row FAILED or PENDING whose lease is not after `now` (the
  // automatic retry, purge_sweep.cc). NOT_CONFIGURED rows never count.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  ListRetryablePurgeReports(const std::pair<std::string, std::string>& after, absl::Time now,
                            int limit) = 0;
  // Deletes one person's key rows: `email_key` as reserved by their own
  // application `application_id` (skipped when either is empty; another
  // application's reservation of the same address stays), their claim
  // links, request ids naming them.
  virtual absl::StatusOr<ErasedKeys> DeleteParticipantKeys(const std::string& cohort_id,
                                                           const std::string& participant_id,
                                                           const std::string& application_id,
                                                           const std::string& email_key) = 0;
  // An application's erasure: the e-mail keys reserved by that application
  // (another application's reservation of the same address stays) and the
  // request ids naming it (erasure_application.cc).
  virtual absl::StatusOr<ErasedKeys> DeleteApplicationKeys(const std::string& cohort_id,
                                                           const std::string& application_id) = 0;

  // --- e-mail (notify.h, notify_sql.h): the outbox, written with the change
  // that causes each message (common/notify/outbox.h), reminder settings by
  // e-mail key (EmailKey), and the hand-overs already taken from other
  // services (EnqueueNotification's idempotency keys).
  // False, changing nothing, when a message with that id exists.
  virtual absl::StatusOr<bool> EnqueueMessage(const notify::OutboxMessage& message,
                                              absl::Time now) = 0;
  // Every message about `subject_ref` or a name under it (purge, erasure).
  virtual absl::StatusOr<int> DeleteMessagesFor(const std::string& subject_ref) = 0;
  // True unless turned off for that address.
  virtual absl::StatusOr<bool> RemindersEnabled(const std::string& email_key) = 0;
  virtual absl::Status SetRemindersEnabled(const std::string& email_key, bool enabled,
                                           absl::Time now) = 0;
  // The answer first given to a hand-over key, if seen.
  virtual absl::StatusOr<std::optional<kaizen::type::EnqueueNotificationResponse>>
  GetNotificationIntake(const std::string& idempotency_key) = 0;
  virtual absl::Status PutNotificationIntake(
      const std::string& idempotency_key,
      const kaizen::type::EnqueueNotificationResponse& response, absl::Time now) = 0;
  // The fingerprint stored with a hand-over key ("" for a key taken before
  // migration 10, or unknown), and setting it (after PutNotificationIntake).
  virtual absl::StatusOr<std::string> GetNotificationIntakeFingerprint(
      const std::string& idempotency_key) = 0;
  virtual absl::Status SetNotificationIntakeFingerprint(const std::string& idempotency_key,
                                                        const std::string& fingerprint) = 0;
  // The e-mail keys a cohort's applications reserve (before a purge).
  virtual absl::StatusOr<std::vector<std::string>> CohortEmailKeys(
      const std::string& cohort_id) = 0;
  // Deletes the reminder settings of these keys unless an application in
  // any cohort still reserves the address (erasure, purge). Returns how many.
  virtual absl::StatusOr<int> DeleteUnusedReminderSettings(
      const std::vector<std::string>& email_keys) = 0;
};

class EnrollmentStore {
 public:
  // Page size of a database file Open creates (DatabaseOptions::page_size).
  static constexpr int kPageSize = 2048;
  // Opens (and migrates) the database at options.path (":memory:" for tests).
  static absl::StatusOr<std::unique_ptr<EnrollmentStore>> Open(
      const storage::DatabaseOptions& options);

  // One atomic read-modify-write.
  absl::Status Write(const std::function<absl::Status(EnrollmentTx&)>& fn);
  // The same without waiting (storage::Database::SubmitTransaction): `done`
  // gets Write's result on the database's completion thread.
  void WriteAsync(std::function<absl::Status(EnrollmentTx&)> fn,
                  storage::Database::WriteDone done);
  // A consistent read.
  absl::Status Read(const std::function<absl::Status(EnrollmentTx&)>& fn);
  // After a purge or erasure commits: checkpoints and truncates the WAL so
  // no deleted row survives there (storage::Database::
  // CheckpointAndTruncateWal; ABORTED DATABASE_BUSY while a reader holds an
  // old snapshot).
  absl::Status CheckpointWal();
  // storage::Database::write_generation(): read it before a read whose
  // answer is cached (storage::GenerationCache).
  uint64_t write_generation() const { return db_->write_generation(); }

  // The schema, as numbered migrations (exposed for tests).
  static const storage::Migrations& Migrations();

  // The database itself, for the outbox deliverer (common/notify/
  // deliverer.h), which runs its own short transactions. Not for domain code.
  storage::Database& database() { return *db_; }

 private:
  explicit EnrollmentStore(std::unique_ptr<storage::Database> db)
      : db_(std::move(db)) {}
  std::unique_ptr<storage::Database> db_;
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_STORE_H_
