// The seam through which a service asks enrollment to write the APPI Art. 29
// provision record before it hands a partner personal data
// (EnrollmentService/RecordProvision, kaizen/type/partner.proto).
// Transport-free. Implementations: grpc_provision_recorder.h (real),
// fake_provision_recorder.h (tests).
#ifndef KAIZEN_CLIENTS_PARTNER_PROVISION_RECORDER_H_
#define KAIZEN_CLIENTS_PARTNER_PROVISION_RECORDER_H_

#include "absl/status/statusor.h"
#include "kaizen/type/partner.pb.h"

namespace kaizen::partner_client {

class ProvisionRecorder {
 public:
  virtual ~ProvisionRecorder() = default;
  // Enrollment's answer: one record name per item ("" = refused: provide
  // nothing for it). Errors: UNAVAILABLE (ENROLLMENT_UNAVAILABLE) when
  // enrollment cannot be reached in time; INVALID_ARGUMENT passed through
  // (a malformed request is the calling service's bug); INTERNAL
  // (PROVISION_UNRECORDED) for anything else. Thread-safe.
  virtual absl::StatusOr<kaizen::type::RecordProvisionResponse> Record(
      const kaizen::type::RecordProvisionRequest& request) = 0;
};

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_PROVISION_RECORDER_H_
