// Who may be appointed staff of a cohort, and who may take a seat in it: one
// person holds one part in a cohort. Checked inside the write transaction
// that adds the person, so two concurrent changes cannot both pass.
//
// "The same person": the same account subject (both set), or else the same
// e-mail address (both set; compared by EmailKey, so case and surrounding
// spaces do not matter). Only ACTIVE participations count: someone whose
// participation was cancelled may be appointed staff, and staff whose
// appointment was cancelled may be appointed again.
//
// Both directions are closed:
//   - staff: not someone who holds a seat (PARTICIPANT_CANNOT_BE_STAFF) nor
//     someone whose application still waits or is offered a seat
//     (APPLICANT_CANNOT_BE_STAFF: its submitting account, or any member's
//     e-mail), so nobody becomes staff and then takes a seat;
//   - seats: a signed-in staff member applying is told so
//     (STAFF_CANNOT_APPLY); any other way in (anonymous, a team mate's
//     e-mail, the secretariat applying on someone's behalf, an account that
//     claimed the application later) is caught where a seat is taken
//     (CohortStaff::StaffMemberOf in SeatLedger and CreateApplication),
//     without telling the applicant why (they could otherwise probe who the
//     staff are by e-mail).
#ifndef KAIZEN_SERVICES_ENROLLMENT_APPOINTMENTS_H_
#define KAIZEN_SERVICES_ENROLLMENT_APPOINTMENTS_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/principal.pb.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

// CreateParticipant's rule for `staff` (a staff role) in `cohort_id`:
// ParticipantCannotBeStaff() when the person is an active PARTICIPANT there,
// ApplicantCannotBeStaff() when they have a WAITLISTED or OFFERED
// application there, AlreadyAppointed(role) when they already hold the same
// role there; OK otherwise (another staff role is allowed: a navigator may
// also advise).
absl::Status CheckAppointment(EnrollmentTx& tx, const std::string& cohort_id,
                              const v1::Participant& staff);

// CreateApplication's rule for the caller: StaffCannotApply() when the
// signed-in `caller` is active staff of `cohort_id`. The secretariat is
// exempt (it applies on people's behalf) and anonymous callers cannot be
// told apart; the members themselves are checked by CohortStaff.
absl::Status CheckApplicantIsNotStaff(EnrollmentTx& tx, const std::string& cohort_id,
                                      const ::kaizen::type::Principal& caller);

// The active staff of one cohort (every role but PARTICIPANT), read once,
// to test applications against.
class CohortStaff {
 public:
  static absl::StatusOr<CohortStaff> Load(EnrollmentTx& tx, const std::string& cohort_id);

  // The index of the first of `app`'s first `count` members who is active
  // staff (same e-mail; member 0 also by the application's submitting
  // account, who becomes that member's participation, unless that account
  // is appointed SECRETARIAT, which applies on others' behalf), or -1.
  int StaffMemberOf(const v1::Application& app, int count) const;

 private:
  std::set<std::string> subjects_;
  std::set<std::string> email_keys_;
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_APPOINTMENTS_H_
