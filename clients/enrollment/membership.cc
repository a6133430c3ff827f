#include "clients/enrollment/membership.h"

#include "clients/enrollment/enrollment_client_errors.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"

namespace kaizen::enrollment_client {

namespace ev1 = ::kaizen::enrollment::v1;

absl::StatusOr<std::unique_ptr<CohortMembership>> CohortMembership::Fetch(
    RosterSource& source, const std::string& cohort_name, const kaizen::type::Principal& caller) {
  absl::StatusOr<Roster> roster = source.GetRoster(cohort_name);
  // Enrollment answers a service for draft cohorts too: only the secretariat
  // and Kaizen services may tell "no such cohort" from "not yours".
  const bool told = auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT) ||
                    auth::HasRole(caller, kaizen::type::ROLE_SERVICE);
  if (!told && absl::IsNotFound(roster.status())) return NotACohortMember();
  if (!roster.ok()) return roster.status();
  auto membership = std::make_unique<CohortMembership>(RosterView(*std::move(roster)), caller);
  if (!told && !membership->member()) return NotACohortMember();
  return membership;
}

CohortMembership::CohortMembership(RosterView roster, const kaizen::type::Principal& caller)
    : roster_(std::move(roster)) {
  if (auth::HasRole(caller, kaizen::type::ROLE_PARTNER_HR) ||
      auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
    return;
  }
  secretariat_ = auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT);
  const std::optional<kaizen::type::Role> staff_role = CohortStaffRole(caller, roster_);
  staff_ = staff_role.has_value();
  organiser_ = secretariat_ || staff_role == kaizen::type::ROLE_NAVIGATOR;
  entry_ = roster_.FindCaller(caller);
  if (entry_ != nullptr && entry_->role() == ev1::Participant::PARTICIPANT &&
      auth::HasRole(caller, kaizen::type::ROLE_PARTICIPANT)) {
    self_ = entry_;
  }
}

}  // namespace kaizen::enrollment_client
