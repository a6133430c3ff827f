// Errors of the purge contract (proto/kaizen/type/purge.proto), one named
// factory each (common/status/errors.h: google.rpc.ErrorInfo, domain
// "kaizen"). The services that answer PurgePersonalData (scheduling, survey,
// plans) return ENROLLMENT_ONLY and the request checks unchanged; enrollment
// records the target errors in its purge report. List them in each
// service's catalog and README.
#ifndef KAIZEN_CLIENTS_PURGE_PURGE_CLIENT_ERRORS_H_
#define KAIZEN_CLIENTS_PURGE_PURGE_CLIENT_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaizen::purge_client {

// PERMISSION_DENIED: only the enrollment service may purge personal data.
inline constexpr absl::string_view kEnrollmentOnly = "ENROLLMENT_ONLY";
// UNAVAILABLE: the service to purge could not be reached before the
// deadline; enrollment retries it on the next purge call.
inline constexpr absl::string_view kPurgeTargetUnavailable = "PURGE_TARGET_UNAVAILABLE";
// INTERNAL: the service answered the purge with an error that
// is not ours to fix by retrying blindly (the reason travels in metadata).
inline constexpr absl::string_view kPurgeTargetFailed = "PURGE_TARGET_FAILED";

// PERMISSION_DENIED ENROLLMENT_ONLY.
absl::Status EnrollmentOnly();

// UNAVAILABLE PURGE_TARGET_UNAVAILABLE naming `service`.
absl::Status PurgeTargetUnavailable(absl::string_view service);

// INTERNAL PURGE_TARGET_FAILED naming `service`; `reason` is the target's
// ErrorInfo reason (or its gRPC code name), kept in metadata "target_reason".
absl::Status PurgeTargetFailed(absl::string_view service, absl::string_view reason);

}  // namespace kaizen::purge_client

#endif  // KAIZEN_CLIENTS_PURGE_PURGE_CLIENT_ERRORS_H_
