#include "clients/purge/purge_client_errors.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kaizen::purge_client {

absl::Status EnrollmentOnly() {
  return errors::PermissionDenied(kEnrollmentOnly,
                                  "only the enrollment service may purge personal data");
}

absl::Status PurgeTargetUnavailable(absl::string_view service) {
  return errors::Error(absl::StatusCode::kUnavailable, kPurgeTargetUnavailable,
                       absl::StrCat("the ", service, " service could not be reached"),
                       {{"service", std::string(service)}});
}

absl::Status PurgeTargetFailed(absl::string_view service, absl::string_view reason) {
  return errors::Error(absl::StatusCode::kInternal, kPurgeTargetFailed,
                       absl::StrCat("the ", service, " service refused the purge"),
                       {{"service", std::string(service)}, {"target_reason", std::string(reason)}});
}

}  // namespace kaizen::purge_client
