#include "services/scheduling/notifications.h"

#include <algorithm>
#include <utility>

#include "absl/time/civil_time.h"
#include "common/util/clock.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "services/scheduling/calendar_events.h"
#include "services/scheduling/feeds.h"

namespace kaizen::scheduling::internal {
namespace {

namespace kt = ::kaizen::type;

// "cohorts/{c}" of any name under it.
std::string CohortOfName(const std::string& name) {
  const size_t first = name.find('/');
  const size_t second = first == std::string::npos ? first : name.find('/', first + 1);
  return second == std::string::npos ? name : name.substr(0, second);
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// Where people go: the venue, or the online meeting's URL (they need it to
// join; the .ics carries it too).
std::string Place(const v1::Meeting& m) {
  return m.format() == v1::ONLINE ? m.online_url() : m.venue();
}

kt::EnqueueNotificationRequest MeetingRequest(kt::NotificationKind kind, const v1::Meeting& m,
                                              absl::Time now) {
  kt::EnqueueNotificationRequest r;
  r.set_kind(kind);
  r.set_cohort(CohortOfName(m.name()));
  auto& p = *r.mutable_params();
  p["meeting"] = m.name();
  p["meeting_title"] = MeetingTitle(m);
  p["start_time"] = Rfc3339(FromProtoTimestamp(m.start_time()));
  p["end_time"] = Rfc3339(FromProtoTimestamp(m.end_time()));
  const std::string place = Place(m);
  if (!place.empty()) p["place"] = place;
  p["format"] = v1::Format_Name(m.format());
  kt::NotificationAttachment* a = r.mutable_attachment();
  a->set_filename(kIcsFilename);
  a->set_content_type(m.state() == v1::Meeting::CANCELLED ? kIcsCancelType : kIcsRequestType);
  a->set_data(MeetingIcs(m, now));
  *r.mutable_event_time() = ToProtoTimestamp(now);
  return r;
}

// Whether what attendees see of a dated meeting differs.
bool Moved(const v1::Meeting& a, const v1::Meeting& b) {
  return FromProtoTimestamp(a.start_time()) != FromProtoTimestamp(b.start_time()) ||
         FromProtoTimestamp(a.end_time()) != FromProtoTimestamp(b.end_time()) ||
         a.format() != b.format() || a.venue() != b.venue() || a.online_url() != b.online_url();
}

absl::Status Enqueue(SchedulingTx& tx, const std::string& id, const std::string& subject,
                     const kt::EnqueueNotificationRequest& r, absl::Time now) {
  // false = this very row exists already (a retried transaction): fine.
  return tx.EnqueueNotification(id, subject, r, now).status();
}

}  // namespace

std::string MeetingTitle(const v1::Meeting& m) {
  return absl::StrCat("第", m.sequence(), "回 ", m.theme());
}

std::string MeetingIcs(const v1::Meeting& m, absl::Time now) {
  CalendarEvent e = MeetingEvent(m);
  e.stamp = now;
  const bool cancel = m.state() == v1::Meeting::CANCELLED;
  return RenderICalendar(MeetingTitle(m), {e}, cancel ? "CANCEL" : "REQUEST");
}

absl::Status NotifyMeetingChange(SchedulingTx& tx, const v1::Meeting* before,
                                 const MeetingRecord& after, absl::Time now) {
  const v1::Meeting& m = after.message;
  // Never dated: nothing for anyone's calendar.
  if (!m.has_start_time()) return absl::OkStatus();
  // Over: nothing either, unless the calendars still show it upcoming. A
  // calendar holds the meeting as it was before this change, so a meeting
  // moved from the future into the past, or cancelled while its slot was
  // still ahead, must reach them; one whose old and new slots are both over
  // (a date corrected afterwards, a late cancellation) need not.
  absl::Time last_end = FromProtoTimestamp(m.end_time());
  if (before != nullptr && before->has_start_time() && before->has_end_time()) {
    last_end = std::max(last_end, FromProtoTimestamp(before->end_time()));
  }
  if (last_end <= now) return absl::OkStatus();
  const bool was_confirmed = before != nullptr && before->state() == v1::Meeting::CONFIRMED;
  kt::EnqueueNotificationRequest r;
  if (m.state() == v1::Meeting::CONFIRMED && !was_confirmed) {
    r = MeetingRequest(kt::MEETING_CONFIRMED, m, now);
  } else if (m.state() == v1::Meeting::CONFIRMED && Moved(*before, m)) {
    r = MeetingRequest(kt::MEETING_RESCHEDULED, m, now);
    (*r.mutable_params())["previous_start_time"] =
        Rfc3339(FromProtoTimestamp(before->start_time()));
  } else if (m.state() == v1::Meeting::CANCELLED && was_confirmed) {
    // Without the organiser's reason: it stays in the meeting's history
    // (people see it in the app, where it can be purged), not in mailboxes.
    r = MeetingRequest(kt::MEETING_CANCELLED, m, now);
  } else {
    return absl::OkStatus();
  }
  return Enqueue(tx, absl::StrCat("meeting/", after.name, "/r", after.revision), after.name, r,
                 now);
}

absl::Time PollAnswerBy(const v1::Poll& poll, absl::Time now) {
  absl::Time earliest = absl::InfiniteFuture();
  for (const auto& slot : poll.slots()) {
    earliest = std::min(earliest, FromProtoTimestamp(slot.start_time()));
  }
  const absl::TimeZone tz = TokyoTimeZone();
  const absl::CivilDay day_before = absl::ToCivilDay(earliest, tz) - 1;
  const absl::Time end_of_day_before =
      absl::FromCivil(absl::CivilMinute(day_before.year(), day_before.month(), day_before.day(),
                                        23, 59),
                      tz);
  return end_of_day_before > now ? end_of_day_before : earliest;
}

absl::Status NotifyPollOpened(SchedulingTx& tx, const MeetingRecord& meeting,
                              const v1::Poll& poll, absl::Time now) {
  if (poll.slots().empty()) return absl::OkStatus();  // nothing to answer
  kt::EnqueueNotificationRequest r;
  r.set_kind(kt::POLL_OPENED);
  r.set_cohort(CohortOfName(meeting.name));
  auto& p = *r.mutable_params();
  const std::string poll_name = meeting.name + "/poll";
  p["poll"] = poll_name;
  p["meeting_title"] = MeetingTitle(meeting.message);
  p["close_time"] = Rfc3339(PollAnswerBy(poll, now));
  *r.mutable_event_time() = ToProtoTimestamp(now);
  return Enqueue(tx, absl::StrCat("poll-opened/", meeting.name, "/r", meeting.revision),
                 poll_name, r, now);
}

std::string TaskDueId(const TaskRecord& task) {
  return absl::StrCat("task-due/", task.name, "/",
                      absl::ToUnixMicros(FromProtoTimestamp(task.message.due_time())));
}

kt::EnqueueNotificationRequest TaskDueRequest(const TaskRecord& task,
                                              const std::vector<std::string>& participants,
                                              absl::Time now) {
  kt::EnqueueNotificationRequest r;
  r.set_kind(kt::TASK_DUE);
  r.set_cohort(CohortOfName(task.name));
  for (const std::string& p : participants) r.add_participants(p);
  auto& p = *r.mutable_params();
  p["task"] = task.name;
  p["task_title"] = task.message.title();
  p["due_time"] = Rfc3339(FromProtoTimestamp(task.message.due_time()));
  *r.mutable_event_time() = ToProtoTimestamp(now);
  return r;
}

}  // namespace kaizen::scheduling::internal
