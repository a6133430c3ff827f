// The cohort roster (kaizen.enrollment.v1.Roster) as other Kaizen services
// read it, and the rule that decides who is staff of a cohort.
//
// Transport-free: this header includes only the enrollment messages, never
// gRPC, so a service's domain headers can depend on it. The gRPC
// implementation is grpc_roster_source.h; tests use fake_roster_source.h.
//
// Roster entries are passed through as enrollment sends them (participant,
// display name, role, municipality, subject, and whatever enrollment adds
// later, such as consent): this library never copies fields one by one.
#ifndef KAIZEN_CLIENTS_ENROLLMENT_ROSTER_H_
#define KAIZEN_CLIENTS_ENROLLMENT_ROSTER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::enrollment_client {

using Roster = ::kaizen::enrollment::v1::Roster;
using RosterEntry = ::kaizen::enrollment::v1::Roster::Entry;

// Where rosters come from. Implementations are thread-safe.
class RosterSource {
 public:
  virtual ~RosterSource() = default;
  // The active people of `cohort_name` ("cohorts/{cohort}"), in joining
  // order. Errors: NOT_FOUND (enrollment's own status, passed through) for an
  // unknown cohort; UNAVAILABLE (ENROLLMENT_UNAVAILABLE) when enrollment
  // cannot be reached in time; INTERNAL for anything else.
  virtual absl::StatusOr<Roster> GetRoster(const std::string& cohort_name) = 0;
};

// Lookups over one fetched roster. Pointers returned stay valid as long as
// the view does (and the view is not moved from).
class RosterView {
 public:
  explicit RosterView(Roster roster);

  // The entry whose participant name is `participant`, or null.
  const RosterEntry* FindByName(const std::string& participant) const;
  // The first entry linked to account `subject`, or null (always null for an
  // empty subject: unlinked entries match nobody).
  const RosterEntry* FindBySubject(const std::string& subject) const;
  // The caller's own entry: FindBySubject(caller.subject()), but never for a
  // partner HR key or a Kaizen service (their subjects name no person, even
  // if a roster entry were given the same string).
  const RosterEntry* FindCaller(const kaizen::type::Principal& caller) const;
  // Entries with role PARTICIPANT, in roster order.
  std::vector<const RosterEntry*> Participants() const;
  const Roster& roster() const { return roster_; }

  // Staff who run meetings: navigator, advisor, secretariat (observers
  // attend but do not decide a date).
  static bool IsDecidingStaff(const RosterEntry& entry);

 private:
  Roster roster_;
};

// The cohort-staff rule. A staff role in a token alone opens no cohort:
//  - a caller whose token carries ROLE_SECRETARIAT is staff of every cohort
//    (returns ROLE_SECRETARIAT);
//  - otherwise the caller's roster entry (FindBySubject) must have role
//    NAVIGATOR, ADVISOR or OBSERVER *and* the token must carry the matching
//    ROLE_NAVIGATOR, ROLE_ADVISOR or ROLE_OBSERVER; that role is returned;
//  - anyone else (participants, strangers, a roster role the token does not
//    carry): nullopt.
std::optional<kaizen::type::Role> CohortStaffRole(const kaizen::type::Principal& caller,
                                                  const RosterView& roster);

// CohortStaffRole(caller, roster).has_value().
bool IsCohortStaff(const kaizen::type::Principal& caller, const RosterView& roster);

}  // namespace kaizen::enrollment_client

#endif  // KAIZEN_CLIENTS_ENROLLMENT_ROSTER_H_
