// Changes to a meeting: UpdateMeetingFormat, ScheduleMeeting, CancelMeeting,
// ReinstateMeeting.
//
// iCalendar consumers (calendar apps) replace an event only when its
// SEQUENCE grows, and treat an unchanged SEQUENCE as "nothing new". So
// every change a confirmed meeting's attendees must see (a move, a new
// format, place or length, a cancellation, a reinstatement) bumps
// calendar_sequence and is kept in history, and a request that changes
// nothing bumps nothing and writes nothing.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/scheduling/access.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/notifications.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

using internal::LoadMeeting;
using internal::MeetingName;
using internal::ParseMeeting;
using internal::SaveMeeting;

namespace {

const char* FormatLabel(v1::Format f) {
  return f == v1::ONLINE ? "online" : f == v1::IN_PERSON ? "in person" : "unset";
}

// What a format change changed, for the history ("" when nothing did). The
// online URL is not repeated (it may carry a passcode).
std::string DescribeChange(const v1::Meeting& before, const v1::Meeting& after) {
  std::vector<std::string> parts;
  if (before.format() != after.format()) {
    parts.push_back(absl::StrCat("format: ", FormatLabel(before.format()), " -> ",
                                 FormatLabel(after.format())));
  }
  if (before.venue() != after.venue() && !after.venue().empty()) {
    parts.push_back(absl::StrCat("venue: ", after.venue()));
  }
  if (before.online_url() != after.online_url() && !after.online_url().empty()) {
    parts.push_back("online URL changed");
  }
  const absl::Duration was = FromProtoDuration(before.duration());
  const absl::Duration now = FromProtoDuration(after.duration());
  if (was != now) {
    parts.push_back(absl::StrCat("duration: ", absl::FormatDuration(was), " -> ",
                                 absl::FormatDuration(now)));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

absl::StatusOr<MeetingName> Scheduling::RequireOrganiserOfMeeting(
    const Principal& caller, const std::string& name, std::optional<RosterView>* roster_out) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("name", name));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  if (roster_out != nullptr) roster_out->emplace(std::move(roster));
  return n;
}

absl::StatusOr<v1::Meeting> Scheduling::UpdateMeetingFormat(
    const Principal& caller, const v1::UpdateMeetingFormatRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, RequireOrganiserOfMeeting(caller, r.name()));
  if (r.format() == v1::ONLINE) {
    RETURN_IF_ERROR(internal::ValidateUrl("online_url", r.online_url()));
  } else if (r.format() == v1::IN_PERSON) {
    RETURN_IF_ERROR(ValidateText("venue", r.venue(), 1, 200, false));
  } else {
    return InvalidField("format", "must be ONLINE or IN_PERSON");
  }
  if (r.has_duration()) {
    const absl::Duration d = FromProtoDuration(r.duration());
    if (d < absl::Minutes(15) || d > absl::Hours(8)) {
      return InvalidField("duration", "must be between 15 minutes and 8 hours");
    }
  }
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 0, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    ASSIGN_OR_RETURN(MeetingRecord m, LoadMeeting(tx, n.meeting, r.etag()));
    if (m.message.state() == v1::Meeting::CANCELLED) {
      return MeetingCancelled(/*already=*/false);
    }
    const v1::Meeting before = m.message;
    m.message.set_format(r.format());
    m.message.set_online_url(r.format() == v1::ONLINE ? r.online_url() : "");
    m.message.set_venue(r.format() == v1::IN_PERSON ? TrimSpaces(r.venue()) : "");
    if (r.has_duration()) *m.message.mutable_duration() = r.duration();
    const std::string what = DescribeChange(before, m.message);
    if (what.empty()) {  // nothing changed: nothing to write, no new SEQUENCE
      out = internal::MeetingOut(m);
      return absl::OkStatus();
    }
    if (m.message.state() == v1::Meeting::POLLING) {
      // Every candidate of the open poll must still fit the window, or
      // closing the poll could confirm a meeting that ends after it.
      absl::StatusOr<PollRecord> poll = tx.GetPoll(n.meeting);
      if (!poll.ok() && !absl::IsNotFound(poll.status())) return poll.status();
      if (poll.ok() && poll->message.state() == v1::Poll::OPEN) {
        for (const auto& slot : poll->message.slots()) {
          RETURN_IF_ERROR(internal::CheckInWindow(
              m.message, FromProtoTimestamp(slot.start_time()), "duration"));
        }
      }
    }
    if (m.message.state() == v1::Meeting::CONFIRMED) {
      const absl::Time start = FromProtoTimestamp(m.message.start_time());
      RETURN_IF_ERROR(internal::CheckInWindow(m.message, start, "duration"));
      *m.message.mutable_end_time() =
          ToProtoTimestamp(start + FromProtoDuration(m.message.duration()));
      m.message.set_calendar_sequence(m.message.calendar_sequence() + 1);
      const std::string reason = TrimSpaces(r.reason());
      internal::AddChange(m.message, now, Actor(caller), internal::kChangeFormatChanged, start,
                          reason.empty() ? what : absl::StrCat(reason, " (", what, ")"));
    }
    RETURN_IF_ERROR(SaveMeeting(tx, m, &out));
    return internal::NotifyMeetingChange(tx, &before, m, now);
  }));
  return out;
}

absl::StatusOr<v1::Meeting> Scheduling::ScheduleMeeting(const Principal& caller,
                                                        const v1::ScheduleMeetingRequest& r) {
  std::optional<RosterView> roster;
  ASSIGN_OR_RETURN(MeetingName n, RequireOrganiserOfMeeting(caller, r.name(), &roster));
  if (!r.has_start_time()) return InvalidField("start_time", "is required");
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 0, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    ASSIGN_OR_RETURN(MeetingRecord m, LoadMeeting(tx, n.meeting, r.etag()));
    switch (m.message.state()) {
      case v1::Meeting::CANCELLED:
        return MeetingCancelled(/*already=*/false);
      case v1::Meeting::POLLING:
        return PollOpen();
      default:
        break;
    }
    const absl::Time start = FromProtoTimestamp(r.start_time());
    if (m.message.state() == v1::Meeting::CONFIRMED &&
        FromProtoTimestamp(m.message.start_time()) == start) {
      out = internal::MeetingOut(m);  // already at that time: nothing changes
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(internal::CheckInWindow(m.message, start, "start_time"));
    if (start > now) {
      // Attendance is taken once a meeting has started; moved into the
      // future it would count as held for partners (a sheet) and not in
      // GetAttendanceSummary (not started). Correcting the date to another
      // past time is fine.
      absl::StatusOr<AttendanceSheetRecord> sheet = tx.GetAttendanceSheet(n.meeting);
      if (sheet.ok()) return AttendanceAlreadyTaken();
      if (!absl::IsNotFound(sheet.status())) return sheet.status();
    }
    const v1::Meeting before = m.message;
    internal::Confirm(m.message, start, now, Actor(caller), TrimSpaces(r.reason()));
    RETURN_IF_ERROR(SaveMeeting(tx, m, &out));
    RETURN_IF_ERROR(internal::NotifyMeetingChange(tx, &before, m, now));
    // A move of a meeting whose attendance was taken changes what partners see.
    return internal::LogHeldMeetingChange(tx, n.meeting, *roster, now);
  }));
  return out;
}

absl::StatusOr<v1::Meeting> Scheduling::CancelMeeting(const Principal& caller,
                                                      const v1::CancelMeetingRequest& r) {
  std::optional<RosterView> roster;
  ASSIGN_OR_RETURN(MeetingName n, RequireOrganiserOfMeeting(caller, r.name(), &roster));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 1, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    ASSIGN_OR_RETURN(MeetingRecord m, LoadMeeting(tx, n.meeting, r.etag()));
    if (m.message.state() == v1::Meeting::CANCELLED) {
      return MeetingCancelled(/*already=*/true);
    }
    if (m.message.state() == v1::Meeting::CONFIRMED) {
      m.message.set_calendar_sequence(m.message.calendar_sequence() + 1);
    }
    const v1::Meeting before = m.message;
    const bool was_confirmed = m.message.state() == v1::Meeting::CONFIRMED;
    m.message.set_state(v1::Meeting::CANCELLED);
    internal::AddChange(m.message, now, Actor(caller), internal::kChangeCancelled, std::nullopt,
                        TrimSpaces(r.reason()));
    RETURN_IF_ERROR(SaveMeeting(tx, m, &out));
    RETURN_IF_ERROR(internal::NotifyMeetingChange(tx, &before, m, now));
    // No longer held: partners who saw it must hear that it is gone.
    return was_confirmed ? internal::LogHeldMeetingChange(tx, n.meeting, *roster, now)
                         : absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Meeting> Scheduling::ReinstateMeeting(const Principal& caller,
                                                         const v1::ReinstateMeetingRequest& r) {
  std::optional<RosterView> roster;
  ASSIGN_OR_RETURN(MeetingName n, RequireOrganiserOfMeeting(caller, r.name(), &roster));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 1, 500, true));
  const absl::Time now = clock_->Now();
  v1::Meeting out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    ASSIGN_OR_RETURN(MeetingRecord m, LoadMeeting(tx, n.meeting, r.etag()));
    if (m.message.state() != v1::Meeting::CANCELLED) return MeetingNotCancelled();
    const v1::Meeting before = m.message;
    std::optional<absl::Time> start;
    v1::Poll open_poll;  // the poll it goes back to, if any
    if (m.message.has_start_time()) {
      // It had a date: back in the calendars at that date. The cancellation
      // was a new SEQUENCE; so is this.
      start = FromProtoTimestamp(m.message.start_time());
      m.message.set_state(v1::Meeting::CONFIRMED);
      m.message.set_calendar_sequence(m.message.calendar_sequence() + 1);
    } else {
      absl::StatusOr<PollRecord> poll = tx.GetPoll(n.meeting);
      if (!poll.ok() && !absl::IsNotFound(poll.status())) return poll.status();
      const bool polling = poll.ok() && poll->message.state() == v1::Poll::OPEN;
      m.message.set_state(polling ? v1::Meeting::POLLING : v1::Meeting::UNSCHEDULED);
      if (polling) open_poll = poll->message;
    }
    internal::AddChange(m.message, now, Actor(caller), internal::kChangeReinstated, start,
                        TrimSpaces(r.reason()));
    RETURN_IF_ERROR(SaveMeeting(tx, m, &out));
    // Back in the calendars (MEETING_CONFIRMED with a higher SEQUENCE), or
    // back to its open poll (asked again).
    if (m.message.state() == v1::Meeting::POLLING) {
      RETURN_IF_ERROR(internal::NotifyPollOpened(tx, m, open_poll, now));
    } else {
      RETURN_IF_ERROR(internal::NotifyMeetingChange(tx, &before, m, now));
    }
    // Held again (when its attendance was taken): partners must hear it.
    return m.message.state() == v1::Meeting::CONFIRMED
               ? internal::LogHeldMeetingChange(tx, n.meeting, *roster, now)
               : absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::scheduling
