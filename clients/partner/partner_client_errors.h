// Errors the partner kit originates (built with common/status/errors.h, so
// each carries google.rpc.ErrorInfo, domain "kaizen"). A service that serves
// shared reads returns them unchanged; list them in its catalog and README.
#ifndef KAIZEN_CLIENTS_PARTNER_PARTNER_CLIENT_ERRORS_H_
#define KAIZEN_CLIENTS_PARTNER_PARTNER_CLIENT_ERRORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaizen::partner_client {

inline constexpr absl::string_view kNotSharedWithPartner = "NOT_SHARED_WITH_PARTNER";
inline constexpr absl::string_view kOwnResultsOnly = "OWN_RESULTS_ONLY";
inline constexpr absl::string_view kProvisionUnrecorded = "PROVISION_UNRECORDED";

// PERMISSION_DENIED NOT_SHARED_WITH_PARTNER: a partner key asked for a person
// who does not exist, is not employed by the key's municipality, is no
// longer active, or does not consent to this category now. One fixed
// message for all of these, so a key learns nothing about people it may not
// see.
absl::Status NotSharedWithPartner();

// PERMISSION_DENIED OWN_RESULTS_ONLY: a signed-in caller who is neither the
// secretariat nor the person asked for someone's shared results. The same
// whether the person exists or not.
absl::Status OwnResultsOnly();

// INTERNAL PROVISION_UNRECORDED: enrollment refused RecordProvision for a
// reason that is ours (e.g. the calling service is not a service principal);
// nothing was provided.
absl::Status ProvisionUnrecorded();

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_PARTNER_CLIENT_ERRORS_H_
