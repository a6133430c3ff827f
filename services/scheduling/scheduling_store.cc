#include "services/scheduling/scheduling_store.h"

#include <utility>

#include "absl/strings/ascii.h"

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "clients/partner/result_changes_contract.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/notify/outbox.h"
#include "common/storage/resource_table.h"
#include "common/util/proto_time.h"

namespace kaizen::scheduling {
namespace {

// Resource types, as NOT_FOUND / ALREADY_EXISTS name them (ResourceInfo).
constexpr char kMeeting[] = "Meeting";
constexpr char kPoll[] = "Poll";
constexpr char kTask[] = "Task";
constexpr char kSlot[] = "SupportSlot";
constexpr char kTemplate[] = "Template";
constexpr char kAttendance[] = "MeetingAttendance";
constexpr char kFeed[] = "CalendarFeed";
constexpr char kFeedSecret[] = "CalendarFeedSecret";
constexpr char kPurge[] = "CohortPurge";

std::string PollKey(const std::string& meeting) { return meeting + "/polls/poll"; }
std::string SheetKey(const std::string& meeting) { return meeting + "/attendance/sheet"; }
std::string FeedSecretKey(const std::string& feed) { return feed + "/secret/hmac"; }
constexpr char kErasure[] = "ParticipantErasure";

std::string PurgeKey(const std::string& cohort) { return cohort + "/purge/record"; }
// "cohorts/c/participants/p" -> "cohorts/c/erasures/p": listed per cohort.
std::string ErasureKey(const std::string& participant) {
  const size_t slash = participant.rfind('/');
  return storage::ParentOf(participant) + "/erasures/" + participant.substr(slash + 1);
}
// The API name of a meeting's poll ("{meeting}/poll"), which NOT_FOUND names
// rather than the storage key.
std::string PollApiName(const std::string& meeting) { return meeting + "/poll"; }

// Removes one record; NOT_FOUND (naming `api_name`) when absent. The
// resource table has no delete of its own: this store is the only SQL here.
absl::Status Delete(SQLite::Database& db, const char* type, const std::string& key,
                    const std::string& api_name) {
  SQLite::Statement st(db, "DELETE FROM resources WHERE name = ?");
  st.bind(1, key);
  if (st.exec() == 0) return errors::NotFound(type, api_name);
  return absl::OkStatus();
}

template <typename Message>
Record<Message> FromResource(storage::Resource<Message> r) {
  return Record<Message>{std::move(r.name), r.revision, r.seq, std::move(r.message)};
}

template <typename Message>
absl::StatusOr<Record<Message>> Get(SQLite::Database& db, const char* type,
                                    const std::string& name) {
  ASSIGN_OR_RETURN(storage::Resource<Message> r, storage::GetResource<Message>(db, type, name));
  return FromResource(std::move(r));
}

template <typename Message>
absl::Status Insert(SQLite::Database& db, const char* type, Record<Message>* record) {
  storage::Resource<Message> r{record->name, record->revision, 0, record->message};
  RETURN_IF_ERROR(storage::InsertResource(db, type, &r));
  record->seq = r.seq;
  return absl::OkStatus();
}

// Writes revision + 1; the caller's record sees it only once written.
template <typename Message>
absl::Status Update(SQLite::Database& db, const char* type, Record<Message>* record) {
  storage::Resource<Message> r{record->name, record->revision + 1, record->seq, record->message};
  RETURN_IF_ERROR(storage::UpdateResource(db, type, r));
  record->revision = r.revision;
  return absl::OkStatus();
}

template <typename Message>
absl::StatusOr<std::vector<Record<Message>>> List(SQLite::Database& db,
                                                  const std::string& parent,
                                                  const std::string& collection) {
  ASSIGN_OR_RETURN(std::vector<storage::Resource<Message>> rows,
                   storage::ListResources<Message>(db, parent, collection));
  std::vector<Record<Message>> out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(FromResource(std::move(r)));
  return out;
}

// A hand-over's outbox payload: the request without its idempotency_key
// (the hand-over sets it from the row id).
std::string StoredPayload(const kaizen::type::EnqueueNotificationRequest& request) {
  kaizen::type::EnqueueNotificationRequest stored = request;
  stored.clear_idempotency_key();
  return stored.SerializeAsString();
}

class SqliteSchedulingTx final : public SchedulingTx {
 public:
  explicit SqliteSchedulingTx(SQLite::Database& db) : db_(db) {}

  absl::StatusOr<TemplateRecord> GetTemplate(const std::string& name) override {
    return Get<v1::Template>(db_, kTemplate, name);
  }
  absl::Status InsertTemplate(TemplateRecord* record) override {
    return Insert(db_, kTemplate, record);
  }
  absl::StatusOr<std::vector<TemplateRecord>> ListTemplates() override {
    return List<v1::Template>(db_, "", "templates");
  }

  absl::StatusOr<MeetingRecord> GetMeeting(const std::string& name) override {
    return Get<v1::Meeting>(db_, kMeeting, name);
  }
  absl::Status InsertMeeting(MeetingRecord* record) override {
    return Insert(db_, kMeeting, record);
  }
  absl::Status UpdateMeeting(MeetingRecord* record) override {
    return Update(db_, kMeeting, record);
  }
  absl::StatusOr<std::vector<MeetingRecord>> ListMeetings(const std::string& cohort) override {
    return List<v1::Meeting>(db_, cohort, "meetings");
  }

  absl::StatusOr<PollRecord> GetPoll(const std::string& meeting) override {
    absl::StatusOr<PollRecord> poll = Get<v1::Poll>(db_, kPoll, PollKey(meeting));
    if (absl::IsNotFound(poll.status())) return errors::NotFound(kPoll, PollApiName(meeting));
    return poll;
  }
  absl::Status DeletePoll(const std::string& meeting) override {
    return Delete(db_, kPoll, PollKey(meeting), PollApiName(meeting));
  }
  absl::Status InsertPoll(const std::string& meeting, PollRecord* record) override {
    record->name = PollKey(meeting);
    return Insert(db_, kPoll, record);
  }
  absl::Status UpdatePoll(PollRecord* record) override { return Update(db_, kPoll, record); }

  absl::StatusOr<TaskRecord> GetTask(const std::string& name) override {
    return Get<v1::Task>(db_, kTask, name);
  }
  absl::Status InsertTask(TaskRecord* record) override { return Insert(db_, kTask, record); }
  absl::Status UpdateTask(TaskRecord* record) override { return Update(db_, kTask, record); }
  absl::Status DeleteTask(const std::string& name) override {
    return Delete(db_, kTask, name, name);
  }
  absl::StatusOr<std::vector<TaskRecord>> ListTasks(const std::string& meeting) override {
    return List<v1::Task>(db_, meeting, "tasks");
  }

  absl::StatusOr<AttendanceSheetRecord> GetAttendanceSheet(const std::string& meeting) override {
    return Get<v1::MeetingAttendance>(db_, kAttendance, SheetKey(meeting));
  }
  absl::Status InsertAttendanceSheet(const std::string& meeting,
                                     AttendanceSheetRecord* record) override {
    record->name = SheetKey(meeting);
    return Insert(db_, kAttendance, record);
  }
  absl::Status UpdateAttendanceSheet(AttendanceSheetRecord* record) override {
    return Update(db_, kAttendance, record);
  }
  absl::Status DeleteAttendanceSheet(const std::string& meeting) override {
    return Delete(db_, kAttendance, SheetKey(meeting), meeting + "/attendance");
  }

  absl::StatusOr<SupportSlotRecord> GetSupportSlot(const std::string& name) override {
    return Get<v1::SupportSlot>(db_, kSlot, name);
  }
  absl::Status InsertSupportSlot(SupportSlotRecord* record) override {
    return Insert(db_, kSlot, record);
  }
  absl::Status UpdateSupportSlot(SupportSlotRecord* record) override {
    return Update(db_, kSlot, record);
  }
  absl::Status DeleteSupportSlot(const std::string& name) override {
    return Delete(db_, kSlot, name, name);
  }
  absl::StatusOr<std::vector<SupportSlotRecord>> ListSupportSlots(
      const std::string& cohort) override {
    return List<v1::SupportSlot>(db_, cohort, "supportSlots");
  }

  absl::StatusOr<CalendarFeedRecord> GetCalendarFeed(const std::string& name) override {
    return Get<v1::CalendarFeed>(db_, kFeed, name);
  }
  absl::StatusOr<CalendarFeedSecret> GetCalendarFeedSecret(const std::string& feed) override {
    ASSIGN_OR_RETURN(auto r, Get<CalendarFeedSecret>(db_, kFeedSecret, FeedSecretKey(feed)));
    return std::move(r.message);
  }
  absl::Status InsertCalendarFeed(CalendarFeedRecord* record,
                                  const CalendarFeedSecret& secret) override {
    RETURN_IF_ERROR(Insert(db_, kFeed, record));
    Record<CalendarFeedSecret> s{FeedSecretKey(record->name), 1, 0, secret};
    return Insert(db_, kFeedSecret, &s);
  }
  absl::Status UpdateCalendarFeed(CalendarFeedRecord* record,
                                  const CalendarFeedSecret& secret) override {
    ASSIGN_OR_RETURN(auto s, Get<CalendarFeedSecret>(db_, kFeedSecret, FeedSecretKey(record->name)));
    s.message = secret;
    RETURN_IF_ERROR(Update(db_, kFeedSecret, &s));
    return Update(db_, kFeed, record);
  }
  absl::StatusOr<std::vector<CalendarFeedRecord>> ListCalendarFeeds(
      const std::string& cohort) override {
    return List<v1::CalendarFeed>(db_, cohort, "calendarFeeds");
  }
  absl::Status DeleteCalendarFeed(const std::string& name) override {
    RETURN_IF_ERROR(Delete(db_, kFeed, name, name));
    absl::Status secret = Delete(db_, kFeedSecret, FeedSecretKey(name), name);
    return absl::IsNotFound(secret) ? absl::OkStatus() : secret;
  }

  absl::StatusOr<bool> IsCohortPurged(const std::string& cohort) override {
    absl::StatusOr<CohortPurgeRecord> r =
        Get<::kaizen::type::PurgeReport>(db_, kPurge, PurgeKey(cohort));
    if (absl::IsNotFound(r.status())) return false;
    RETURN_IF_ERROR(r.status());
    return true;
  }
  absl::StatusOr<CohortPurgeRecord> GetCohortPurge(const std::string& cohort) override {
    return Get<::kaizen::type::PurgeReport>(db_, kPurge, PurgeKey(cohort));
  }
  absl::Status InsertCohortPurge(const std::string& cohort, CohortPurgeRecord* record) override {
    record->name = PurgeKey(cohort);
    return Insert(db_, kPurge, record);
  }

  absl::StatusOr<bool> IsParticipantErased(const std::string& participant) override {
    absl::StatusOr<ErasureRecord> r =
        Get<::kaizen::type::PurgeReport>(db_, kErasure, ErasureKey(participant));
    if (absl::IsNotFound(r.status())) return false;
    RETURN_IF_ERROR(r.status());
    return true;
  }
  absl::StatusOr<ErasureRecord> GetParticipantErasure(const std::string& participant) override {
    return Get<::kaizen::type::PurgeReport>(db_, kErasure, ErasureKey(participant));
  }
  absl::StatusOr<std::set<std::string>> ListErasedParticipants(
      const std::string& cohort) override {
    ASSIGN_OR_RETURN(auto marks, List<::kaizen::type::PurgeReport>(db_, cohort, "erasures"));
    std::set<std::string> out;
    for (const auto& m : marks) out.insert(m.message.participant());
    return out;
  }
  absl::Status InsertParticipantErasure(const std::string& participant,
                                        ErasureRecord* record) override {
    record->name = ErasureKey(participant);
    return Insert(db_, kErasure, record);
  }

  absl::Status AppendResultChange(const std::string& participant,
                                  kaizen::type::ShareCategory category,
                                  absl::Time time) override {
    // "cohorts/{c}/participants/{p}": the log keys rows by the cohort id.
    const std::string cohort = storage::ParentOf(participant);  // "cohorts/{c}"
    partner_client::AppendResultChange(db_, cohort.substr(cohort.find('/') + 1), participant,
                                       category, time);
    return absl::OkStatus();
  }
  absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      int64_t after_sequence, int page_size) override {
    partner_client::ResultChangesQuery query;
    query.after_sequence = after_sequence;
    query.page_size = page_size;
    return partner_client::ListResultChanges(db_, query);
  }
  absl::StatusOr<int64_t> DeleteResultChanges(const std::string& cohort,
                                              const std::string& participant) override {
    return partner_client::DeleteResultChanges(db_, cohort.substr(cohort.find('/') + 1),
                                               participant);
  }

  absl::StatusOr<bool> EnqueueNotification(const std::string& id, const std::string& subject,
                                           const kaizen::type::EnqueueNotificationRequest& request,
                                           absl::Time now) override {
    notify::OutboxMessage m;
    m.id = id;
    m.kind = absl::AsciiStrToLower(kaizen::type::NotificationKind_Name(request.kind()));
    m.subject_ref = subject;
    m.payload = StoredPayload(request);
    return notify::Enqueue(db_, m, now);
  }
  absl::StatusOr<bool> HasNotification(const std::string& id) override {
    SQLite::Statement st(db_, "SELECT 1 FROM outbox WHERE id = ?");
    st.bind(1, id);
    return st.executeStep();
  }
  absl::StatusOr<int> DeleteNotifications(const std::string& subject) override {
    return notify::DeleteFor(db_, subject);
  }
  absl::StatusOr<int> DeleteUndeliveredNotifications(const std::string& subject) override {
    SQLite::Statement st(db_, "DELETE FROM outbox WHERE subject_ref = ? AND state != ?");
    st.bind(1, subject);
    st.bind(2, static_cast<int>(notify::OutboxState::kSent));
    return st.exec();
  }
  absl::StatusOr<std::vector<std::pair<std::string, kaizen::type::EnqueueNotificationRequest>>>
  ListUndeliveredNotifications(const std::string& subject) override {
    ASSIGN_OR_RETURN(std::vector<notify::OutboxMessage> rows, notify::UndeliveredFor(db_, subject));
    std::vector<std::pair<std::string, kaizen::type::EnqueueNotificationRequest>> out;
    for (notify::OutboxMessage& row : rows) {
      kaizen::type::EnqueueNotificationRequest request;
      if (!request.ParseFromString(row.payload)) {
        return absl::InternalError(absl::StrCat("outbox row ", row.id, " does not parse"));
      }
      out.emplace_back(std::move(row.id), std::move(request));
    }
    return out;
  }
  absl::StatusOr<bool> ReplaceUndeliveredNotification(
      const std::string& id, const kaizen::type::EnqueueNotificationRequest& request) override {
    return notify::ReplaceUndeliveredPayload(db_, id, StoredPayload(request));
  }
  absl::StatusOr<bool> DeleteUndeliveredNotification(const std::string& id) override {
    return notify::DeleteUndelivered(db_, id);
  }
  absl::StatusOr<std::vector<TaskRecord>> ListTasksDue(absl::Time after,
                                                       absl::Time until) override {
    SQLite::Statement st(db_,
                         "SELECT name, revision, seq, data FROM resources "
                         "WHERE collection = 'tasks' ORDER BY seq");
    std::vector<TaskRecord> out;
    while (st.executeStep()) {
      TaskRecord t;
      t.name = st.getColumn(0).getString();
      t.revision = st.getColumn(1).getInt64();
      t.seq = st.getColumn(2).getInt64();
      const std::string data = st.getColumn(3).getString();
      if (!t.message.ParseFromString(data)) return storage::internal::Unreadable(t.name);
      const absl::Time due = FromProtoTimestamp(t.message.due_time());
      if (due > after && due <= until) out.push_back(std::move(t));
    }
    return out;
  }

 private:
  SQLite::Database& db_;
};

}  // namespace

const storage::Migrations& SchedulingStore::Migrations() {
  // 1: the resource table; 2: the result-change log (issue 14); 3: the
  // outbox of messages handed over to enrollment (issue 13).
  static const auto* const kMigrations = new storage::Migrations{
      storage::kResourcesTableSql, std::string(partner_client::kResultChangesSchema),
      notify::kOutboxTableSql};
  return *kMigrations;
}

absl::StatusOr<std::unique_ptr<SchedulingStore>> SchedulingStore::Open(
    const storage::DatabaseOptions& options) {
  ASSIGN_OR_RETURN(auto db, storage::Database::Open(options, Migrations()));
  return std::unique_ptr<SchedulingStore>(new SchedulingStore(std::move(db)));
}

absl::Status SchedulingStore::Write(const std::function<absl::Status(SchedulingTx&)>& fn) {
  return db_->RunInTransaction([&](SQLite::Database& db) {
    SqliteSchedulingTx tx(db);
    return fn(tx);
  });
}

absl::Status SchedulingStore::CheckpointWal() { return db_->CheckpointAndTruncateWal(); }

absl::Status SchedulingStore::Read(const std::function<absl::Status(SchedulingTx&)>& fn) {
  return db_->RunReadOnly([&](SQLite::Database& db) {
    SqliteSchedulingTx tx(db);
    return fn(tx);
  });
}

}  // namespace kaizen::scheduling
