#include "common/server/metrics_registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace kaizen::server {
namespace {

std::string Escape(absl::string_view v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

}  // namespace

std::string MetricFamily::Header(absl::string_view type) const {
  return absl::StrCat("# HELP ", name_, " ", help_, "\n# TYPE ", name_, " ", type, "\n");
}

std::string MetricFamily::SeriesPrefix(absl::string_view suffix,
                                       const std::vector<std::string>& values) const {
  std::string out = absl::StrCat(name_, suffix, "{");
  for (size_t i = 0; i < label_names_.size() && i < values.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ",", label_names_[i], "=\"", Escape(values[i]), "\"");
  }
  return out;
}

void CounterFamily::Increment(const std::vector<std::string>& labels, int64_t by) {
  absl::MutexLock lock(&mu_);
  values_[labels] += by;
}

int64_t CounterFamily::Value(const std::vector<std::string>& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void CounterFamily::Render(std::string* out) const {
  absl::StrAppend(out, Header("counter"));
  absl::MutexLock lock(&mu_);
  for (const auto& [labels, n] : values_) {
    absl::StrAppend(out, SeriesPrefix("", labels), "} ", n, "\n");
  }
}

void HistogramFamily::Observe(const std::vector<std::string>& labels, double value) {
  absl::MutexLock lock(&mu_);
  Series& s = series_[labels];
  if (s.buckets.empty()) s.buckets.resize(bounds_.size());
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) ++s.buckets[i];
  }
  ++s.count;
  s.sum += value;
}

int64_t HistogramFamily::Count(const std::vector<std::string>& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

void HistogramFamily::Render(std::string* out) const {
  absl::StrAppend(out, Header("histogram"));
  absl::MutexLock lock(&mu_);
  for (const auto& [labels, s] : series_) {
    const std::string bucket = SeriesPrefix("_bucket", labels);
    const std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < bounds_.size(); ++i) {
      absl::StrAppend(out, bucket, sep, "le=\"", bounds_[i], "\"} ", s.buckets[i], "\n");
    }
    absl::StrAppend(out, bucket, sep, "le=\"+Inf\"} ", s.count, "\n",
                    SeriesPrefix("_sum", labels), "} ", s.sum, "\n",
                    SeriesPrefix("_count", labels), "} ", s.count, "\n");
  }
}

CounterFamily* MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  auto family = std::make_unique<CounterFamily>(std::move(name), std::move(help),
                                                std::move(label_names));
  CounterFamily* raw = family.get();
  absl::MutexLock lock(&mu_);
  families_.push_back(std::move(family));
  return raw;
}

HistogramFamily* MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> bounds) {
  auto family = std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                  std::move(label_names), std::move(bounds));
  HistogramFamily* raw = family.get();
  absl::MutexLock lock(&mu_);
  families_.push_back(std::move(family));
  return raw;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& family : families_) family->Render(&out);
  return out;
}

}  // namespace kaizen::server
