#include "clients/enrollment/grpc_roster_source.h"

#include <utility>

#include "clients/enrollment/enrollment_client_errors.h"
#include "common/server/principal_context.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"

namespace kaizen::enrollment_client {

namespace ev1 = ::kaizen::enrollment::v1;

GrpcRosterSource::GrpcRosterSource(std::shared_ptr<grpc::ChannelInterface> channel,
                                   const auth::PrincipalSigner* signer,
                                   std::string service_name, absl::Duration deadline)
    : stub_(ev1::EnrollmentService::NewStub(std::move(channel))),
      signer_(signer),
      service_name_(std::move(service_name)),
      deadline_(deadline) {}

absl::StatusOr<Roster> GrpcRosterSource::GetRoster(const std::string& cohort_name) {
  grpc::ClientContext context;
  server::PrepareServiceCall(service_name_, *signer_, absl::Now() + deadline_, &context);
  ev1::GetRosterRequest request;
  request.set_parent(cohort_name);
  Roster roster;
  grpc::Status status = stub_->GetRoster(&context, request, &roster);
  if (status.ok()) return roster;
  const grpc::StatusCode code = status.error_code();
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return EnrollmentUnavailable();
  }
  if (code == grpc::StatusCode::NOT_FOUND) return FromGrpcStatus(status);
  // Anything else is our fault (e.g. a secret mismatch), not the caller's.
  return RosterUnreadable();
}

}  // namespace kaizen::enrollment_client
