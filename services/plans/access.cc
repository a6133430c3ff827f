#include "services/plans/access.h"

#include <algorithm>

#include "common/status/status_macros.h"

namespace kaizen::plans {

absl::StatusOr<std::unique_ptr<CohortAccess>> CohortAccess::Fetch(
    enrollment_client::RosterSource& source, const std::string& cohort_name,
    const kaizen::type::Principal& caller) {
  ASSIGN_OR_RETURN(auto membership,
                   enrollment_client::CohortMembership::Fetch(source, cohort_name, caller));
  return std::unique_ptr<CohortAccess>(new CohortAccess(std::move(membership)));
}

std::string CohortAccess::author() const {
  const RosterEntry* entry = membership_->entry();
  return entry != nullptr ? entry->participant() : "";
}

std::string CohortAccess::author_display_name() const {
  const RosterEntry* entry = membership_->entry();
  if (entry != nullptr) return entry->display_name();
  return secretariat() ? "事務局" : "";
}

bool CohortAccess::IsOwner(const v1::Plan& plan) const {
  if (self() == nullptr) return false;
  return std::find(plan.owners().begin(), plan.owners().end(), self()->participant()) !=
         plan.owners().end();
}

PlanView CohortAccess::ViewOf(const v1::Plan& plan) const {
  if (staff() || IsOwner(plan)) return PlanView::kFull;
  if (self() != nullptr && plan.stages_size() > 0) return PlanView::kPresented;
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
  if (staff()) return true;
  return feedback.visibility() == v1::Feedback::COHORT &&
         CanSeeRevision(plan, feedback.revision());
}

}  // namespace kaizen::plans
