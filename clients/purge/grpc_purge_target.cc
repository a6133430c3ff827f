#include "clients/purge/grpc_purge_target.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "clients/purge/purge_client_errors.h"
#include "clients/purge/purge_contract.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/codegen/proto_utils.h"

namespace kaizen::purge_client {

namespace {

// The gRPC code's name ("PERMISSION_DENIED"): the two code sets are the same
// numbers.
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

GrpcPurgeTarget::GrpcPurgeTarget(std::string service, std::string method,
                                 std::shared_ptr<grpc::Channel> channel,
                                 const auth::PrincipalSigner* signer, absl::Duration deadline)
    : service_(std::move(service)),
      method_(std::move(method)),
      channel_(std::move(channel)),
      rpc_method_(method_.c_str(), grpc::internal::RpcMethod::NORMAL_RPC, channel_),
      signer_(signer),
      deadline_(deadline) {}

absl::StatusOr<kaizen::type::PurgeReport> GrpcPurgeTarget::Purge(
    const kaizen::type::PurgeRequest& request) {
  grpc::ClientContext context;
  server::PrepareServiceCall(kEnrollmentService, *signer_, absl::Now() + deadline_, &context);
  kaizen::type::PurgeReport report;
  // What a generated stub's blocking call does, for a method named at run
  // time (see the header).
  grpc::Status status = grpc::internal::BlockingUnaryCall<kaizen::type::PurgeRequest,
                                                          kaizen::type::PurgeReport>(
      channel_.get(), rpc_method_, &context, request, &report);
  if (status.ok()) return report;
  const grpc::StatusCode code = status.error_code();
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return PurgeTargetUnavailable(service_);
  }
  const std::string reason = errors::Reason(FromGrpcStatus(status));
  return PurgeTargetFailed(service_, reason.empty() ? CodeName(code) : reason);
}

}  // namespace kaizen::purge_client
