// The hand-over of a service's outbox rows to enrollment
// (EnrollmentService/EnqueueNotification; proto/kaizen/type/notification.proto):
// a notify::Transport (common/notify/deliverer.h) for a service that keeps
// kaizen.type.EnqueueNotificationRequest payloads in its outbox (scheduling
// today).
//
// Each Deliver parses the row's payload, sets its idempotency_key to
// "<service>:<row id>" (so a repeated hand-over, e.g. after a crash between
// enrollment's answer and MarkSent, is a no-op in enrollment), and calls
// EnqueueNotification as auth::ServicePrincipal(<service>) signed with the
// principal key, within `deadline`, waiting for the channel to (re)connect
// within that deadline.
//
// Error mapping (what the Deliverer retries and what it dead-letters):
//   OK                                        -> OK (repeat = true too)
//   UNAVAILABLE, DEADLINE_EXCEEDED,           -> the same code: transient, retried
//   RESOURCE_EXHAUSTED, ABORTED                  with backoff
//   INTERNAL, UNKNOWN, UNIMPLEMENTED,         -> UNAVAILABLE: transient. These are
//   UNAUTHENTICATED                              enrollment's fault or a deployment
//                                                in progress (a key being rotated, an
//                                                older enrollment), which an operator
//                                                fixes; the message must not be lost
//                                                meanwhile (after max_attempts it is
//                                                DEAD and can be retried).
//   INVALID_ARGUMENT, PERMISSION_DENIED,      -> the same code: permanent (dead
//   NOT_FOUND, FAILED_PRECONDITION, anything     letter); retrying the same request
//   else                                         cannot succeed.
//   a payload that does not parse             -> INVALID_ARGUMENT (permanent)
// Every error's message names the code and enrollment's ErrorInfo reason
// (and the field of a BadRequest), never enrollment's message, the payload
// or anyone's address: it ends up in the outbox's last_error and the logs.
//
// Thread-safe (one stub, a fresh ClientContext per call); Deliver blocks the
// calling thread (the Deliverer's) for at most `deadline`.
#ifndef KAIZEN_CLIENTS_ENROLLMENT_NOTIFICATION_HANDOVER_H_
#define KAIZEN_CLIENTS_ENROLLMENT_NOTIFICATION_HANDOVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/notify/deliverer.h"
#include "grpcpp/channel.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"

namespace kaizen::enrollment_client {

// ErrorInfo reasons this transport originates.
// The row's payload is not an EnqueueNotificationRequest (INVALID_ARGUMENT).
inline constexpr absl::string_view kHandoverPayloadInvalid = "HANDOVER_PAYLOAD_INVALID";
// Enrollment refused the hand-over; the code is enrollment's (see above).
inline constexpr absl::string_view kHandoverRefused = "HANDOVER_REFUSED";
// Enrollment could not take it now (transient codes).
inline constexpr absl::string_view kHandoverUnavailable = "HANDOVER_UNAVAILABLE";

// "<service>:<row id>".
std::string HandoverKey(absl::string_view service, absl::string_view row_id);

class NotificationHandover final : public notify::Transport {
 public:
  // `service`: the calling service's name ("scheduling"), both the key's
  // prefix and the principal's. `signer` not owned; must outlive this.
  NotificationHandover(std::shared_ptr<grpc::ChannelInterface> channel,
                       const auth::PrincipalSigner* signer, std::string service,
                       absl::Duration deadline);

  absl::Status Deliver(const notify::OutboxMessage& message) override;

 private:
  std::unique_ptr<::kaizen::enrollment::v1::EnrollmentService::Stub> stub_;
  const auth::PrincipalSigner* signer_;
  const std::string service_;
  const absl::Duration deadline_;
};

}  // namespace kaizen::enrollment_client

#endif  // KAIZEN_CLIENTS_ENROLLMENT_NOTIFICATION_HANDOVER_H_
