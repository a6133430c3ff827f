// Who a caller is in one cohort, from the cohort's roster: the place every
// service that authorises per cohort starts from.
//
//   - the secretariat (token role) is staff of every cohort;
//   - a navigator, advisor or observer is staff of a cohort whose roster
//     lists their account with that role (CohortStaffRole, roster.h);
//   - organisers are the secretariat and the cohort's navigator;
//   - a participant is themself when the roster lists their account as a
//     PARTICIPANT and the token carries ROLE_PARTICIPANT;
//   - partner keys and Kaizen service principals are never people of a
//     cohort (neither staff nor participant).
//
// Transport-free, like roster.h.
#ifndef KAIZEN_CLIENTS_ENROLLMENT_MEMBERSHIP_H_
#define KAIZEN_CLIENTS_ENROLLMENT_MEMBERSHIP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/enrollment/roster.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::enrollment_client {

class CohortMembership {
 public:
  // Fetches the roster of `cohort_name` ("cohorts/{c}") and places the
  // caller in it. Authorises before revealing: a caller who is neither the
  // secretariat nor a Kaizen service (ROLE_SERVICE) must be a member()
  // (staff or the participant themself); otherwise, and equally when the
  // cohort does not exist, the answer is NotACohortMember() (PERMISSION_DENIED
  // NOT_ON_ROSTER, enrollment_client_errors.h), so a draft cohort and a
  // missing one look the same. The secretariat and services get the source's
  // errors (NOT_FOUND for an unknown cohort) and non-members pass for them;
  // anyone gets UNAVAILABLE ENROLLMENT_UNAVAILABLE when enrollment is down.
  // Not movable once made (entries point into the roster), hence the
  // unique_ptr.
  static absl::StatusOr<std::unique_ptr<CohortMembership>> Fetch(
      RosterSource& source, const std::string& cohort_name,
      const kaizen::type::Principal& caller);
  // The same over a roster already at hand.
  CohortMembership(RosterView roster, const kaizen::type::Principal& caller);
  CohortMembership(const CohortMembership&) = delete;
  CohortMembership& operator=(const CohortMembership&) = delete;

  const RosterView& roster() const { return roster_; }
  bool secretariat() const { return secretariat_; }
  bool staff() const { return staff_; }
  bool organiser() const { return organiser_; }
  // The caller's PARTICIPANT entry, or null.
  const RosterEntry* self() const { return self_; }
  // Any roster entry of the caller's account (staff included), or null.
  const RosterEntry* entry() const { return entry_; }
  // Staff or a participant of the cohort.
  bool member() const { return staff_ || self_ != nullptr; }

 private:
  RosterView roster_;
  bool secretariat_ = false;
  bool staff_ = false;
  bool organiser_ = false;
  const RosterEntry* self_ = nullptr;
  const RosterEntry* entry_ = nullptr;
};

}  // namespace kaizen::enrollment_client

#endif  // KAIZEN_CLIENTS_ENROLLMENT_MEMBERSHIP_H_
