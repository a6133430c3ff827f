// Calendar feeds: GetCohortCalendar (meetings) and GetPersonCalendar
// (meetings plus the person's booked support slots), rendered by feeds.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "services/scheduling/access.h"
#include "services/scheduling/feeds.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

namespace {

CalendarEvent MeetingEvent(const v1::Meeting& m) {
  CalendarEvent e;
  e.uid = m.name() + "@kaizen";
  e.sequence = m.calendar_sequence();
  e.start = FromProtoTimestamp(m.start_time());
  e.end = FromProtoTimestamp(m.end_time());
  e.stamp = m.history().empty() ? e.start : FromProtoTimestamp(m.history().rbegin()->time());
  e.summary = absl::StrCat("第", m.sequence(), "回 ", m.theme());
  e.description = absl::StrCat(m.theme(), "\n", m.format() == v1::ONLINE ? "WEB会合" : "対面会合");
  e.location = m.venue();
  e.url = m.online_url();
  e.cancelled = m.state() == v1::Meeting::CANCELLED;
  return e;
}

CalendarEvent SlotEvent(const SupportSlotRecord& s) {
  CalendarEvent e;
  e.uid = s.name + "@kaizen";
  e.sequence = static_cast<int>(s.revision);
  e.start = FromProtoTimestamp(s.message.start_time());
  e.end = FromProtoTimestamp(s.message.end_time());
  e.stamp = FromProtoTimestamp(s.message.book_time());
  e.summary = "アクションプラン作成個別支援";
  e.location = s.message.location();
  return e;
}

// Every meeting of the cohort that has a date (cancelled ones included,
// as STATUS:CANCELLED).
absl::Status AddMeetings(SchedulingTx& tx, const std::string& cohort,
                         std::vector<CalendarEvent>* events) {
  ASSIGN_OR_RETURN(auto meetings, tx.ListMeetings(cohort));
  for (const auto& m : meetings) {
    if (m.message.has_start_time()) events->push_back(MeetingEvent(m.message));
  }
  return absl::OkStatus();
}

kaizen::type::HttpBody Calendar(const std::string& title, std::vector<CalendarEvent> events,
                                const std::string& filename) {
  kaizen::type::HttpBody body;
  body.set_content_type("text/calendar; charset=utf-8");
  body.set_data(RenderICalendar(title, events));
  body.set_filename(filename);
  return body;
}

}  // namespace

absl::StatusOr<kaizen::type::HttpBody> Scheduling::GetCohortCalendar(
    const Principal& caller, const v1::GetCohortCalendarRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOf("parent", r.parent()));
  RETURN_IF_ERROR(RequireMember(caller, cohort).status());
  std::vector<CalendarEvent> events;
  RETURN_IF_ERROR(store_->Read(
      [&](SchedulingTx& tx) -> absl::Status { return AddMeetings(tx, cohort, &events); }));
  return Calendar("次世代改善リーダー事例研究会", std::move(events), "kaizen-cohort.ics");
}

absl::StatusOr<kaizen::type::HttpBody> Scheduling::GetPersonCalendar(
    const Principal& caller, const v1::GetPersonCalendarRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort,
                   internal::CohortOfChild("participant", r.participant(),
                                           {"cohorts", "participants"}));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* person = roster.FindByName(r.participant());
  if (!IsCohortStaff(caller, roster)) {
    // Anyone but staff may ask only for their own calendar, and is refused
    // alike whether the name is someone else's or nobody's: only staff learn
    // which participants exist. An entry without a linked account is
    // nobody's own (an empty subject must not match an empty one).
    const bool self = person != nullptr && !person->subject().empty() &&
                      person->subject() == caller.subject();
    if (!self) return NotYourself("only the person themself and staff may see this calendar");
  }
  if (person == nullptr) return NotFound("Participant", r.participant());
  std::vector<CalendarEvent> events;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(AddMeetings(tx, cohort, &events));
    ASSIGN_OR_RETURN(auto slots, tx.ListSupportSlots(cohort));
    for (const auto& s : slots) {
      const bool mine = s.message.booked_by() == person->participant() ||
                        (s.message.staff() == person->participant() &&
                         s.message.state() == v1::SupportSlot::BOOKED);
      if (mine) events.push_back(SlotEvent(s));
    }
    return absl::OkStatus();
  }));
  return Calendar(absl::StrCat(person->display_name(), " の予定"), std::move(events),
                  "kaizen-my-calendar.ics");
}

}  // namespace kaizen::scheduling
