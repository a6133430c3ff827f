// Request metrics of a gRPC server, on the one registry every Kaizen process
// uses (common/server/metrics_registry.h):
//
//   <prefix>_requests_total{method,code}             counter
//   <prefix>_request_duration_seconds{method}         histogram
//   <prefix>_in_flight_requests                       gauge
//
// method is the full gRPC method path; code the gRPC code name ("OK", ...).
// In-flight calls are those the interceptor (interceptors.h) has seen start
// and not yet finish: handlers running or waiting on SQLite. Calls gRPC has
// accepted but not yet handed to a thread are not visible here (gRPC answers
// RESOURCE_EXHAUSTED once its thread quota is used up; see server.h).
// RenderPrometheus() renders everything in the registry, including families
// other code added (process metrics, storage statistics).
#ifndef KAIZEN_COMMON_SERVER_METRICS_H_
#define KAIZEN_COMMON_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/metrics_registry.h"

namespace kaizen::server {

class Metrics {
 public:
  // Adds its families to `registry` (not owned; must outlive this object),
  // or to a registry of its own when `registry` is null.
  explicit Metrics(std::string prefix, MetricsRegistry* registry = nullptr);

  // Thread-safe. The interceptor brackets each call with CallStarted and
  // CallFinished (once, whether or not a status was sent) and records its
  // outcome with Record.
  void CallStarted();
  void CallFinished();
  void Record(absl::string_view method, absl::string_view code, absl::Duration latency);

  // Prometheus text exposition format (version 0.0.4) of the whole registry.
  std::string RenderPrometheus() const { return registry_->RenderPrometheus(); }

  // For tests and readiness: calls recorded for (method, code).
  int64_t Count(absl::string_view method, absl::string_view code) const;
  // Calls in flight now.
  int64_t InFlight() const { return static_cast<int64_t>(in_flight_->Value({})); }

  MetricsRegistry& registry() { return *registry_; }

  static constexpr std::array<double, 12> kBucketsSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

 private:
  std::unique_ptr<MetricsRegistry> owned_;
  MetricsRegistry* registry_;
  CounterFamily* requests_;
  HistogramFamily* latency_;
  GaugeFamily* in_flight_;
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_METRICS_H_
