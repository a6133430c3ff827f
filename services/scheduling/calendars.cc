// Signed-in calendar feeds: GetCohortCalendar (meetings) and
// GetPersonCalendar (meetings plus the person's support sessions), built by
// calendar_events.h. The subscribable (secret URL) feeds are in
// calendar_feeds.cc.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/scheduling/access.h"
#include "services/scheduling/calendar_events.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

absl::StatusOr<kaizen::type::HttpBody> Scheduling::GetCohortCalendar(
    const Principal& caller, const v1::GetCohortCalendarRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOf("parent", r.parent()));
  RETURN_IF_ERROR(RequireMember(caller, cohort).status());
  std::vector<CalendarEvent> events;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    return internal::AddMeetings(tx, cohort, &events);
  }));
  return internal::CalendarBody("次世代改善リーダー事例研究会", events, "kaizen-cohort.ics");
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
    const bool self = person != nullptr && roster.FindCaller(caller) == person;
    if (!self) return NotYourself("only the person themself and staff may see this calendar");
  }
  if (person == nullptr) return NotFound("Participant", r.participant());
  std::vector<CalendarEvent> events;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::AddMeetings(tx, cohort, &events));
    return internal::AddSupportSessions(tx, cohort, roster, person->participant(), &events);
  }));
  return internal::CalendarBody(absl::StrCat(person->display_name(), " の予定"), events,
                                "kaizen-my-calendar.ics");
}

}  // namespace kaizen::scheduling
