#include "clients/enrollment/roster.h"

#include <utility>

#include "common/auth/principal.h"

namespace kaizen::enrollment_client {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::type::Principal;

RosterView::RosterView(Roster roster) : roster_(std::move(roster)) {}

const RosterEntry* RosterView::FindByName(const std::string& participant) const {
  for (const RosterEntry& e : roster_.entries()) {
    if (e.participant() == participant) return &e;
  }
  return nullptr;
}

const RosterEntry* RosterView::FindBySubject(const std::string& subject) const {
  if (subject.empty()) return nullptr;
  for (const RosterEntry& e : roster_.entries()) {
    if (e.subject() == subject) return &e;
  }
  return nullptr;
}

const RosterEntry* RosterView::FindCaller(const Principal& caller) const {
  if (auth::HasRole(caller, kaizen::type::ROLE_PARTNER_HR) ||
      auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
    return nullptr;
  }
  return FindBySubject(caller.subject());
}

std::vector<const RosterEntry*> RosterView::Participants() const {
  std::vector<const RosterEntry*> out;
  for (const RosterEntry& e : roster_.entries()) {
    if (e.role() == ev1::Participant::PARTICIPANT) out.push_back(&e);
  }
  return out;
}

bool RosterView::IsDecidingStaff(const RosterEntry& entry) {
  return entry.role() == ev1::Participant::NAVIGATOR ||
         entry.role() == ev1::Participant::ADVISOR ||
         entry.role() == ev1::Participant::SECRETARIAT;
}

std::optional<kaizen::type::Role> CohortStaffRole(const Principal& caller,
                                                  const RosterView& roster) {
  if (auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT)) {
    return kaizen::type::ROLE_SECRETARIAT;
  }
  const RosterEntry* e = roster.FindCaller(caller);
  if (e == nullptr) return std::nullopt;
  kaizen::type::Role role;
  switch (e->role()) {
    case ev1::Participant::NAVIGATOR:
      role = kaizen::type::ROLE_NAVIGATOR;
      break;
    case ev1::Participant::ADVISOR:
      role = kaizen::type::ROLE_ADVISOR;
      break;
    case ev1::Participant::OBSERVER:
      role = kaizen::type::ROLE_OBSERVER;
      break;
    default:
      // A roster SECRETARIAT entry opens nothing by itself: the secretariat
      // is recognised by its token role, above.
      return std::nullopt;
  }
  if (!auth::HasRole(caller, role)) return std::nullopt;
  return role;
}

bool IsCohortStaff(const Principal& caller, const RosterView& roster) {
  return CohortStaffRole(caller, roster).has_value();
}

}  // namespace kaizen::enrollment_client
