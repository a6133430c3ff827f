// Who may do what in scheduling: the caller checks every RPC starts with.
//
// Two steps. First the token alone, before anything is looked up
// (IsOrganiser, RequireOrganiser, IsSecretariat). Then, once the cohort's
// roster is at hand, the cohort itself: a staff role in a token opens only
// cohorts whose roster lists that account with that role
// (enrollment_client::CohortStaffRole); the secretariat is global.
//
// "Organisers" are the secretariat and navigators; other staff (advisor,
// observer) read.
#ifndef KAIZEN_SERVICES_SCHEDULING_ACCESS_H_
#define KAIZEN_SERVICES_SCHEDULING_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/enrollment/roster.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::scheduling {

using ::kaizen::enrollment_client::RosterEntry;
using ::kaizen::enrollment_client::RosterView;
using ::kaizen::type::Principal;

// --- the token alone

// The token carries ROLE_SECRETARIAT.
bool IsSecretariat(const Principal& caller);
// The token carries ROLE_SECRETARIAT or ROLE_NAVIGATOR.
bool IsOrganiser(const Principal& caller);
// PERMISSION_DENIED ORGANISER_ONLY unless IsOrganiser. The cohort is checked
// with RequireOrganiserOf once the roster is at hand.
absl::Status RequireOrganiser(const Principal& caller);
// The token carries ROLE_SERVICE: another Kaizen service calling with
// auth::ServicePrincipal, signed with the internal secret (the gateway never
// issues this role). Opens only the meeting reads (GetMeeting,
// ListMeetings); see Scheduling::RequireMemberOrService.
bool IsKaizenService(const Principal& caller);

// --- the cohort (needs its roster)

// Staff of this cohort (secretariat, or navigator/advisor/observer listed
// so on the roster): the shared rule, used as is.
using ::kaizen::enrollment_client::IsCohortStaff;
// The secretariat, or a navigator whom this roster lists as navigator.
bool IsOrganiserOf(const Principal& caller, const RosterView& roster);
// PERMISSION_DENIED ORGANISER_ONLY unless IsOrganiserOf.
absl::Status RequireOrganiserOf(const Principal& caller, const RosterView& roster);

// The roster entry a request acts for: `requested` (a participant name in
// request field `field`) or, when it is empty, the caller's own entry.
// Errors: PERMISSION_DENIED NOT_ON_ROSTER when the caller has no entry;
// INVALID_ARGUMENT NOT_ON_ROSTER (naming `field`) when `requested` is not on
// the roster; PERMISSION_DENIED NOT_YOURSELF when it is someone else and
// the caller is not the secretariat.
absl::StatusOr<const RosterEntry*> ActingFor(const Principal& caller, const RosterView& roster,
                                             const std::string& field,
                                             const std::string& requested);

// Who a meeting's change history names as the actor: the account subject.
std::string Actor(const Principal& caller);

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_ACCESS_H_
