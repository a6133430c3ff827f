#include "services/scheduling/calendar_events.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"

namespace kaizen::scheduling::internal {

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

namespace {

std::string DisplayName(const enrollment_client::RosterView& roster, const std::string& who) {
  const enrollment_client::RosterEntry* e = roster.FindByName(who);
  return e == nullptr ? std::string() : e->display_name();
}

CalendarEvent SessionEvent(const SupportSlotRecord& s, const std::string& staff_name,
                           const std::string& participant_name) {
  CalendarEvent e;
  e.uid = s.name + "@kaizen";
  e.sequence = static_cast<int>(s.revision);
  e.start = FromProtoTimestamp(s.message.start_time());
  e.end = FromProtoTimestamp(s.message.end_time());
  e.stamp = FromProtoTimestamp(s.message.book_time());
  e.summary = "アクションプラン作成個別支援";
  if (!participant_name.empty()) absl::StrAppend(&e.summary, ": ", participant_name);
  if (!staff_name.empty()) {
    absl::StrAppend(&e.summary, "（担当: ", staff_name, "）");
    e.description = absl::StrCat("担当: ", staff_name);
  } else if (s.message.staff().empty()) {
    // The staff member's data was erased; the booking stands.
    absl::StrAppend(&e.summary, "（担当: 未定）");
    e.description = "担当: 未定（事務局にご確認ください）";
  }
  if (!participant_name.empty()) {
    absl::StrAppend(&e.description, e.description.empty() ? "" : "\n", "参加者: ",
                    participant_name);
  }
  e.location = s.message.location();
  return e;
}

}  // namespace

absl::Status AddMeetings(SchedulingTx& tx, const std::string& cohort,
                         std::vector<CalendarEvent>* events) {
  ASSIGN_OR_RETURN(auto meetings, tx.ListMeetings(cohort));
  for (const auto& m : meetings) {
    if (m.message.has_start_time()) events->push_back(MeetingEvent(m.message));
  }
  return absl::OkStatus();
}

absl::Status AddSupportSessions(SchedulingTx& tx, const std::string& cohort,
                                const enrollment_client::RosterView& roster,
                                const std::string& person, std::vector<CalendarEvent>* events) {
  ASSIGN_OR_RETURN(auto slots, tx.ListSupportSlots(cohort));
  for (const auto& s : slots) {
    const bool booked = s.message.state() == v1::SupportSlot::BOOKED;
    const bool gives = !person.empty() && s.message.staff() == person && booked;
    const bool takes = !person.empty() && s.message.booked_by() == person;
    if (person.empty() ? !booked : !(gives || takes)) continue;
    const bool name_participant = person.empty() || gives;
    events->push_back(SessionEvent(
        s, DisplayName(roster, s.message.staff()),
        name_participant ? DisplayName(roster, s.message.booked_by()) : std::string()));
  }
  return absl::OkStatus();
}

kaizen::type::HttpBody CalendarBody(const std::string& title,
                                    const std::vector<CalendarEvent>& events,
                                    const std::string& filename) {
  kaizen::type::HttpBody body;
  body.set_content_type("text/calendar; charset=utf-8");
  body.set_data(RenderICalendar(title, events));
  body.set_filename(filename);
  return body;
}

}  // namespace kaizen::scheduling::internal
