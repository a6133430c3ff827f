#include "clients/enrollment/notification_handover.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "kaizen/type/notification.pb.h"

namespace kaizen::enrollment_client {
namespace {

namespace ev1 = ::kaizen::enrollment::v1;

// What a person reading last_error needs: the code, enrollment's reason and
// the field it named; never enrollment's message (it may quote values).
std::string Describe(const absl::Status& status) {
  std::string out = absl::StatusCodeToString(status.code());
  const std::string reason = errors::Reason(status);
  if (!reason.empty()) absl::StrAppend(&out, "/", reason);
  auto bad = errors::GetBadRequest(status);
  if (bad.has_value() && bad->field_violations_size() > 0) {
    absl::StrAppend(&out, " (field ", bad->field_violations(0).field(), ")");
  }
  return out;
}

}  // namespace

std::string HandoverKey(absl::string_view service, absl::string_view row_id) {
  return absl::StrCat(service, ":", row_id);
}

NotificationHandover::NotificationHandover(std::shared_ptr<grpc::ChannelInterface> channel,
                                           const auth::PrincipalSigner* signer,
                                           std::string service, absl::Duration deadline)
    : stub_(ev1::EnrollmentService::NewStub(std::move(channel))),
      signer_(signer),
      service_(std::move(service)),
      deadline_(deadline) {}

absl::Status NotificationHandover::Deliver(const notify::OutboxMessage& message) {
  kaizen::type::EnqueueNotificationRequest request;
  if (!request.ParseFromString(message.payload)) {
    return errors::Error(absl::StatusCode::kInvalidArgument, kHandoverPayloadInvalid,
                         "the outbox row's payload is not a notification request");
  }
  request.set_idempotency_key(HandoverKey(service_, message.id));
  grpc::ClientContext context;
  server::PrepareServiceCall(service_, *signer_, absl::Now() + deadline_, &context);
  kaizen::type::EnqueueNotificationResponse response;
  const grpc::Status grpc_status = stub_->EnqueueNotification(&context, request, &response);
  if (grpc_status.ok()) return absl::OkStatus();
  const absl::Status status = FromGrpcStatus(grpc_status);
  const std::string what = Describe(status);
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
      return errors::Error(status.code(), kHandoverUnavailable,
                           absl::StrCat("enrollment could not take the notification: ", what));
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kUnauthenticated:
      return errors::Error(absl::StatusCode::kUnavailable, kHandoverUnavailable,
                           absl::StrCat("enrollment could not take the notification: ", what));
    default:
      return errors::Error(status.code(), kHandoverRefused,
                           absl::StrCat("enrollment refused the notification: ", what));
  }
}

}  // namespace kaizen::enrollment_client
