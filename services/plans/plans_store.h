// Storage for the plans service: plans (with their working draft), their
// immutable revisions, feedback, practice log entries and request ids, in
// one SQLite database.
//
// Each resource is stored as its serialized proto plus the columns queries
// need, which the store derives from the record on every write. Callers
// never see SQL.
//
// Transactions: Write() runs `fn` inside one BEGIN IMMEDIATE transaction
// (common/storage/database.h), so a read-modify-write in `fn` is atomic with
// respect to every other writer; Read() gives a consistent snapshot. `fn`
// returning non-OK rolls everything back.
//
// Revisions: Update* methods store revision + 1 and, only once that write
// succeeded, set record->revision to it (the etag source), so a failed
// update leaves the caller's record unchanged. Inserts start at revision 1.
#ifndef KAIZEN_SERVICES_PLANS_PLANS_STORE_H_
#define KAIZEN_SERVICES_PLANS_PLANS_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/storage/database.h"
#include "common/storage/purge_marks.h"
#include "common/storage/request_ids.h"
#include "kaizen/plans/v1/plans.pb.h"
#include "kaizen/type/partner.pb.h"

namespace kaizen::plans {


// A plan. `plan.name` is "cohorts/{cohort_id}/plans/{id}"; `plan.etag` and
// `plan.draft_changed` are never stored (the service fills them in).
struct PlanRecord {
  std::string cohort_id;
  std::string id;
  int64_t revision = 0;  // etag source; set by Insert (1) and Update (+1)
  int64_t seq = 0;       // assigned on insert: creation order in the store
  v1::Plan plan;
};

// An immutable revision of a plan. `revision.name` is
// "cohorts/{c}/plans/{p}/revisions/r{number}" (ids start with a letter).
struct RevisionRecord {
  std::string cohort_id;
  std::string plan_id;
  int64_t number = 0;
  v1::Revision revision;
};

// Feedback on a plan. `feedback.etag` is never stored.
struct FeedbackRecord {
  std::string cohort_id;
  std::string plan_id;
  std::string id;
  int64_t revision = 0;  // etag source
  int64_t seq = 0;       // assigned on insert
  v1::Feedback feedback;
};

// A practice log entry (immutable once written).
struct PracticeRecord {
  std::string cohort_id;
  std::string plan_id;
  std::string id;
  int64_t seq = 0;  // assigned on insert
  v1::PracticeEntry entry;
};

// Position in a practice log: (day, seq), day = YYYYMMDD of entry.date.
struct PracticePosition {
  int32_t day = 0;
  int64_t seq = 0;
};

using RequestIdRecord = storage::RequestIdRecord;

// What a purge deleted, and a recorded purge (common/storage/purge_marks.h;
// `has_counts` is false for a purge recorded before counts were kept,
// schema 2).
using PurgeCounts = storage::PurgeCounts;
using PurgeRecord = storage::PurgeRecord;

// The operations available inside a transaction. NOT_FOUND
// (errors::NotFound with the resource type "Plan", "Revision", "Feedback"
// and the resource name) when a get misses; ALREADY_EXISTS
// (errors::AlreadyExists with the same type and name) on a duplicate key.
class PlansTx {
 public:
  virtual ~PlansTx() = default;

  // --- plans
  virtual absl::StatusOr<PlanRecord> GetPlan(const std::string& cohort_id,
                                             const std::string& id) = 0;
  // Sets record->seq and record->revision (1).
  virtual absl::Status InsertPlan(PlanRecord* record) = 0;
  // Stores record->revision + 1, then sets record->revision.
  virtual absl::Status UpdatePlan(PlanRecord* record) = 0;
  // Creation order (seq ASC), seq > after_seq, at most `limit` (<= 0: all).
  virtual absl::StatusOr<std::vector<PlanRecord>> ListPlans(const std::string& cohort_id,
                                                            int64_t after_seq, int limit) = 0;

  // --- revisions (immutable: no update)
  // ALREADY_EXISTS if the plan already has this number.
  virtual absl::Status InsertRevision(const RevisionRecord& record) = 0;
  virtual absl::StatusOr<RevisionRecord> GetRevision(const std::string& cohort_id,
                                                     const std::string& plan_id,
                                                     int64_t number) = 0;
  // Newest first: numbers < before_number (0 = from the newest), at most
  // `limit` (<= 0: all).
  virtual absl::StatusOr<std::vector<RevisionRecord>> ListRevisions(
      const std::string& cohort_id, const std::string& plan_id, int64_t before_number,
      int limit) = 0;

  // --- feedback
  virtual absl::StatusOr<FeedbackRecord> GetFeedback(const std::string& cohort_id,
                                                     const std::string& plan_id,
                                                     const std::string& id) = 0;
  // Sets record->seq and record->revision (1).
  virtual absl::Status InsertFeedback(FeedbackRecord* record) = 0;
  // Stores record->revision + 1, then sets record->revision.
  virtual absl::Status UpdateFeedback(FeedbackRecord* record) = 0;
  // Creation order, seq > after_seq, at most `limit` (<= 0: all).
  virtual absl::StatusOr<std::vector<FeedbackRecord>> ListFeedback(const std::string& cohort_id,
                                                                   const std::string& plan_id,
                                                                   int64_t after_seq,
                                                                   int limit) = 0;

  // --- practice log
  // Sets record->seq.
  virtual absl::Status InsertPracticeEntry(PracticeRecord* record) = 0;
  // Ordered by (day, seq), strictly after `after` when given, at most
  // `limit` (<= 0: all).
  virtual absl::StatusOr<std::vector<PracticeRecord>> ListPracticeEntries(
      const std::string& cohort_id, const std::string& plan_id,
      std::optional<PracticePosition> after, int limit) = 0;

  // --- personal-data purge (issue 15; purge_sql.h has the details)
  // participant "": every plan of the cohort with its revisions, feedback
  // and practice log; else that person's share (purge_sql.h). Kinds in
  // order: plans, revisions, stage_versions, feedback, practice_entries,
  // owners_removed, authorship_cleared, request_ids.
  virtual absl::StatusOr<PurgeCounts> PurgePersonalData(const std::string& cohort_id,
                                                        const std::string& participant,
                                                        const std::string& subject) = 0;
  // Records that the cohort (participant "") or the person was purged at
  // `now`, deleting `counts`. The first time is kept; counts are stored only
  // where none were (a purge recorded before schema 3).
  virtual absl::Status MarkPurged(const std::string& cohort_id, const std::string& participant,
                                  absl::Time now, const PurgeCounts& counts) = 0;
  // The recorded purge of the cohort (participant "") or the person, if any.
  // INTERNAL if its stored counts cannot be read.
  virtual absl::StatusOr<std::optional<PurgeRecord>> GetPurge(
      const std::string& cohort_id, const std::string& participant) = 0;
  virtual absl::StatusOr<bool> IsPurged(const std::string& cohort_id,
                                        const std::string& participant) = 0;

  // --- the result-change log (clients/partner/result_changes_contract.h;
  // migration 4): resource names, a category and a time, nothing personal.
  // Appends one change of "cohorts/{cohort_id}/participants/{p}"; call it in
  // the write transaction that made the change.
  virtual absl::Status AppendResultChange(const std::string& cohort_id,
                                          const std::string& participant,
                                          kaizen::type::ShareCategory category,
                                          absl::Time time) = 0;
  // The page after `after_sequence`, at most `page_size` changes.
  virtual absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      int64_t after_sequence, int page_size) = 0;
  // Deletes the cohort's rows (participant "") or one person's; how many.
  virtual absl::StatusOr<int64_t> DeleteResultChanges(const std::string& cohort_id,
                                                      const std::string& participant) = 0;

  // --- idempotency (AIP-155)
  virtual absl::StatusOr<std::optional<RequestIdRecord>> LookupRequestId(
      const std::string& scope, const std::string& request_id) = 0;
  virtual absl::Status SaveRequestId(const std::string& scope, const std::string& request_id,
                                     const RequestIdRecord& record, absl::Time now) = 0;
};

class PlansStore {
 public:
  // Opens (and migrates) the database at options.path (":memory:" for tests).
  static absl::StatusOr<std::unique_ptr<PlansStore>> Open(
      const storage::DatabaseOptions& options);

  // One atomic read-modify-write.
  absl::Status Write(const std::function<absl::Status(PlansTx&)>& fn);
  // After a purge commits: checkpoints and truncates the WAL so no deleted
  // row survives there (storage::Database::CheckpointAndTruncateWal;
  // ABORTED DATABASE_BUSY while a reader holds an old snapshot).
  absl::Status CheckpointWal();
  // A consistent read.
  absl::Status Read(const std::function<absl::Status(PlansTx&)>& fn);

  // The schema, as numbered migrations (exposed for tests).
  static const storage::Migrations& Migrations();

 private:
  explicit PlansStore(std::unique_ptr<storage::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<storage::Database> db_;
};

}  // namespace kaizen::plans

#endif  // KAIZEN_SERVICES_PLANS_PLANS_STORE_H_
