#include "common/server/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace kaizen::server {
namespace {

std::string Label(absl::string_view v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

}  // namespace

void Metrics::Record(absl::string_view method, absl::string_view code,
                     absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  absl::MutexLock lock(&mu_);
  ++counts_[{std::string(method), std::string(code)}];
  Histogram& h = latency_[std::string(method)];
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

int64_t Metrics::Count(absl::string_view method, absl::string_view code) const {
  absl::MutexLock lock(&mu_);
  auto it = counts_.find({std::string(method), std::string(code)});
  return it == counts_.end() ? 0 : it->second;
}

std::string Metrics::RenderPrometheus() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  absl::StrAppend(&out, "# HELP ", prefix_, "_requests_total Calls by method and status code.\n",
                  "# TYPE ", prefix_, "_requests_total counter\n");
  for (const auto& [key, n] : counts_) {
    absl::StrAppend(&out, prefix_, "_requests_total{method=\"", Label(key.first),
                    "\",code=\"", Label(key.second), "\"} ", n, "\n");
  }
  const std::string h = absl::StrCat(prefix_, "_request_duration_seconds");
  absl::StrAppend(&out, "# HELP ", h, " Call latency.\n# TYPE ", h, " histogram\n");
  for (const auto& [method, hist] : latency_) {
    const std::string m = Label(method);
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      absl::StrAppend(&out, h, "_bucket{method=\"", m, "\",le=\"",
                      kBucketsSeconds[i], "\"} ", hist.buckets[i], "\n");
    }
    absl::StrAppend(&out, h, "_bucket{method=\"", m, "\",le=\"+Inf\"} ",
                    hist.count, "\n", h, "_sum{method=\"", m, "\"} ", hist.sum,
                    "\n", h, "_count{method=\"", m, "\"} ", hist.count, "\n");
  }
  return out;
}

}  // namespace kaizen::server
