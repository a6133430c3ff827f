#include "common/server/metrics_registry.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace kaizen::server {
namespace {

std::string Escape(absl::string_view v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

// Renders a registry-added collector in its place among the families.
class CollectorFamily final : public MetricFamily {
 public:
  explicit CollectorFamily(MetricsCollector collector)
      : MetricFamily("", "", {}), collector_(std::move(collector)) {}
  void Render(std::string* out) const override { collector_(out); }

 private:
  const MetricsCollector collector_;
};

}  // namespace

std::string FormatPrometheusValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::trunc(value) && std::fabs(value) < 9.007199254740992e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  // Fixed notation where it stays short (0.0005, not 5e-04), else whatever
  // is shortest; both read back exactly.
  char buf[64];
  const double magnitude = std::fabs(value);
  const std::to_chars_result r =
      magnitude >= 1e-6 && magnitude < 1e15
          ? std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed)
          : std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, r.ptr);
}

void AppendPrometheusSample(std::string* out, absl::string_view type, absl::string_view name,
                            absl::string_view help, double value) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n", name, " ",
                  FormatPrometheusValue(value), "\n");
}

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

std::string MetricFamily::SeriesName(absl::string_view suffix,
                                     const std::vector<std::string>& values) const {
  if (label_names_.empty()) return absl::StrCat(name_, suffix);
  return absl::StrCat(SeriesPrefix(suffix, values), "}");
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
    absl::StrAppend(out, SeriesName("", labels), " ", n, "\n");
  }
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), std::move(label_names)) {
  if (label_count() == 0) values_[{}] = 0;
}

void GaugeFamily::Set(const std::vector<std::string>& labels, double value) {
  absl::MutexLock lock(&mu_);
  values_[labels] = value;
}

void GaugeFamily::Add(const std::vector<std::string>& labels, double delta) {
  absl::MutexLock lock(&mu_);
  values_[labels] += delta;
}

double GaugeFamily::Value(const std::vector<std::string>& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void GaugeFamily::Render(std::string* out) const {
  absl::StrAppend(out, Header("gauge"));
  absl::MutexLock lock(&mu_);
  for (const auto& [labels, v] : values_) {
    absl::StrAppend(out, SeriesName("", labels), " ", FormatPrometheusValue(v), "\n");
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
      absl::StrAppend(out, bucket, sep, "le=\"", FormatPrometheusValue(bounds_[i]), "\"} ", s.buckets[i], "\n");
    }
    absl::StrAppend(out, bucket, sep, "le=\"+Inf\"} ", s.count, "\n",
                    SeriesName("_sum", labels), " ", FormatPrometheusValue(s.sum), "\n",
                    SeriesName("_count", labels), " ", s.count, "\n");
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

GaugeFamily* MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  auto family =
      std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names));
  GaugeFamily* raw = family.get();
  absl::MutexLock lock(&mu_);
  families_.push_back(std::move(family));
  return raw;
}

void MetricsRegistry::AddCollector(MetricsCollector collector) {
  absl::MutexLock lock(&mu_);
  families_.push_back(std::make_unique<CollectorFamily>(std::move(collector)));
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
