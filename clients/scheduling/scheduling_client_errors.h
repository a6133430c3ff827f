// Errors the scheduling client originates, one named factory each (built
// with common/status/errors.h, so each carries google.rpc.ErrorInfo with
// domain "kaizen"). A service that reads meetings returns these to its own
// callers unchanged; list them in that service's error catalog and README.
#ifndef KAIZEN_CLIENTS_SCHEDULING_SCHEDULING_CLIENT_ERRORS_H_
#define KAIZEN_CLIENTS_SCHEDULING_SCHEDULING_CLIENT_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaizen::scheduling_client {

// Reasons (ErrorInfo.reason) originated by this client.
inline constexpr absl::string_view kSchedulingUnavailable = "SCHEDULING_UNAVAILABLE";

// UNAVAILABLE: the scheduling service could not be reached before the
// deadline (its UNAVAILABLE or DEADLINE_EXCEEDED). Callers retry later;
// nothing was read.
absl::Status SchedulingUnavailable();

// INTERNAL (reason INTERNAL): scheduling refused the call for a reason that
// is ours, not the caller's (e.g. a shared-secret mismatch, a missing
// service role, a malformed name built by the calling service), or answered
// with a meeting that breaks its own contract. The message says nothing
// more.
absl::Status MeetingsUnreadable();

}  // namespace kaizen::scheduling_client

#endif  // KAIZEN_CLIENTS_SCHEDULING_SCHEDULING_CLIENT_ERRORS_H_
