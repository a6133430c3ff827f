// The admission arithmetic, free of storage: how many seats and which
// municipalities are taken, and how many members of an application fit.
//
// Seats are held by active participants (role PARTICIPANT) and by open
// offers; the municipality limit counts distinct municipalities among the
// same. Staff never take seats.
#ifndef KAIZEN_SERVICES_ENROLLMENT_ADMISSION_H_
#define KAIZEN_SERVICES_ENROLLMENT_ADMISSION_H_

#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"

namespace kaizen::enrollment {

struct Usage {
  int seats = 0;
  std::set<std::string> municipalities;

  void Add(const std::string& municipality, int seats_taken) {
    seats += seats_taken;
    municipalities.insert(municipality);
  }
};

struct AdmissionDecision {
  // Members that may be admitted now: 0 (wait), the whole team, or with
  // allow_partial_team as many as fit.
  int admitted = 0;
  // When admitted == 0: kCohortFull or kMunicipalityLimitReached
  // (enrollment_errors.h), also the waiting application's history reason.
  std::string blocked_reason;
};

// How many of `members` people from `municipality` fit in `cohort` given
// what is already taken.
AdmissionDecision Admit(const kaizen::enrollment::v1::Cohort& cohort,
                        const Usage& usage, const std::string& municipality,
                        int members);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_ADMISSION_H_
