#include "clients/partner/grpc_provision_recorder.h"

#include <utility>

#include "clients/enrollment/enrollment_client_errors.h"
#include "clients/partner/partner_client_errors.h"
#include "common/server/principal_context.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/codegen/proto_utils.h"

namespace kaizen::partner_client {

GrpcProvisionRecorder::GrpcProvisionRecorder(std::string service,
                                             std::shared_ptr<grpc::Channel> channel,
                                             const auth::PrincipalSigner* signer,
                                             absl::Duration deadline)
    : service_(std::move(service)),
      channel_(std::move(channel)),
      rpc_method_(kRecordProvisionMethod.data(), grpc::internal::RpcMethod::NORMAL_RPC,
                  channel_),
      signer_(signer),
      deadline_(deadline) {}

absl::StatusOr<kaizen::type::RecordProvisionResponse> GrpcProvisionRecorder::Record(
    const kaizen::type::RecordProvisionRequest& request) {
  grpc::ClientContext context;
  server::PrepareServiceCall(service_, *signer_, absl::Now() + deadline_, &context);
  kaizen::type::RecordProvisionResponse response;
  // What a generated stub's blocking call does, for a method named here.
  const grpc::Status status =
      grpc::internal::BlockingUnaryCall<kaizen::type::RecordProvisionRequest,
                                        kaizen::type::RecordProvisionResponse>(
          channel_.get(), rpc_method_, &context, request, &response);
  if (status.ok()) {
    if (response.records_size() != request.items_size()) return ProvisionUnrecorded();
    return response;
  }
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return enrollment_client::EnrollmentUnavailable();
    case grpc::StatusCode::INVALID_ARGUMENT:
      return FromGrpcStatus(status);
    default:
      return ProvisionUnrecorded();
  }
}

}  // namespace kaizen::partner_client
