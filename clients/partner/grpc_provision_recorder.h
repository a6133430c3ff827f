// ProvisionRecorder over gRPC: enrollment's RecordProvision, called by full
// method name (no enrollment stub is linked; the messages are
// kaizen/type/partner.proto's) with a deadline, as
// auth::ServicePrincipal(<calling service>) signed with the internal secret,
// like clients/enrollment's GrpcRosterSource.
//
// Error mapping (the only place it happens): UNAVAILABLE, DEADLINE_EXCEEDED
// -> UNAVAILABLE ENROLLMENT_UNAVAILABLE; INVALID_ARGUMENT passes through;
// anything else -> INTERNAL PROVISION_UNRECORDED. Thread-safe.
#ifndef KAIZEN_CLIENTS_PARTNER_GRPC_PROVISION_RECORDER_H_
#define KAIZEN_CLIENTS_PARTNER_GRPC_PROVISION_RECORDER_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/partner/provision_recorder.h"
#include "common/auth/principal.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/rpc_method.h"

namespace kaizen::partner_client {

inline constexpr absl::string_view kRecordProvisionMethod =
    "/kaizen.enrollment.v1.EnrollmentService/RecordProvision";

class GrpcProvisionRecorder final : public ProvisionRecorder {
 public:
  // `service` is the calling service's name (its service principal);
  // `signer` is not owned and must outlive this object.
  GrpcProvisionRecorder(std::string service, std::shared_ptr<grpc::Channel> channel,
                        const auth::PrincipalSigner* signer, absl::Duration deadline);

  absl::StatusOr<kaizen::type::RecordProvisionResponse> Record(
      const kaizen::type::RecordProvisionRequest& request) override;

 private:
  const std::string service_;
  std::shared_ptr<grpc::Channel> channel_;
  const grpc::internal::RpcMethod rpc_method_;
  const auth::PrincipalSigner* signer_;
  const absl::Duration deadline_;
};

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_GRPC_PROVISION_RECORDER_H_
