#include "services/gateway/gateway_metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "services/gateway/json.h"

namespace kaizen::gateway {
namespace {

std::string Label(absl::string_view v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

}  // namespace

void GatewayMetrics::Record(absl::string_view protocol, absl::string_view route,
                            absl::string_view code, absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  absl::MutexLock lock(&mu_);
  ++requests_[{std::string(protocol), std::string(route), std::string(code)}];
  Histogram& h = latency_[{std::string(protocol), std::string(route)}];
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
  if (code != "OK") ++errors_[{std::string(protocol), std::string(code)}];
}

int64_t GatewayMetrics::Count(absl::string_view protocol, absl::string_view route,
                              absl::string_view code) const {
  absl::MutexLock lock(&mu_);
  auto it = requests_.find({std::string(protocol), std::string(route), std::string(code)});
  return it == requests_.end() ? 0 : it->second;
}

std::string GatewayMetrics::RenderPrometheus() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  out +=
      "# HELP kaizen_gateway_requests_total Requests by protocol, route and gRPC code.\n"
      "# TYPE kaizen_gateway_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    absl::StrAppend(&out, "kaizen_gateway_requests_total{protocol=\"", Label(std::get<0>(key)),
                    "\",route=\"", Label(std::get<1>(key)), "\",code=\"",
                    Label(std::get<2>(key)), "\"} ", n, "\n");
  }
  out +=
      "# HELP kaizen_gateway_request_duration_seconds Request latency at the gateway.\n"
      "# TYPE kaizen_gateway_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const std::string labels =
        absl::StrCat("protocol=\"", Label(key.first), "\",route=\"", Label(key.second), "\"");
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      absl::StrAppend(&out, "kaizen_gateway_request_duration_seconds_bucket{", labels, ",le=\"",
                      kBucketsSeconds[i], "\"} ", h.buckets[i], "\n");
    }
    absl::StrAppend(&out, "kaizen_gateway_request_duration_seconds_bucket{", labels,
                    ",le=\"+Inf\"} ", h.count, "\n", "kaizen_gateway_request_duration_seconds_sum{",
                    labels, "} ", h.sum, "\n", "kaizen_gateway_request_duration_seconds_count{",
                    labels, "} ", h.count, "\n");
  }
  out +=
      "# HELP kaizen_gateway_errors_total Failed requests by protocol and gRPC code.\n"
      "# TYPE kaizen_gateway_errors_total counter\n";
  for (const auto& [key, n] : errors_) {
    absl::StrAppend(&out, "kaizen_gateway_errors_total{protocol=\"", Label(key.first),
                    "\",code=\"", Label(key.second), "\"} ", n, "\n");
  }
  return out;
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
