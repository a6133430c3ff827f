// Storage for the scheduling service: meetings, polls, tasks, attendance
// sheets, support slots, custom templates and calendar feeds (with their
// secrets' hashes), in one SQLite database.
//
// Every resource is a serialized proto in one table of resources keyed by
// name (common/storage/resource_table.h), with a parent and collection for
// listing. Callers never see SQL or SQLiteCpp: they get typed records.
//
// Transactions: Write() runs `fn` inside one BEGIN IMMEDIATE transaction
// (common/storage/database.h), so a read-modify-write in `fn` is atomic with
// respect to every other writer, in this process or another (this is what
// makes a support slot bookable by exactly one caller); Read() gives a
// consistent snapshot. `fn` returning non-OK rolls everything back.
//
// Errors inside a transaction: a Get* or Update* of a missing record is
// NOT_FOUND (errors::NotFound with the resource type and the stored name);
// an Insert* of a taken name is ALREADY_EXISTS (reason ALREADY_EXISTS);
// storage failures are the statuses of common/storage/database.h.
#ifndef KAIZEN_SERVICES_SCHEDULING_SCHEDULING_STORE_H_
#define KAIZEN_SERVICES_SCHEDULING_SCHEDULING_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "calendar_feed_secret.pb.h"
#include "common/storage/database.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"
#include "kaizen/type/notification.pb.h"
#include "kaizen/type/partner.pb.h"
#include "kaizen/type/purge.pb.h"

namespace kaizen::scheduling {


// A stored resource: its name (the storage key), its revision (for etags)
// and its creation order. The message is stored as given; output-only
// fields such as etags are not stored (the domain fills them in).
template <typename Message>
struct Record {
  std::string name;
  int64_t revision = 1;  // 1 on insert; every Update* adds one
  int64_t seq = 0;       // set on insert; increases with creation order
  Message message;
};

// "cohorts/{c}/meetings/{m}".
using MeetingRecord = Record<v1::Meeting>;
// One per meeting, stored as "{meeting}/polls/poll" (the API name is
// "{meeting}/poll").
using PollRecord = Record<v1::Poll>;
// "cohorts/{c}/meetings/{m}/tasks/{t}".
using TaskRecord = Record<v1::Task>;
// One per meeting, stored as "{meeting}/attendance/sheet".
using AttendanceSheetRecord = Record<v1::MeetingAttendance>;
// "cohorts/{c}/supportSlots/{s}".
using SupportSlotRecord = Record<v1::SupportSlot>;
// Custom templates only, "templates/{t}" (built-ins live in templates.h).
using TemplateRecord = Record<v1::Template>;
// "cohorts/{c}/calendarFeeds/{f}": the public part (token and url_path are
// never stored).
using CalendarFeedRecord = Record<v1::CalendarFeed>;
// What is kept of a feed's secret; stored beside the feed as
// "{feed}/secret/hmac", so listing feeds never reads it.
using CalendarFeedSecret = ::kaizen::scheduling::stored::CalendarFeedSecret;
// The mark a whole-cohort purge leaves, "cohorts/{c}/purge/record": the
// first purge's report (what was deleted, when). Holds no personal data.
using CohortPurgeRecord = Record<::kaizen::type::PurgeReport>;
// The mark one person's erasure leaves, "cohorts/{c}/erasures/{p}" for
// participant "cohorts/{c}/participants/{p}": the first erasure's report
// (its `participant` names whom it is about; no other personal data).
using ErasureRecord = Record<::kaizen::type::PurgeReport>;

// The operations available inside a transaction. Insert* sets record->name
// where the store derives it (polls, sheets) and record->seq; Update*
// writes the record with revision + 1 and, on success, stores the new
// revision in *record. List* return creation order. Delete* remove a record
// for good (NOT_FOUND when it is absent).
class SchedulingTx {
 public:
  virtual ~SchedulingTx() = default;

  // --- templates
  virtual absl::StatusOr<TemplateRecord> GetTemplate(const std::string& name) = 0;
  virtual absl::Status InsertTemplate(TemplateRecord* record) = 0;
  virtual absl::StatusOr<std::vector<TemplateRecord>> ListTemplates() = 0;

  // --- meetings
  virtual absl::StatusOr<MeetingRecord> GetMeeting(const std::string& name) = 0;
  virtual absl::Status InsertMeeting(MeetingRecord* record) = 0;
  virtual absl::Status UpdateMeeting(MeetingRecord* record) = 0;
  // The meetings of "cohorts/{c}".
  virtual absl::StatusOr<std::vector<MeetingRecord>> ListMeetings(
      const std::string& cohort) = 0;

  // --- polls (keyed by their meeting)
  virtual absl::StatusOr<PollRecord> GetPoll(const std::string& meeting) = 0;
  // Sets record->name from `meeting`.
  virtual absl::Status InsertPoll(const std::string& meeting, PollRecord* record) = 0;
  virtual absl::Status UpdatePoll(PollRecord* record) = 0;
  virtual absl::Status DeletePoll(const std::string& meeting) = 0;

  // --- tasks
  virtual absl::StatusOr<TaskRecord> GetTask(const std::string& name) = 0;
  virtual absl::Status InsertTask(TaskRecord* record) = 0;
  virtual absl::Status UpdateTask(TaskRecord* record) = 0;
  virtual absl::Status DeleteTask(const std::string& name) = 0;
  // The tasks of "cohorts/{c}/meetings/{m}".
  virtual absl::StatusOr<std::vector<TaskRecord>> ListTasks(const std::string& meeting) = 0;

  // --- attendance sheets (keyed by their meeting)
  virtual absl::StatusOr<AttendanceSheetRecord> GetAttendanceSheet(
      const std::string& meeting) = 0;
  // Sets record->name from `meeting`.
  virtual absl::Status InsertAttendanceSheet(const std::string& meeting,
                                             AttendanceSheetRecord* record) = 0;
  virtual absl::Status UpdateAttendanceSheet(AttendanceSheetRecord* record) = 0;
  virtual absl::Status DeleteAttendanceSheet(const std::string& meeting) = 0;

  // --- support slots
  virtual absl::StatusOr<SupportSlotRecord> GetSupportSlot(const std::string& name) = 0;
  virtual absl::Status InsertSupportSlot(SupportSlotRecord* record) = 0;
  virtual absl::Status UpdateSupportSlot(SupportSlotRecord* record) = 0;
  virtual absl::Status DeleteSupportSlot(const std::string& name) = 0;
  // The support slots of "cohorts/{c}".
  virtual absl::StatusOr<std::vector<SupportSlotRecord>> ListSupportSlots(
      const std::string& cohort) = 0;

  // --- calendar feeds (the feed and its secret are written together)
  virtual absl::StatusOr<CalendarFeedRecord> GetCalendarFeed(const std::string& name) = 0;
  // NOT_FOUND when the feed has no stored secret.
  virtual absl::StatusOr<CalendarFeedSecret> GetCalendarFeedSecret(const std::string& feed) = 0;
  virtual absl::Status InsertCalendarFeed(CalendarFeedRecord* record,
                                          const CalendarFeedSecret& secret) = 0;
  virtual absl::Status UpdateCalendarFeed(CalendarFeedRecord* record,
                                          const CalendarFeedSecret& secret) = 0;
  // The feeds of "cohorts/{c}".
  virtual absl::StatusOr<std::vector<CalendarFeedRecord>> ListCalendarFeeds(
      const std::string& cohort) = 0;
  // The feed and its secret.
  virtual absl::Status DeleteCalendarFeed(const std::string& name) = 0;

  // --- the purge mark of "cohorts/{c}"
  // Whether the cohort's personal data was purged.
  virtual absl::StatusOr<bool> IsCohortPurged(const std::string& cohort) = 0;
  // The mark (NOT_FOUND when the cohort was not purged).
  virtual absl::StatusOr<CohortPurgeRecord> GetCohortPurge(const std::string& cohort) = 0;
  // Sets record->name from `cohort`; ALREADY_EXISTS when marked already.
  virtual absl::Status InsertCohortPurge(const std::string& cohort,
                                         CohortPurgeRecord* record) = 0;

  // --- erasure marks of one person (participant "cohorts/{c}/participants/{p}")
  // Whether the person's personal data was erased.
  virtual absl::StatusOr<bool> IsParticipantErased(const std::string& participant) = 0;
  // The mark (NOT_FOUND when the person was not erased).
  virtual absl::StatusOr<ErasureRecord> GetParticipantErasure(const std::string& participant) = 0;
  // The participant names of every person of "cohorts/{c}" erased so far.
  virtual absl::StatusOr<std::set<std::string>> ListErasedParticipants(
      const std::string& cohort) = 0;
  // Sets record->name from `participant`; ALREADY_EXISTS when marked already.
  virtual absl::Status InsertParticipantErasure(const std::string& participant,
                                                ErasureRecord* record) = 0;

  // --- the result-change log (clients/partner/result_changes_contract.h):
  // resource names, a category and a time; nothing personal.
  // Appends one change of `participant` ("cohorts/{c}/participants/{p}");
  // call it in the write transaction that made the change.
  virtual absl::Status AppendResultChange(const std::string& participant,
                                          kaizen::type::ShareCategory category,
                                          absl::Time time) = 0;
  // The page after `after_sequence`, at most `page_size` changes.
  virtual absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      int64_t after_sequence, int page_size) = 0;
  // Deletes the rows of "cohorts/{c}" (participant "") or of one person;
  // returns how many.
  virtual absl::StatusOr<int64_t> DeleteResultChanges(const std::string& cohort,
                                                      const std::string& participant) = 0;

  // --- the outbox (common/notify/outbox.h): messages handed over to
  // enrollment (notifications.h). Call the writes in the transaction of the
  // change that causes them.
  // Writes a PENDING row `id` due at `now`: kind = the request's kind in
  // lower case ("meeting_confirmed"), subject_ref `subject` (the meeting,
  // poll or task), recipient "", payload = `request` serialized with its
  // idempotency_key cleared (the hand-over sets it from the row id). Returns
  // false, writing nothing, when a row `id` exists already (any state).
  virtual absl::StatusOr<bool> EnqueueNotification(
      const std::string& id, const std::string& subject,
      const kaizen::type::EnqueueNotificationRequest& request, absl::Time now) = 0;
  // Whether a row `id` exists (any state).
  virtual absl::StatusOr<bool> HasNotification(const std::string& id) = 0;
  // Deletes every row about `subject` or a name under it (a purged cohort,
  // a deleted task); returns how many.
  virtual absl::StatusOr<int> DeleteNotifications(const std::string& subject) = 0;
  // Deletes the rows about exactly `subject` that have not been handed over
  // (PENDING, or DEAD that an operator could still retry); SENT rows stay.
  // Returns how many. For messages that no longer apply: a task deleted, or
  // its due time or assignee changed, before its reminder went out.
  virtual absl::StatusOr<int> DeleteUndeliveredNotifications(const std::string& subject) = 0;
  // The rows about `subject` or a name under it that have not been handed
  // over (PENDING, or DEAD that an operator could still retry), in id order,
  // with their requests: an erasure takes the person off them.
  virtual absl::StatusOr<std::vector<std::pair<std::string, kaizen::type::EnqueueNotificationRequest>>>
  ListUndeliveredNotifications(const std::string& subject) = 0;
  // Replaces the request of the not-handed-over row `id` (same encoding as
  // EnqueueNotification); false if there is no such row.
  virtual absl::StatusOr<bool> ReplaceUndeliveredNotification(
      const std::string& id, const kaizen::type::EnqueueNotificationRequest& request) = 0;
  // Deletes the not-handed-over row `id`; false if there is no such row.
  virtual absl::StatusOr<bool> DeleteUndeliveredNotification(const std::string& id) = 0;
  // Every task of every cohort due in (after, until], in creation order. A
  // scan of the stored tasks (there is no index on due time): fine for the
  // thousands of tasks a programme has, run by the reminder sweep only.
  virtual absl::StatusOr<std::vector<TaskRecord>> ListTasksDue(absl::Time after,
                                                               absl::Time until) = 0;
};

class SchedulingStore {
 public:
  // Opens (and migrates) the database at options.path (":memory:" for tests).
  static absl::StatusOr<std::unique_ptr<SchedulingStore>> Open(
      const storage::DatabaseOptions& options);

  // One atomic read-modify-write.
  absl::Status Write(const std::function<absl::Status(SchedulingTx&)>& fn);
  // A consistent read; `fn` only gets and lists.
  absl::Status Read(const std::function<absl::Status(SchedulingTx&)>& fn);
  // After a Write that deleted personal data (a purge): empties the WAL of
  // older page images, so the deleted data is gone from the files too
  // (storage::Database::CheckpointAndTruncateWal; ABORTED DATABASE_BUSY if
  // a reader held on past the busy timeout).
  absl::Status CheckpointWal();

  // The schema, as numbered migrations (exposed for tests).
  static const storage::Migrations& Migrations();

  // The database itself, for the outbox's Deliverer (main.cc) and tests;
  // domain code goes through Write and Read.
  storage::Database* database() { return db_.get(); }

 private:
  explicit SchedulingStore(std::unique_ptr<storage::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<storage::Database> db_;
};

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_SCHEDULING_STORE_H_
