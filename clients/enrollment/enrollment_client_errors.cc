#include "clients/enrollment/enrollment_client_errors.h"

#include "common/status/errors.h"

namespace kaizen::enrollment_client {

absl::Status EnrollmentUnavailable() {
  return errors::Unavailable(kEnrollmentUnavailable,
                             "the enrollment service cannot be reached; try again shortly");
}

absl::Status NotACohortMember() {
  return errors::PermissionDenied(
      kNotOnRoster, "you are not on this cohort's roster, or there is no such cohort");
}

absl::Status RosterUnreadable() { return errors::Internal("the roster could not be read"); }

}  // namespace kaizen::enrollment_client
