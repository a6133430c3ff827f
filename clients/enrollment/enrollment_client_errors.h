// Errors the enrollment client originates, one named factory each (built
// with common/status/errors.h, so each carries google.rpc.ErrorInfo with
// domain "kaizen"). A service that reads the roster returns these to its own
// callers unchanged; list them in that service's error catalog and README.
#ifndef KAIZEN_CLIENTS_ENROLLMENT_ENROLLMENT_CLIENT_ERRORS_H_
#define KAIZEN_CLIENTS_ENROLLMENT_ENROLLMENT_CLIENT_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaizen::enrollment_client {

// Reasons (ErrorInfo.reason) originated by this client.
inline constexpr absl::string_view kEnrollmentUnavailable = "ENROLLMENT_UNAVAILABLE";
// The reason every roster-reading service already lists for a caller who is
// not on a cohort's roster.
inline constexpr absl::string_view kNotOnRoster = "NOT_ON_ROSTER";

// UNAVAILABLE: the enrollment service could not be reached before the
// deadline (its UNAVAILABLE or DEADLINE_EXCEEDED). Callers retry later;
// nothing was written.
absl::Status EnrollmentUnavailable();

// INTERNAL (reason INTERNAL): enrollment refused the call for a reason that
// is ours, not the caller's (e.g. a shared-secret mismatch or a missing
// service role). The message says nothing more.
absl::Status RosterUnreadable();

// PERMISSION_DENIED NOT_ON_ROSTER: the caller is not a member of the cohort,
// or there is no such cohort; deliberately one answer for both, so that
// nobody but the secretariat and Kaizen services learns which cohorts
// (drafts included) exist. One fixed message.
absl::Status NotACohortMember();

}  // namespace kaizen::enrollment_client

#endif  // KAIZEN_CLIENTS_ENROLLMENT_ENROLLMENT_CLIENT_ERRORS_H_
