#include "services/enrollment/appointments.h"

#include <optional>

#include "common/status/status_macros.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"

namespace kaizen::enrollment {
namespace {

bool SamePerson(const v1::Participant& a, const v1::Participant& b) {
  if (!a.subject().empty() && !b.subject().empty()) return a.subject() == b.subject();
  return !a.email().empty() && !b.email().empty() && EmailKey(a.email()) == EmailKey(b.email());
}

// Whether `staff` is the submitting account or a member of `app`.
bool IsApplicantOf(const v1::Participant& staff, const v1::Application& app) {
  if (!staff.subject().empty() && staff.subject() == app.submitter()) return true;
  if (staff.email().empty()) return false;
  const std::string key = EmailKey(staff.email());
  for (const v1::Applicant& m : app.members()) {
    if (!m.email().empty() && EmailKey(m.email()) == key) return true;
  }
  return false;
}

}  // namespace

absl::Status CheckAppointment(EnrollmentTx& tx, const std::string& cohort_id,
                              const v1::Participant& staff) {
  ParticipantFilter active;
  active.state = v1::Participant::ACTIVE;
  ASSIGN_OR_RETURN(auto people, tx.ListParticipants(cohort_id, active, 0, 0));
  for (const ParticipantRecord& rec : people) {
    const v1::Participant& p = rec.participant;
    if (!SamePerson(p, staff)) continue;
    if (p.role() == v1::Participant::PARTICIPANT) return ParticipantCannotBeStaff();
    if (p.role() == staff.role()) return AlreadyAppointed(staff.role());
  }
  // Pending applications would seat the person later (ACCEPTED ones made
  // the participations checked above).
  for (auto state : {v1::Application::WAITLISTED, v1::Application::OFFERED}) {
    ApplicationFilter pending;
    pending.state = state;
    ASSIGN_OR_RETURN(auto apps, tx.ListApplications(cohort_id, pending, std::nullopt, 0));
    for (const ApplicationRecord& rec : apps) {
      if (IsApplicantOf(staff, rec.application)) return ApplicantCannotBeStaff();
    }
  }
  return absl::OkStatus();
}

absl::Status CheckApplicantIsNotStaff(EnrollmentTx& tx, const std::string& cohort_id,
                                      const ::kaizen::type::Principal& caller) {
  if (caller.subject().empty() || IsSecretariat(caller)) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto mine, tx.ListParticipantsBySubject(caller.subject()));
  for (const ParticipantRecord& rec : mine) {
    if (rec.cohort_id == cohort_id && rec.participant.state() == v1::Participant::ACTIVE &&
        rec.participant.role() != v1::Participant::PARTICIPANT) {
      return StaffCannotApply();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<CohortStaff> CohortStaff::Load(EnrollmentTx& tx, const std::string& cohort_id) {
  ParticipantFilter active;
  active.state = v1::Participant::ACTIVE;
  active.staff_only = true;  // every arrival loads this: parse staff rows only
  ASSIGN_OR_RETURN(auto people, tx.ListParticipants(cohort_id, active, 0, 0));
  CohortStaff out;
  for (const ParticipantRecord& rec : people) {
    const v1::Participant& p = rec.participant;
    if (p.role() == v1::Participant::PARTICIPANT) continue;
    // A SECRETARIAT appointment's account submits applications on other
    // people's behalf: as a submitter it is not a member.
    if (!p.subject().empty() && p.role() != v1::Participant::SECRETARIAT) {
      out.subjects_.insert(p.subject());
    }
    if (!p.email().empty()) out.email_keys_.insert(EmailKey(p.email()));
  }
  return out;
}

int CohortStaff::StaffMemberOf(const v1::Application& app, int count) const {
  if (count > 0 && !app.submitter().empty() && subjects_.count(app.submitter()) > 0) return 0;
  for (int i = 0; i < count && i < app.members_size(); ++i) {
    const std::string& email = app.members(i).email();
    if (!email.empty() && email_keys_.count(EmailKey(email)) > 0) return i;
  }
  return -1;
}

}  // namespace kaizen::enrollment
