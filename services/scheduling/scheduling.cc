// The Scheduling class's shared parts: construction and the roster checks
// every resource file uses. The RPCs live in one file per resource:
// meetings.cc (templates, series, meetings), polls.cc, tasks.cc,
// attendance.cc, support.cc, calendars.cc.
#include "services/scheduling/scheduling.h"

#include <utility>

#include "common/status/status_macros.h"
#include "services/scheduling/access.h"
#include "services/scheduling/scheduling_errors.h"

namespace kaizen::scheduling {

Scheduling::Scheduling(SchedulingStore* store, RosterSource* roster, const Clock* clock)
    : store_(store), roster_(roster), clock_(clock) {}

absl::StatusOr<RosterView> Scheduling::FetchRoster(const Principal& caller,
                                                   const std::string& cohort) {
  absl::StatusOr<enrollment_client::Roster> roster = roster_->GetRoster(cohort);
  if (absl::IsNotFound(roster.status()) && !IsSecretariat(caller) && !IsKaizenService(caller)) {
    return CallerNotOnRoster("only this cohort's members and staff may see this");
  }
  if (!roster.ok()) return roster.status();
  return RosterView(*std::move(roster));
}

absl::StatusOr<std::unique_ptr<RosterView>> Scheduling::RequireMember(const Principal& caller,
                                                                      const std::string& cohort) {
  if (IsSecretariat(caller)) return std::unique_ptr<RosterView>();
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  if (roster.FindCaller(caller) == nullptr) {
    return CallerNotOnRoster("only this cohort's members and staff may see this");
  }
  return std::make_unique<RosterView>(std::move(roster));
}

absl::Status Scheduling::RequireMemberOrService(const Principal& caller,
                                                const std::string& cohort) {
  // A service (e.g. plans reading meeting dates) is on no roster, and asking
  // enrollment on its behalf would only make its reads fail when enrollment
  // is down; like the secretariat's, its reads need no roster.
  if (IsKaizenService(caller)) return absl::OkStatus();
  return RequireMember(caller, cohort).status();
}

}  // namespace kaizen::scheduling
