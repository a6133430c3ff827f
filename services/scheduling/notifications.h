// What scheduling tells people, and when (issue 13; docs/notifications.md).
//
// Scheduling holds no e-mail addresses. Each change that people must hear
// about writes one row to scheduling's outbox (SchedulingTx::
// EnqueueNotification) in the same write transaction as the change, so a
// message exists if and only if the change committed. The row's payload is
// a kaizen.type.EnqueueNotificationRequest; the Deliverer (main.cc) hands it
// to enrollment (clients/enrollment/notification_handover.h), which knows
// the addresses and reminder settings and renders the Japanese template.
//
//   change                                   kind                 recipients
//   a meeting gets its first date            MEETING_CONFIRMED    every ACTIVE participant
//     (ScheduleMeeting, ClosePoll, a series or meeting created with a date)
//   a dated meeting reinstated               MEETING_CONFIRMED    every ACTIVE participant
//   a dated meeting's time, place, format    MEETING_RESCHEDULED  every ACTIVE participant
//     or length changes
//   a dated meeting cancelled                MEETING_CANCELLED    every ACTIVE participant
//   a date poll opens (SetPollCandidates on  POLL_OPENED          every ACTIVE participant
//     a meeting not yet polling; a meeting reinstated into its open poll)
//   a task falls due within 24 h (sweep)     TASK_DUE             the assignee, or everyone
//                                                                 who has not marked it done
//
// Meeting messages carry the meeting's .ics (UID "{meeting}@kaizen", SEQUENCE
// = calendar_sequence, METHOD:REQUEST, or METHOD:CANCEL with
// STATUS:CANCELLED), so a calendar app updates the one event in place.
// Nothing is sent about a meeting whose slot is over both before and after
// the change (decided on the later of the two end times, so a meeting moved
// from the future into the past, or cancelled while its old slot is still
// ahead, is announced), nor about one that never had a date (an undated
// meeting's cancellation is visible in the app only).
//
// Params carry no personal data: resource names, the meeting's title, times
// (RFC 3339, UTC), its place (venue, or the online URL) and format; for a
// poll its answer-by time (PollAnswerBy). A cancellation's reason (the
// organiser's own words, which may name people) is NOT forwarded: it stays
// in the meeting's history only.
//
// Row ids (the idempotency keys) are derived from what the row is about:
// "meeting/{meeting}/r{revision}" (every meeting write has its own
// revision), "poll-opened/{meeting}/r{revision}", and
// "task-due/{task}/{due unix micros}" (so a task is reminded of once per due
// time, however often the sweep runs). A reminder not yet handed over is
// deleted with its task, and when the task's due time or assignee changes
// (tasks.cc); the sweep writes none for a task done since its read
// (task_reminders.cc).
#ifndef KAIZEN_SERVICES_SCHEDULING_NOTIFICATIONS_H_
#define KAIZEN_SERVICES_SCHEDULING_NOTIFICATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"
#include "kaizen/type/notification.pb.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling::internal {

// The .ics attachment's file name and content types.
inline constexpr char kIcsFilename[] = "meeting.ics";
inline constexpr char kIcsRequestType[] = "text/calendar; charset=UTF-8; method=REQUEST";
inline constexpr char kIcsCancelType[] = "text/calendar; charset=UTF-8; method=CANCEL";

// How far ahead the task-due sweep looks.
inline constexpr absl::Duration kTaskDueWindow = absl::Hours(24);

// "第3回 地域課題の発見" (as the calendars show it).
std::string MeetingTitle(const v1::Meeting& m);

// The meeting as a one-event VCALENDAR: METHOD:CANCEL when it is CANCELLED,
// else METHOD:REQUEST; DTSTAMP `now`.
std::string MeetingIcs(const v1::Meeting& m, absl::Time now);

// After a write that saved `after` (with its new revision; `before` is the
// meeting as it was, or null for a meeting just created): enqueues the
// message the table above says, or nothing.
absl::Status NotifyMeetingChange(SchedulingTx& tx, const v1::Meeting* before,
                                 const MeetingRecord& after, absl::Time now);

// The answer-by time a POLL_OPENED message announces ("close_time"): polls
// stay open until an organiser closes them, so it is the last moment every
// candidate can still be chosen, the end (23:59 Asia/Tokyo) of the day before
// the earliest candidate, or that candidate's start when that day has
// passed.
absl::Time PollAnswerBy(const v1::Poll& poll, absl::Time now);

// After a write that opened `meeting`'s date poll (the meeting saved as
// POLLING, with its new revision; `poll` its open poll with candidates).
absl::Status NotifyPollOpened(SchedulingTx& tx, const MeetingRecord& meeting,
                              const v1::Poll& poll, absl::Time now);

// The outbox id of the reminder of `task` at its current due time.
std::string TaskDueId(const TaskRecord& task);

// The reminder of `task` to `participants` (empty: every ACTIVE
// participant).
kaizen::type::EnqueueNotificationRequest TaskDueRequest(const TaskRecord& task,
                                                        const std::vector<std::string>& participants,
                                                        absl::Time now);

}  // namespace kaizen::scheduling::internal

#endif  // KAIZEN_SERVICES_SCHEDULING_NOTIFICATIONS_H_
