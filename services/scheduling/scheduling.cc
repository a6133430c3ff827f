// The Scheduling class's shared parts: construction and the roster checks
// every resource file uses. The RPCs live in one file per resource:
// meetings.cc (templates, series, meetings), polls.cc, tasks.cc,
// attendance.cc, support.cc, calendars.cc.
#include "services/scheduling/scheduling.h"

#include <utility>

#include "clients/enrollment/enrollment_client_errors.h"
#include "common/status/status_macros.h"
#include "common/util/crypto.h"
#include "services/scheduling/access.h"
#include "services/scheduling/scheduling_errors.h"

namespace kaizen::scheduling {

namespace {

std::string KeyOrRandom(std::string key) {
  return key.empty() ? crypto::RandomBytes(32) : key;
}

auth::KeyRing RingOrRandom(auth::KeyRing ring) {
  return ring.empty() ? auth::KeyRing({crypto::RandomBytes(32)}) : ring;
}

}  // namespace

Scheduling::Scheduling(SchedulingStore* store, RosterSource* roster, const Clock* clock,
                       SchedulingConfig config, const partner_client::SharedReadGate* gate)
    : store_(store),
      roster_(roster),
      clock_(clock),
      gate_(gate),
      page_tokens_(KeyOrRandom(std::move(config.page_token_key))),
      feed_keys_(RingOrRandom(std::move(config.calendar_feed_keys))) {}

namespace {

// The one refusal for "no such cohort" and "not on its roster": the two must
// look the same to anyone but the secretariat and Kaizen services. The
// enrollment client's (PERMISSION_DENIED NOT_ON_ROSTER), so that plans and
// survey, which place callers with CohortMembership, answer alike.
absl::Status NotAMember() { return enrollment_client::NotACohortMember(); }

}  // namespace

absl::StatusOr<RosterView> Scheduling::FetchRoster(const Principal& caller,
                                                   const std::string& cohort) {
  absl::StatusOr<enrollment_client::Roster> roster = roster_->GetRoster(cohort);
  if (IsSecretariat(caller) || IsKaizenService(caller)) {
    if (!roster.ok()) return roster.status();
    return RosterView(*std::move(roster));
  }
  // Everyone else must be on the roster (any role) for every RPC; enrollment
  // answers a service for draft cohorts too, so a draft the caller is not on
  // and a cohort that does not exist are refused alike, before any
  // RPC-specific check can tell them apart.
  if (absl::IsNotFound(roster.status())) return NotAMember();
  if (!roster.ok()) return roster.status();
  RosterView view(*std::move(roster));
  if (view.FindCaller(caller) == nullptr) return NotAMember();
  return view;
}

absl::StatusOr<std::unique_ptr<RosterView>> Scheduling::RequireMember(const Principal& caller,
                                                                      const std::string& cohort) {
  if (IsSecretariat(caller)) return std::unique_ptr<RosterView>();
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  // A service reaches here with a roster it is not on (FetchRoster lets it
  // through); everyone else is on it already.
  if (roster.FindCaller(caller) == nullptr) return NotAMember();
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
