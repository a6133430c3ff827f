// The gateway's Prometheus metrics (text format 0.0.4), in the pattern of
// common/server/metrics.h, labelled by route template (never a concrete
// path, so label values stay few and carry no ids or tokens):
//
//   kaizen_gateway_requests_total{protocol,route,code}      counter
//   kaizen_gateway_request_duration_seconds{protocol,route}  histogram
//   kaizen_gateway_errors_total{protocol,code}               counter (code != OK)
//
// protocol is "http" or "grpc"; route is "GET /v1/{name=cohorts/*}" or the
// gRPC method path; requests that match no route use "unmatched", and the
// gateway's own endpoints their path ("/healthz"). code is the gRPC code
// name ("OK", "NOT_FOUND", ...).
#ifndef KAIZEN_SERVICES_GATEWAY_GATEWAY_METRICS_H_
#define KAIZEN_SERVICES_GATEWAY_GATEWAY_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kaizen::gateway {

class GatewayMetrics {
 public:
  // Thread-safe.
  void Record(absl::string_view protocol, absl::string_view route, absl::string_view code,
              absl::Duration latency);

  std::string RenderPrometheus() const;

  // For tests.
  int64_t Count(absl::string_view protocol, absl::string_view route,
                absl::string_view code) const;

  static constexpr std::array<double, 14> kBucketsSeconds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   5.0};

 private:
  struct Histogram {
    std::array<int64_t, kBucketsSeconds.size()> buckets{};
    int64_t count = 0;
    double sum = 0;
  };
  mutable absl::Mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> requests_
      ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, Histogram> latency_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, int64_t> errors_ ABSL_GUARDED_BY(mu_);
};

// One access-log line (JSON, no newline): time, protocol, method (HTTP
// method or "POST" for gRPC), route (template), status (HTTP status; 0 for
// gRPC), code, latency_ms, request_id. Nothing else: no path, query,
// headers, bodies, principals, tokens or keys, so no personal data or secret
// reaches the log.
std::string AccessLogLine(absl::Time now, absl::string_view protocol, absl::string_view method,
                          absl::string_view route, int http_status, absl::string_view code,
                          absl::Duration latency, absl::string_view request_id);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_GATEWAY_METRICS_H_
