#include "clients/scheduling/grpc_meeting_source.h"

#include <utility>

#include "clients/scheduling/scheduling_client_errors.h"
#include "common/server/principal_context.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"

namespace kaizen::scheduling_client {

namespace sv1 = ::kaizen::scheduling::v1;

namespace {

// The one error mapping of this client (see the header).
absl::Status MapError(const grpc::Status& status) {
  const grpc::StatusCode code = status.error_code();
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return SchedulingUnavailable();
  }
  if (code == grpc::StatusCode::NOT_FOUND) return FromGrpcStatus(status);
  // Anything else is our fault (e.g. a secret mismatch), not the caller's.
  return MeetingsUnreadable();
}

}  // namespace

GrpcMeetingSource::GrpcMeetingSource(std::shared_ptr<grpc::ChannelInterface> channel,
                                     const auth::PrincipalSigner* signer,
                                     std::string service_name, absl::Duration deadline)
    : stub_(sv1::SchedulingService::NewStub(std::move(channel))),
      signer_(signer),
      service_name_(std::move(service_name)),
      deadline_(deadline) {}

absl::StatusOr<Meeting> GrpcMeetingSource::GetMeeting(const std::string& meeting_name) {
  grpc::ClientContext context;
  server::PrepareServiceCall(service_name_, *signer_, absl::Now() + deadline_, &context);
  sv1::GetMeetingRequest request;
  request.set_name(meeting_name);
  Meeting meeting;
  grpc::Status status = stub_->GetMeeting(&context, request, &meeting);
  if (!status.ok()) return MapError(status);
  return meeting;
}

absl::StatusOr<std::vector<Meeting>> GrpcMeetingSource::ListMeetings(
    const std::string& cohort_name) {
  // Every page, under one deadline for the whole list. A series fits in one
  // page of kListPageSize; the page bound only stops a misbehaving server.
  const absl::Time deadline = absl::Now() + deadline_;
  sv1::ListMeetingsRequest request;
  request.set_parent(cohort_name);
  request.set_page_size(kListPageSize);
  std::vector<Meeting> out;
  for (int page = 0; page < kMaxListPages; ++page) {
    grpc::ClientContext context;
    server::PrepareServiceCall(service_name_, *signer_, deadline, &context);
    sv1::ListMeetingsResponse response;
    grpc::Status status = stub_->ListMeetings(&context, request, &response);
    if (!status.ok()) return MapError(status);
    out.insert(out.end(), response.meetings().begin(), response.meetings().end());
    if (response.next_page_token().empty()) return out;
    request.set_page_token(response.next_page_token());
  }
  return MeetingsUnreadable();
}

}  // namespace kaizen::scheduling_client
