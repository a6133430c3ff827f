// The scheduling domain: meeting series from templates, date polls,
// confirmation and changes, preparation tasks, attendance, support slots and
// calendar feeds. Transport-free; every method takes the verified caller.
// One file per resource: templates and meetings (meetings.cc), polls,
// tasks, attendance, support (slots) and calendars; who may do what is in
// access.h, errors in scheduling_errors.h, storage in scheduling_store.h.
//
// Consistency: each mutation is one SchedulingStore::Write transaction
// (BEGIN IMMEDIATE), so a support slot is booked by exactly one caller and
// a poll is closed once. The roster is fetched from enrollment *before* the
// transaction; if that fails (UNAVAILABLE) nothing is written.
//
// Who may do what: "organisers" (secretariat, navigator) create and change
// meetings, polls, tasks, attendance and slots; other staff (advisor,
// observer) read; people on the cohort's roster read their cohort and act
// for themselves; the secretariat may act for anyone on the roster; other
// Kaizen services (ROLE_SERVICE) may read meetings (GetMeeting,
// ListMeetings) and nothing else. ReadCalendarFeed is the one RPC open to
// anonymous callers: its secret token is the credential, and its owner's
// roster entry is checked again at every read (calendar_feeds.cc).
//
// Lists page with signed tokens (paging.h); page tokens and feed secrets use
// keys of their own purposes (SchedulingConfig).
#ifndef KAIZEN_SERVICES_SCHEDULING_SCHEDULING_H_
#define KAIZEN_SERVICES_SCHEDULING_SCHEDULING_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "clients/enrollment/roster.h"
#include "clients/partner/shared_read.h"
#include "common/auth/keys.h"
#include "common/util/clock.h"
#include "common/util/page_token.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"
#include "google/protobuf/empty.pb.h"
#include "kaizen/type/http_body.pb.h"
#include "kaizen/type/partner.pb.h"
#include "kaizen/type/purge.pb.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::scheduling {

using ::kaizen::type::Principal;
using ::kaizen::enrollment_client::RosterEntry;
using ::kaizen::enrollment_client::RosterSource;
using ::kaizen::enrollment_client::RosterView;

// services/scheduling/scheduling_store.h; declared here so that this header
// pulls in neither storage nor SQLite.
namespace internal {
struct MeetingName;  // internal.h
}  // namespace internal

class SchedulingStore;

// The full gRPC method a partner's attendance read is recorded under.
inline constexpr char kGetSharedAttendanceMethod[] =
    "/kaizen.scheduling.v1.SchedulingService/GetSharedAttendance";

// Keys the service needs besides the principal's (common/auth/keys.h).
struct SchedulingConfig {
  // Signs page tokens; the same on every replica (ServerOptions'
  // page_token_key). Empty: a random key for this object's lifetime (tests).
  std::string page_token_key;
  // The calendar-feeds keys (ServiceKeys::calendar_feeds): new feed secrets
  // are hashed with current(), and a secret hashed with any key of the ring
  // is accepted (and rehashed with current() when read). Empty: one random
  // key for this object's lifetime (tests).
  auth::KeyRing calendar_feed_keys;
};

// How many upcoming support sessions (booked, not yet started) one person
// may hold in a cohort at a time: enough to book the next session before
// the current one takes place, not enough to corner a staff member's week.
inline constexpr int kMaxUpcomingSupportBookings = 2;

class Scheduling {
 public:
  // None owned; all must outlive this object. `gate` decides and records
  // partner reads (GetSharedAttendance; main.cc builds it on the same
  // roster source and enrollment's RecordProvision); without one,
  // GetSharedAttendance is INTERNAL.
  Scheduling(SchedulingStore* store, RosterSource* roster, const Clock* clock,
             SchedulingConfig config = {},
             const partner_client::SharedReadGate* gate = nullptr);

  absl::StatusOr<v1::ListTemplatesResponse> ListTemplates(const Principal& caller,
                                                          const v1::ListTemplatesRequest& r);
  absl::StatusOr<v1::Template> CreateTemplate(const Principal& caller,
                                              const v1::CreateTemplateRequest& r);
  absl::StatusOr<v1::CreateMeetingSeriesResponse> CreateMeetingSeries(
      const Principal& caller, const v1::CreateMeetingSeriesRequest& r);
  absl::StatusOr<v1::Meeting> CreateMeeting(const Principal& caller,
                                            const v1::CreateMeetingRequest& r);
  absl::StatusOr<v1::Meeting> GetMeeting(const Principal& caller,
                                         const v1::GetMeetingRequest& r);
  absl::StatusOr<v1::ListMeetingsResponse> ListMeetings(const Principal& caller,
                                                        const v1::ListMeetingsRequest& r);
  absl::StatusOr<v1::Meeting> UpdateMeetingFormat(const Principal& caller,
                                                  const v1::UpdateMeetingFormatRequest& r);
  absl::StatusOr<v1::Poll> SetPollCandidates(const Principal& caller,
                                             const v1::SetPollCandidatesRequest& r);
  absl::StatusOr<v1::Poll> GetPoll(const Principal& caller, const v1::GetPollRequest& r);
  absl::StatusOr<v1::Poll> AnswerPoll(const Principal& caller, const v1::AnswerPollRequest& r);
  absl::StatusOr<v1::Poll> ClosePoll(const Principal& caller, const v1::ClosePollRequest& r);
  absl::StatusOr<kaizen::type::HttpBody> ExportPollAnswers(
      const Principal& caller, const v1::ExportPollAnswersRequest& r);
  absl::StatusOr<v1::Meeting> ScheduleMeeting(const Principal& caller,
                                              const v1::ScheduleMeetingRequest& r);
  absl::StatusOr<v1::Meeting> CancelMeeting(const Principal& caller,
                                            const v1::CancelMeetingRequest& r);
  absl::StatusOr<v1::Meeting> ReinstateMeeting(const Principal& caller,
                                               const v1::ReinstateMeetingRequest& r);
  absl::StatusOr<v1::Task> CreateTask(const Principal& caller, const v1::CreateTaskRequest& r);
  absl::StatusOr<v1::ListTasksResponse> ListTasks(const Principal& caller,
                                                  const v1::ListTasksRequest& r);
  absl::StatusOr<v1::Task> UpdateTask(const Principal& caller, const v1::UpdateTaskRequest& r);
  absl::StatusOr<google::protobuf::Empty> DeleteTask(const Principal& caller,
                                                     const v1::DeleteTaskRequest& r);
  absl::StatusOr<v1::Task> SetTaskDone(const Principal& caller, const v1::SetTaskDoneRequest& r);
  absl::StatusOr<v1::MeetingAttendance> RecordAttendance(
      const Principal& caller, const v1::RecordAttendanceRequest& r);
  absl::StatusOr<v1::MeetingAttendance> GetMeetingAttendance(
      const Principal& caller, const v1::GetMeetingAttendanceRequest& r);
  absl::StatusOr<v1::AttendanceSummary> GetAttendanceSummary(
      const Principal& caller, const v1::GetAttendanceSummaryRequest& r);
  absl::StatusOr<v1::SupportSlot> CreateSupportSlot(const Principal& caller,
                                                    const v1::CreateSupportSlotRequest& r);
  absl::StatusOr<v1::ListSupportSlotsResponse> ListSupportSlots(
      const Principal& caller, const v1::ListSupportSlotsRequest& r);
  absl::StatusOr<v1::SupportSlot> BookSupportSlot(const Principal& caller,
                                                  const v1::BookSupportSlotRequest& r);
  absl::StatusOr<v1::SupportSlot> CancelSupportBooking(
      const Principal& caller, const v1::CancelSupportBookingRequest& r);
  absl::StatusOr<google::protobuf::Empty> DeleteSupportSlot(
      const Principal& caller, const v1::DeleteSupportSlotRequest& r);
  absl::StatusOr<kaizen::type::HttpBody> GetCohortCalendar(
      const Principal& caller, const v1::GetCohortCalendarRequest& r);
  absl::StatusOr<kaizen::type::HttpBody> GetPersonCalendar(
      const Principal& caller, const v1::GetPersonCalendarRequest& r);
  // Subscribable calendars (calendar_feeds.cc).
  absl::StatusOr<v1::CalendarFeed> CreateCalendarFeed(const Principal& caller,
                                                      const v1::CreateCalendarFeedRequest& r);
  absl::StatusOr<v1::ListCalendarFeedsResponse> ListCalendarFeeds(
      const Principal& caller, const v1::ListCalendarFeedsRequest& r);
  absl::StatusOr<v1::CalendarFeed> RotateCalendarFeed(const Principal& caller,
                                                      const v1::RotateCalendarFeedRequest& r);
  absl::StatusOr<v1::CalendarFeed> RevokeCalendarFeed(const Principal& caller,
                                                      const v1::RevokeCalendarFeedRequest& r);
  // Any caller (the gateway forwards it anonymously): the token is the
  // credential. See the proto for what is checked at each read.
  absl::StatusOr<kaizen::type::HttpBody> ReadCalendarFeed(const Principal& caller,
                                                          const v1::ReadCalendarFeedRequest& r);
  // Personal-data deletion (purge.cc): the enrollment service principal
  // only. Needs no roster (enrollment may have deleted its own rows first).
  absl::StatusOr<kaizen::type::PurgeReport> PurgePersonalData(
      const Principal& caller, const kaizen::type::PurgeRequest& r);

  // Partner reads and the result-change log (shared_attendance.cc; the
  // proto has the rules). GetSharedAttendance: a partner key for its own
  // consenting staff (recorded with enrollment), the secretariat, the
  // person themself. ListResultChanges: the enrollment service only.
  absl::StatusOr<v1::SharedAttendance> GetSharedAttendance(
      const Principal& caller, const v1::GetSharedAttendanceRequest& r);
  absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      const Principal& caller, const kaizen::type::ListResultChangesRequest& r);

  // The task-due reminder sweep (task_reminders.cc; notifications.h), run by
  // the server's periodic loop, not by any caller: for every task due within
  // the next 24 hours (and not yet due) writes one TASK_DUE message to the
  // outbox, once per task and due time, to the assignee unless they marked
  // it done, or for a task of everyone to every participant who has not (the
  // cohort's roster is fetched for that when someone has). A purged cohort's
  // tasks are skipped. A task whose roster could not be fetched is left for
  // the next run (counted in `deferred`).
  struct TaskReminderSweep {
    int enqueued = 0;
    int deferred = 0;
  };
  absl::StatusOr<TaskReminderSweep> SweepTaskReminders();

 private:
  // The secretariat passes without a roster (returns null); anyone else
  // must be on the cohort's roster (any role), which is returned. Defined in
  // scheduling.cc with FetchRoster.
  absl::StatusOr<std::unique_ptr<RosterView>> RequireMember(const Principal& caller,
                                                            const std::string& cohort);
  // RequireMember, or a Kaizen service (IsKaizenService), which passes
  // without a roster like the secretariat. Used only by the meeting reads
  // GetMeeting and ListMeetings: services may read meetings, nothing else.
  absl::Status RequireMemberOrService(const Principal& caller, const std::string& cohort);
  // The cohort's roster for `caller`: the gate every RPC passes. A cohort
  // that does not exist is NOT_FOUND only to the secretariat and Kaizen
  // services. Anyone else must be on the roster (any role): a missing cohort
  // and a cohort (draft or not) they are not on are refused with one and the
  // same PERMISSION_DENIED NOT_ON_ROSTER, so nobody learns which cohorts
  // exist, nor anything about their contents, from scheduling.
  absl::StatusOr<RosterView> FetchRoster(const Principal& caller, const std::string& cohort);
  // The gate every change to one meeting opens with (meeting_changes.cc):
  // the caller's organiser role, the meeting's name (`name` field), then
  // the caller's organiser place on that cohort's roster.
  // When `roster` is given, the fetched roster is stored there (for the
  // result-change log).
  absl::StatusOr<internal::MeetingName> RequireOrganiserOfMeeting(
      const Principal& caller, const std::string& name, std::optional<RosterView>* roster = nullptr);

  // A calendar feed the caller may manage (calendar_feeds.cc): their own
  // (`own`), or any feed of the cohort for the secretariat. A missing feed
  // and someone else's are the same NOT_FOUND to everyone else.
  struct ManagedFeed {
    std::string cohort;
    bool own = false;
  };
  absl::StatusOr<ManagedFeed> FindManagedFeed(const Principal& caller, const std::string& name);

  SchedulingStore* store_;
  RosterSource* roster_;
  const Clock* clock_;
  const partner_client::SharedReadGate* gate_;
  PageTokenCodec page_tokens_;
  auth::KeyRing feed_keys_;
};

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_SCHEDULING_H_
