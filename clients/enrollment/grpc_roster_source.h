// RosterSource over gRPC: kaizen.enrollment.v1.EnrollmentService/GetRoster,
// called with a deadline as a signed service principal.
//
// Error mapping (the only place it happens):
//   UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE, reason ENROLLMENT_UNAVAILABLE
//   NOT_FOUND                      -> passed through (enrollment's status and details)
//   anything else                  -> INTERNAL ("the roster could not be read"):
//                                     a secret mismatch or missing role is our
//                                     fault, not the caller's.
//
// Thread-safe: one stub, a fresh ClientContext per call. The call blocks the
// calling thread for at most `deadline`.
#ifndef KAIZEN_CLIENTS_ENROLLMENT_GRPC_ROSTER_SOURCE_H_
#define KAIZEN_CLIENTS_ENROLLMENT_GRPC_ROSTER_SOURCE_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "clients/enrollment/roster.h"
#include "common/auth/principal.h"
#include "grpcpp/channel.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"

namespace kaizen::enrollment_client {

class GrpcRosterSource final : public RosterSource {
 public:
  // `channel` to the enrollment service. Each call carries
  // auth::ServicePrincipal(service_name) (e.g. "scheduling", "survey"),
  // signed with `signer` (not owned; must outlive this object), and expires
  // after `deadline`.
  GrpcRosterSource(std::shared_ptr<grpc::ChannelInterface> channel,
                   const auth::PrincipalSigner* signer, std::string service_name,
                   absl::Duration deadline);

  absl::StatusOr<Roster> GetRoster(const std::string& cohort_name) override;

 private:
  std::unique_ptr<::kaizen::enrollment::v1::EnrollmentService::Stub> stub_;
  const auth::PrincipalSigner* signer_;
  const std::string service_name_;
  const absl::Duration deadline_;
};

}  // namespace kaizen::enrollment_client

#endif  // KAIZEN_CLIENTS_ENROLLMENT_GRPC_ROSTER_SOURCE_H_
