// In-process request metrics, rendered in Prometheus text format.
//
// Counts calls by (method, code) and a latency histogram by method. Fixed
// buckets; one mutex (a call's bookkeeping is a few map lookups, far below the
// cost of the call itself).
#ifndef KAIZEN_COMMON_SERVER_METRICS_H_
#define KAIZEN_COMMON_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kaizen::server {

class Metrics {
 public:
  // `prefix` names the metrics: <prefix>_requests_total,
  // <prefix>_request_duration_seconds.
  explicit Metrics(std::string prefix) : prefix_(std::move(prefix)) {}

  void Record(absl::string_view method, absl::string_view code,
              absl::Duration latency);

  // Prometheus text exposition format (version 0.0.4).
  std::string RenderPrometheus() const;

  // For tests and readiness: calls recorded for (method, code).
  int64_t Count(absl::string_view method, absl::string_view code) const;

  static constexpr std::array<double, 12> kBucketsSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

 private:
  struct Histogram {
    std::array<int64_t, kBucketsSeconds.size()> buckets{};
    int64_t count = 0;
    double sum = 0;
  };
  const std::string prefix_;
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, int64_t> counts_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> latency_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_METRICS_H_
