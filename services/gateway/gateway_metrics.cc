#include "services/gateway/gateway_metrics.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/gateway/json.h"

namespace kaizen::gateway {

GatewayMetrics::GatewayMetrics(server::MetricsRegistry* registry)
    : owned_(registry == nullptr ? std::make_unique<server::MetricsRegistry>() : nullptr),
      registry_(registry == nullptr ? owned_.get() : registry) {
  requests_ = registry_->AddCounter("kaizen_gateway_requests_total",
                                    "Requests by protocol, route and gRPC code.",
                                    {"protocol", "route", "code"});
  latency_ = registry_->AddHistogram(
      "kaizen_gateway_request_duration_seconds", "Request latency at the gateway.",
      {"protocol", "route"}, std::vector<double>(kBucketsSeconds.begin(), kBucketsSeconds.end()));
  errors_ = registry_->AddCounter("kaizen_gateway_errors_total",
                                  "Failed requests by protocol and gRPC code.",
                                  {"protocol", "code"});
}

void GatewayMetrics::Record(absl::string_view protocol, absl::string_view route,
                            absl::string_view code, absl::Duration latency) {
  requests_->Increment({std::string(protocol), std::string(route), std::string(code)});
  latency_->Observe({std::string(protocol), std::string(route)}, absl::ToDoubleSeconds(latency));
  if (code != "OK") errors_->Increment({std::string(protocol), std::string(code)});
}

int64_t GatewayMetrics::Count(absl::string_view protocol, absl::string_view route,
                              absl::string_view code) const {
  return requests_->Value({std::string(protocol), std::string(route), std::string(code)});
}

std::string AccessLogLine(absl::Time now, absl::string_view protocol, absl::string_view method,
                          absl::string_view route, int http_status, absl::string_view code,
                          absl::Duration latency, absl::string_view request_id) {
  return Json::Object()
      .Set("time", Json::Str(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone())))
      .Set("service", Json::Str("gateway"))
      .Set("protocol", Json::Str(protocol))
      .Set("method", Json::Str(method))
      .Set("route", Json::Str(route))
      .Set("status", Json::Int(http_status))
      .Set("code", Json::Str(code))
      .Set("latency_ms", Json::Raw(absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(latency))))
      .Set("request_id", Json::Str(request_id))
      .Serialize();
}

}  // namespace kaizen::gateway
