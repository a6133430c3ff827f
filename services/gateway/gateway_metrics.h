// The gateway's Prometheus metrics (text format 0.0.4), on the one registry
// every process uses (common/server/metrics_registry.h), labelled by route template (never a concrete
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
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/metrics_registry.h"

namespace kaizen::gateway {

class GatewayMetrics {
 public:
  // Adds its families to `registry` (not owned; must outlive this object),
  // or to a registry of its own when `registry` is null.
  explicit GatewayMetrics(server::MetricsRegistry* registry = nullptr);

  // Thread-safe.
  void Record(absl::string_view protocol, absl::string_view route, absl::string_view code,
              absl::Duration latency);

  // The whole registry in Prometheus text format.
  std::string RenderPrometheus() const { return registry_->RenderPrometheus(); }

  // For tests.
  int64_t Count(absl::string_view protocol, absl::string_view route,
                absl::string_view code) const;

  server::MetricsRegistry& registry() { return *registry_; }

  static constexpr std::array<double, 14> kBucketsSeconds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   5.0};

 private:
  std::unique_ptr<server::MetricsRegistry> owned_;
  server::MetricsRegistry* registry_;
  server::CounterFamily* requests_;
  server::HistogramFamily* latency_;
  server::CounterFamily* errors_;
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
