#include "services/scheduling/access.h"

#include "common/auth/principal.h"
#include "services/scheduling/scheduling_errors.h"

namespace kaizen::scheduling {

bool IsSecretariat(const Principal& caller) {
  return auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT);
}

bool IsOrganiser(const Principal& caller) {
  return auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT) ||
         auth::HasRole(caller, kaizen::type::ROLE_NAVIGATOR);
}

absl::Status RequireOrganiser(const Principal& caller) {
  if (IsOrganiser(caller)) return absl::OkStatus();
  return OrganiserOnly(/*in_cohort=*/false);
}

bool IsKaizenService(const Principal& caller) {
  return auth::HasRole(caller, kaizen::type::ROLE_SERVICE);
}

bool IsOrganiserOf(const Principal& caller, const RosterView& roster) {
  const auto role = enrollment_client::CohortStaffRole(caller, roster);
  return role == kaizen::type::ROLE_SECRETARIAT || role == kaizen::type::ROLE_NAVIGATOR;
}

absl::Status RequireOrganiserOf(const Principal& caller, const RosterView& roster) {
  if (IsOrganiserOf(caller, roster)) return absl::OkStatus();
  return OrganiserOnly(/*in_cohort=*/true);
}

absl::StatusOr<const RosterEntry*> ActingFor(const Principal& caller, const RosterView& roster,
                                             const std::string& field,
                                             const std::string& requested) {
  const RosterEntry* self = roster.FindCaller(caller);
  if (requested.empty() || !IsSecretariat(caller)) {
    // Only the secretariat acts for others, so only it learns who is on the
    // roster: everyone else is answered from their own entry alone.
    if (self == nullptr) return CallerNotOnRoster("you are not on this cohort's roster");
    if (!requested.empty() && requested != self->participant()) {
      return NotYourself("you may only act for yourself");
    }
    return self;
  }
  const RosterEntry* target = roster.FindByName(requested);
  if (target == nullptr) return PersonNotOnRoster(field);
  return target;
}

std::string Actor(const Principal& caller) { return caller.subject(); }

}  // namespace kaizen::scheduling
