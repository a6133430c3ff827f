// The seam through which enrollment asks another service to delete a
// cohort's (or one person's) personal data: one PurgeTarget per service
// that holds any (scheduling, survey, plans). Transport-free; the gRPC
// implementation is grpc_purge_target.h, a fake for tests
// fake_purge_target.h.
#ifndef KAIZEN_CLIENTS_PURGE_PURGE_TARGET_H_
#define KAIZEN_CLIENTS_PURGE_PURGE_TARGET_H_

#include <string>

#include "absl/status/statusor.h"
#include "kaizen/type/purge.pb.h"

namespace kaizen::purge_client {

class PurgeTarget {
 public:
  virtual ~PurgeTarget() = default;

  // The service's name as it appears in reports ("scheduling", "survey",
  // "plans").
  virtual const std::string& service() const = 0;

  // Asks the service to delete what `request` names; its report on
  // success. Idempotent on the service's side (a repeat deletes nothing
  // more and reports the first purge's counts and complete_time with
  // `repeat` set, purge.proto), so a failed call may simply be repeated.
  // The caller checks the answer (service, cohort, participant) before
  // trusting it. Errors: UNAVAILABLE
  // PURGE_TARGET_UNAVAILABLE (not reached before the deadline), INTERNAL
  // PURGE_TARGET_FAILED (the service refused; its reason in metadata
  // "target_reason"). Never blocks longer than the target's deadline.
  virtual absl::StatusOr<kaizen::type::PurgeReport> Purge(
      const kaizen::type::PurgeRequest& request) = 0;
};

}  // namespace kaizen::purge_client

#endif  // KAIZEN_CLIENTS_PURGE_PURGE_TARGET_H_
