// Who the caller is in one cohort, and what of a plan they may see and do.
//
// The cohort's roster (from enrollment) decides who the caller is, by the
// shared rule (enrollment_client::CohortMembership): staff, organisers (the
// secretariat and the cohort's navigator, who create plans for others), or
// a participant themself.
//
// What a caller sees of a plan:
//   kFull       owners and staff: the draft, every revision, the practice log;
//   kPresented  other participants of the cohort, once the plan has a stage
//               version: the stage versions and the revisions they present;
//   kNone       everyone else: the plan does not exist for them (NOT_FOUND).
// Feedback: staff see all; others see COHORT feedback on revisions they may
// see.
#ifndef KAIZEN_SERVICES_PLANS_ACCESS_H_
#define KAIZEN_SERVICES_PLANS_ACCESS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/enrollment/membership.h"
#include "clients/enrollment/roster.h"
#include "kaizen/plans/v1/plans.pb.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::plans {

using ::kaizen::enrollment_client::RosterEntry;
using ::kaizen::enrollment_client::RosterView;

enum class PlanView { kNone, kPresented, kFull };

class CohortAccess {
 public:
  // Fetches the roster of `cohort_name` ("cohorts/{c}") and places the
  // caller in it (enrollment_client::CohortMembership). Errors: the roster
  // source's (NOT_FOUND for an unknown cohort, UNAVAILABLE
  // ENROLLMENT_UNAVAILABLE).
  static absl::StatusOr<std::unique_ptr<CohortAccess>> Fetch(
      enrollment_client::RosterSource& source, const std::string& cohort_name,
      const kaizen::type::Principal& caller);

  const RosterView& roster() const { return membership_->roster(); }
  bool secretariat() const { return membership_->secretariat(); }
  bool staff() const { return membership_->staff(); }
  bool organiser() const { return membership_->organiser(); }
  // The caller's PARTICIPANT entry, or null.
  const RosterEntry* self() const { return membership_->self(); }
  // Staff or a participant of the cohort.
  bool member() const { return membership_->member(); }
  // The caller's participant name as an author ("" for a secretariat
  // account without a roster entry).
  std::string author() const;
  // Display name for what the caller writes ("事務局" for the secretariat
  // without a roster entry).
  std::string author_display_name() const;

  bool IsOwner(const v1::Plan& plan) const;
  PlanView ViewOf(const v1::Plan& plan) const;
  // kFull sees every revision; kPresented only stage versions' revisions.
  bool CanSeeRevision(const v1::Plan& plan, int64_t number) const;
  bool CanSeeFeedback(const v1::Plan& plan, const v1::Feedback& feedback) const;

 private:
  explicit CohortAccess(std::unique_ptr<enrollment_client::CohortMembership> membership)
      : membership_(std::move(membership)) {}
  std::unique_ptr<enrollment_client::CohortMembership> membership_;
};

}  // namespace kaizen::plans

#endif  // KAIZEN_SERVICES_PLANS_ACCESS_H_
