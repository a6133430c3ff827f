// Readiness for the standard grpc.health.v1 service: a probe (by default the
// process's storage health, common/storage/storage_stats.h) is polled and
// turns the overall "" status and every registered service's status
// NOT_SERVING while it fails, SERVING again when it passes. Kubernetes'
// gRPC readiness probes read exactly these statuses.
//
// Liveness is separate: GrpcServer registers kLivenessService SERVING at
// start and only a shutdown turns it NOT_SERVING; this poller never touches
// it. A liveness probe must name it, never "": restarting a process because
// its storage failed closes the last handle to a deleted database file.
#ifndef KAIZEN_COMMON_SERVER_READINESS_H_
#define KAIZEN_COMMON_SERVER_READINESS_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace grpc {
class HealthCheckServiceInterface;
}  // namespace grpc

namespace kaizen::server {

// grpc.health.v1 service name that is SERVING while the process is alive
// (until shutdown), whatever readiness says. Liveness probes check it.
inline constexpr char kLivenessService[] = "kaizen.liveness";

// OK when the process can serve; otherwise a status whose reason says why.
using ReadinessProbe = std::function<absl::Status()>;

class ReadinessPoller {
 public:
  // Polls every `interval` on its own thread (none when interval is
  // infinite). `health` must outlive Stop(). Does not poll at construction:
  // call Refresh() for the first status.
  ReadinessPoller(ReadinessProbe probe, grpc::HealthCheckServiceInterface* health,
                  std::vector<std::string> service_names, std::string log_name,
                  absl::Duration interval);
  ~ReadinessPoller();  // Stop()

  // Runs the probe once now and applies the result (tests call it instead of
  // waiting for the thread). A change is logged as one JSON line on stderr
  // with the reason only. No effect after Stop().
  void Refresh();
  // Ends polling; afterwards no status is set any more, so a drain's
  // NOT_SERVING stays. Idempotent.
  void Stop();

 private:
  void Apply(bool serving) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ReadinessProbe probe_;
  grpc::HealthCheckServiceInterface* health_;
  std::vector<std::string> service_names_;
  std::string log_name_;
  absl::Notification stop_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_READINESS_H_
