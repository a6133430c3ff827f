#include "clients/partner/partner_client_errors.h"

#include "common/status/errors.h"

namespace kaizen::partner_client {

absl::Status NotSharedWithPartner() {
  return errors::PermissionDenied(
      kNotSharedWithPartner,
      "this person's results are not shared with your municipality (or there is no such person)");
}

absl::Status OwnResultsOnly() {
  return errors::PermissionDenied(
      kOwnResultsOnly, "only the person themself and the secretariat may read these results");
}

absl::Status ProvisionUnrecorded() {
  return errors::Error(absl::StatusCode::kInternal, kProvisionUnrecorded,
                       "the provision could not be recorded; nothing was provided");
}

}  // namespace kaizen::partner_client
