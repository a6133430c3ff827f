#include "services/plans/access.h"

#include <algorithm>

#include "common/auth/principal.h"
#include "common/status/status_macros.h"

namespace kaizen::plans {

namespace ev1 = ::kaizen::enrollment::v1;

absl::StatusOr<std::unique_ptr<CohortAccess>> CohortAccess::Fetch(
    enrollment_client::RosterSource& source, const std::string& cohort_name,
    const kaizen::type::Principal& caller) {
  ASSIGN_OR_RETURN(ev1::Roster roster, source.GetRoster(cohort_name));
  return std::unique_ptr<CohortAccess>(new CohortAccess(RosterView(std::move(roster)), caller));
}

CohortAccess::CohortAccess(RosterView roster, const kaizen::type::Principal& caller)
    : roster_(std::move(roster)) {
  // Partner keys and Kaizen services are never people of a cohort.
  if (auth::HasRole(caller, kaizen::type::ROLE_PARTNER_HR) ||
      auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
    return;
  }
  secretariat_ = auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT);
  const std::optional<kaizen::type::Role> staff_role =
      enrollment_client::CohortStaffRole(caller, roster_);
  staff_ = staff_role.has_value();
  organiser_ = secretariat_ || staff_role == kaizen::type::ROLE_NAVIGATOR;
  entry_ = roster_.FindBySubject(caller.subject());
  if (entry_ != nullptr && entry_->role() == ev1::Participant::PARTICIPANT &&
      auth::HasRole(caller, kaizen::type::ROLE_PARTICIPANT)) {
    self_ = entry_;
  }
}

std::string CohortAccess::author() const {
  return entry_ != nullptr ? entry_->participant() : "";
}

std::string CohortAccess::author_display_name() const {
  if (entry_ != nullptr) return entry_->display_name();
  return secretariat_ ? "事務局" : "";
}

bool CohortAccess::IsOwner(const v1::Plan& plan) const {
  if (self_ == nullptr) return false;
  return std::find(plan.owners().begin(), plan.owners().end(), self_->participant()) !=
         plan.owners().end();
}

PlanView CohortAccess::ViewOf(const v1::Plan& plan) const {
  if (staff_ || IsOwner(plan)) return PlanView::kFull;
  if (self_ != nullptr && plan.stages_size() > 0) return PlanView::kPresented;
  return PlanView::kNone;
}

bool CohortAccess::CanSeeRevision(const v1::Plan& plan, int64_t number) const {
  switch (ViewOf(plan)) {
    case PlanView::kFull:
      return true;
    case PlanView::kPresented:
      for (const auto& s : plan.stages()) {
        if (s.revision() == number) return true;
      }
      return false;
    case PlanView::kNone:
      return false;
  }
  return false;
}

bool CohortAccess::CanSeeFeedback(const v1::Plan& plan, const v1::Feedback& feedback) const {
  if (staff_) return true;
  return feedback.visibility() == v1::Feedback::COHORT &&
         CanSeeRevision(plan, feedback.revision());
}

}  // namespace kaizen::plans
