#include "clients/partner/grpc_result_change_source.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "clients/purge/purge_contract.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/codegen/proto_utils.h"

namespace kaizen::partner_client {

namespace {

// The gRPC code's name ("PERMISSION_DENIED"): the two code sets are the same
// numbers.
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

GrpcResultChangeSource::GrpcResultChangeSource(std::string service, std::string method,
                                               std::shared_ptr<grpc::Channel> channel,
                                               const auth::PrincipalSigner* signer,
                                               absl::Duration deadline)
    : service_(std::move(service)),
      method_(std::move(method)),
      channel_(std::move(channel)),
      rpc_method_(method_.c_str(), grpc::internal::RpcMethod::NORMAL_RPC, channel_),
      signer_(signer),
      deadline_(deadline) {}

absl::StatusOr<kaizen::type::ListResultChangesResponse> GrpcResultChangeSource::List(
    int64_t after_sequence, int page_size) {
  kaizen::type::ListResultChangesRequest request;
  request.set_after_sequence(after_sequence);
  request.set_page_size(page_size);
  grpc::ClientContext context;
  server::PrepareServiceCall(purge_client::kEnrollmentService, *signer_,
                             absl::Now() + deadline_, &context);
  kaizen::type::ListResultChangesResponse response;
  grpc::Status status =
      grpc::internal::BlockingUnaryCall<kaizen::type::ListResultChangesRequest,
                                        kaizen::type::ListResultChangesResponse>(
          channel_.get(), rpc_method_, &context, request, &response);
  if (status.ok()) return response;
  const grpc::StatusCode code = status.error_code();
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return ResultSourceUnavailable(service_);
  }
  const std::string reason = errors::Reason(FromGrpcStatus(status));
  return ResultSourceFailed(service_, reason.empty() ? CodeName(code) : reason);
}

}  // namespace kaizen::partner_client
