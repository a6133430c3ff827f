// One metrics registry for every Kaizen process (services and the gateway):
// labelled counters and histograms, rendered in the Prometheus text
// exposition format (version 0.0.4).
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
// Families render in the order they were added, series within a family in
// the lexicographic order of their label values; a family with no series
// still renders its HELP and TYPE lines. Label values are escaped (\, ", \n).
// Callers keep label values few and free of ids, tokens and personal data:
// a label is a route template or a method name, never a concrete path.
//
// Thread-safe: one mutex per family (a call's bookkeeping is a map lookup,
// far below the cost of the call). Families are owned by the registry and
// live as long as it does; adding families is meant for start-up.
#ifndef KAIZEN_COMMON_SERVER_METRICS_REGISTRY_H_
#define KAIZEN_COMMON_SERVER_METRICS_REGISTRY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
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
  std::string Header(absl::string_view type) const;

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

class MetricsRegistry {
 public:
  // The returned family is owned by the registry. Names must be unique.
  CounterFamily* AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names);
  HistogramFamily* AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> bounds);

  // Every family, in the order added.
  std::string RenderPrometheus() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_METRICS_REGISTRY_H_
