#include "services/enrollment/admission.h"

#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {

AdmissionDecision Admit(const v1::Cohort& cohort, const Usage& usage,
                        const std::string& municipality, int members) {
  AdmissionDecision d;
  const bool municipality_ok =
      usage.municipalities.count(municipality) > 0 ||
      static_cast<int>(usage.municipalities.size()) < cohort.max_municipalities();
  const int free_seats = cohort.capacity() - usage.seats;
  if (!municipality_ok) {
    d.blocked_reason = std::string(kMunicipalityLimitReached);
  } else if (free_seats >= members) {
    d.admitted = members;
  } else if (cohort.allow_partial_team() && free_seats > 0) {
    d.admitted = free_seats;
  } else {
    d.blocked_reason = std::string(kCohortFull);
  }
  return d;
}

}  // namespace kaizen::enrollment
