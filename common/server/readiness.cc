#include "common/server/readiness.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "common/status/errors.h"
#include "common/util/thread_name.h"
#include "grpcpp/health_check_service_interface.h"

namespace kaizen::server {

ReadinessPoller::ReadinessPoller(ReadinessProbe probe, grpc::HealthCheckServiceInterface* health,
                                 std::vector<std::string> service_names, std::string log_name,
                                 absl::Duration interval)
    : probe_(std::move(probe)),
      health_(health),
      service_names_(std::move(service_names)),
      log_name_(std::move(log_name)) {
  service_names_.erase(
      std::remove(service_names_.begin(), service_names_.end(), kLivenessService),
      service_names_.end());
  if (interval == absl::InfiniteDuration()) return;
  thread_ = std::thread([this, interval] {
    NameThisThread(kThreadReadiness);
    while (!stop_.WaitForNotificationWithTimeout(interval)) Refresh();
  });
}

ReadinessPoller::~ReadinessPoller() { Stop(); }

void ReadinessPoller::Refresh() {
  // The probe runs outside the lock (it stats files); applying is ordered
  // with Stop() by the lock.
  const absl::Status status = probe_();
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  if (status.ok() != serving_) {
    const std::string reason = errors::Reason(status);
    std::fprintf(stderr, "{\"service\":\"%s\",\"event\":\"%s\",\"reason\":\"%s\"}\n",
                 log_name_.c_str(), status.ok() ? "serving" : "not_serving", reason.c_str());
  }
  Apply(status.ok());
}

void ReadinessPoller::Apply(bool serving) {
  serving_ = serving;
  // service_names_ never holds kLivenessService (the constructor drops it),
  // so liveness stays SERVING here.
  for (const std::string& name : service_names_) health_->SetServingStatus(name, serving);
  health_->SetServingStatus("", serving);
}

void ReadinessPoller::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kaizen::server
