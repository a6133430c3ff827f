#include "common/server/metrics.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace kaizen::server {

Metrics::Metrics(std::string prefix, MetricsRegistry* registry)
    : owned_(registry == nullptr ? std::make_unique<MetricsRegistry>() : nullptr),
      registry_(registry == nullptr ? owned_.get() : registry) {
  requests_ = registry_->AddCounter(absl::StrCat(prefix, "_requests_total"),
                                    "Calls by method and status code.", {"method", "code"});
  latency_ = registry_->AddHistogram(
      absl::StrCat(prefix, "_request_duration_seconds"), "Call latency.", {"method"},
      std::vector<double>(kBucketsSeconds.begin(), kBucketsSeconds.end()));
  in_flight_ = registry_->AddGauge(absl::StrCat(prefix, "_in_flight_requests"),
                                   "Calls started and not yet finished.", {});
}

void Metrics::CallStarted() { in_flight_->Add({}, 1); }

void Metrics::CallFinished() { in_flight_->Add({}, -1); }

void Metrics::Record(absl::string_view method, absl::string_view code, absl::Duration latency) {
  requests_->Increment({std::string(method), std::string(code)});
  latency_->Observe({std::string(method)}, absl::ToDoubleSeconds(latency));
}

int64_t Metrics::Count(absl::string_view method, absl::string_view code) const {
  return requests_->Value({std::string(method), std::string(code)});
}

}  // namespace kaizen::server
