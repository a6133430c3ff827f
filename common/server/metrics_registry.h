// One metrics registry for every Kaizen process (services and the gateway):
// labelled counters, gauges and histograms, plus collectors that render
// values read at scrape time (process and storage statistics), all in the
// Prometheus text exposition format (version 0.0.4).
//
//   MetricsRegistry registry;
//   CounterFamily* calls = registry.AddCounter(
//       "kaizen_x_requests_total", "Calls by method and code.", {"method", "code"});
//   calls->Increment({"/a.B/C", "OK"});
//   HistogramFamily* latency = registry.AddHistogram(
//       "kaizen_x_request_duration_seconds", "Call latency.", {"method"}, {0.001, 0.01});
//   latency->Observe({"/a.B/C"}, 0.0004);
//   std::string text = registry.RenderPrometheus();
//
// Families and collectors render in the order they were added, series within
// a family in the lexicographic order of their label values; a family with no
// series still renders its HELP and TYPE lines (a gauge without labels
// renders its value, 0 until set). A series without labels renders as
// `name value`. Label values are escaped (\, ", \n). Integral values render
// as integers and others in the shortest form that reads back exactly.
// Callers keep label values few and free of ids, tokens and personal data:
// a label is a route template or a method name, never a concrete path.
//
// Thread-safe: one mutex per family (a call's bookkeeping is a map lookup,
// far below the cost of the call). Families are owned by the registry and
// live as long as it does; adding families is meant for start-up.
#ifndef KAIZEN_COMMON_SERVER_METRICS_REGISTRY_H_
#define KAIZEN_COMMON_SERVER_METRICS_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace kaizen::server {

// The common shape of a family: a name, a help line and label names.
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~MetricFamily() = default;
  virtual void Render(std::string* out) const = 0;
  const std::string& name() const { return name_; }

 protected:
  // `name{l1="v1",l2="v2"` without the closing brace (so callers may add a
  // label such as le); `values` has one entry per label name.
  std::string SeriesPrefix(absl::string_view suffix, const std::vector<std::string>& values) const;
  // The whole series name: `name{l1="v1"}`, or `name` without labels.
  std::string SeriesName(absl::string_view suffix, const std::vector<std::string>& values) const;
  std::string Header(absl::string_view type) const;
  size_t label_count() const { return label_names_.size(); }

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
};

// A monotonically increasing count per label set.
class CounterFamily final : public MetricFamily {
 public:
  using MetricFamily::MetricFamily;
  // `labels` has one value per label name, in order.
  void Increment(const std::vector<std::string>& labels, int64_t by = 1);
  // 0 for a label set never incremented.
  int64_t Value(const std::vector<std::string>& labels) const;
  void Render(std::string* out) const override;

 private:
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, int64_t> values_ ABSL_GUARDED_BY(mu_);
};

// A value per label set that goes up and down (in-flight calls).
class GaugeFamily final : public MetricFamily {
 public:
  // A gauge without labels starts at 0 and always renders.
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void Set(const std::vector<std::string>& labels, double value);
  void Add(const std::vector<std::string>& labels, double delta);
  // 0 for a label set never set.
  double Value(const std::vector<std::string>& labels) const;
  void Render(std::string* out) const override;

 private:
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, double> values_ ABSL_GUARDED_BY(mu_);
};

// Observations per label set in fixed cumulative buckets (upper bounds, in
// increasing order; +Inf is implied), with their sum and count.
class HistogramFamily final : public MetricFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
      : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
        bounds_(std::move(bounds)) {}
  void Observe(const std::vector<std::string>& labels, double value);
  // Observations so far for a label set.
  int64_t Count(const std::vector<std::string>& labels) const;
  void Render(std::string* out) const override;

 private:
  struct Series {
    std::vector<int64_t> buckets;
    int64_t count = 0;
    double sum = 0;
  };
  const std::vector<double> bounds_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, Series> series_ ABSL_GUARDED_BY(mu_);
};

// Appends text for one family with one unlabelled sample:
//   # HELP <name> <help>\n# TYPE <name> <type>\n<name> <value>\n
// `type` is "counter" or "gauge". For collectors.
void AppendPrometheusSample(std::string* out, absl::string_view type, absl::string_view name,
                            absl::string_view help, double value);

// A number as the text format wants it: integral values as integers
// (123456789), others in the shortest form that reads back exactly (0.25,
// 1764400000.123); NaN and infinities as NaN, +Inf, -Inf.
std::string FormatPrometheusValue(double value);

// Renders whole families (HELP, TYPE and samples) into `out` at scrape time.
// Called on the scraping thread, concurrently with anything else: it must be
// thread-safe, fast (no blocking I/O beyond /proc) and must not call back into
// the registry. Its names must not clash with other families.
using MetricsCollector = std::function<void(std::string* out)>;

class MetricsRegistry {
 public:
  // The returned family is owned by the registry. Names must be unique.
  CounterFamily* AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names);
  GaugeFamily* AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names);
  HistogramFamily* AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> bounds);
  // A collector rendered in its place among the families (see
  // MetricsCollector). This is the hook for statistics another library keeps,
  // e.g. storage's commit/busy/error counts or the process metrics
  // (process_metrics.h).
  void AddCollector(MetricsCollector collector);

  // Every family and collector, in the order added.
  std::string RenderPrometheus() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_METRICS_REGISTRY_H_
