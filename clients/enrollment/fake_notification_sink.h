// A stand-in for enrollment's EnqueueNotification, for tests of the
// hand-over (notification_handover.h) and of a sending service end to end:
// serve it with common/testing/grpc_fixture.h on port 0.
//
// It verifies the signed principal (only ServicePrincipal(`service`)),
// refuses an empty or foreign idempotency key (INVALID_ARGUMENT), answers a
// key seen before with repeat = true and records nothing new (what
// enrollment promises), and can be told to fail the next calls with given
// statuses (`FailNext`) before it records them.
#ifndef KAIZEN_CLIENTS_ENROLLMENT_FAKE_NOTIFICATION_SINK_H_
#define KAIZEN_CLIENTS_ENROLLMENT_FAKE_NOTIFICATION_SINK_H_

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "kaizen/type/notification.pb.h"

namespace kaizen::enrollment_client {

class FakeNotificationSink final : public ::kaizen::enrollment::v1::EnrollmentService::Service {
 public:
  FakeNotificationSink(const auth::PrincipalSigner* signer, std::string service)
      : signer_(signer), service_(std::move(service)) {}

  grpc::Status EnqueueNotification(grpc::ServerContext* context,
                                   const kaizen::type::EnqueueNotificationRequest* request,
                                   kaizen::type::EnqueueNotificationResponse* response) override {
    return server::Handle(context, *signer_, [&](const kaizen::type::Principal& caller) {
      absl::MutexLock lock(&mu_);
      ++calls_;
      if (caller.subject() != service_ ||
          !auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
        return errors::PermissionDenied("SERVICES_ONLY", "only the scheduling service");
      }
      if (!failures_.empty()) {
        absl::Status next = failures_.front();
        failures_.pop_front();
        return next;
      }
      if (!absl::StartsWith(request->idempotency_key(), service_ + ":")) {
        return errors::InvalidField("idempotency_key", "must be \"<service>:<id>\"");
      }
      if (requests_.count(request->idempotency_key()) > 0) {
        response->set_repeat(true);
        return absl::OkStatus();
      }
      requests_.emplace(request->idempotency_key(), *request);
      order_.push_back(request->idempotency_key());
      response->set_enqueued(1);
      return absl::OkStatus();
    });
  }

  // The next calls (from a verified caller) fail with these, in order.
  void FailNext(std::vector<absl::Status> statuses) {
    absl::MutexLock lock(&mu_);
    for (auto& s : statuses) failures_.push_back(std::move(s));
  }
  // Requests taken, by idempotency key, and the keys in arrival order.
  std::map<std::string, kaizen::type::EnqueueNotificationRequest> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  std::vector<std::string> order() {
    absl::MutexLock lock(&mu_);
    return order_;
  }
  // Every call that reached the handler, failed ones included.
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  const auth::PrincipalSigner* signer_;
  const std::string service_;
  absl::Mutex mu_;
  std::deque<absl::Status> failures_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, kaizen::type::EnqueueNotificationRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kaizen::enrollment_client

#endif  // KAIZEN_CLIENTS_ENROLLMENT_FAKE_NOTIFICATION_SINK_H_
