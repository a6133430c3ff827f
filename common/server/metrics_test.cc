#include "common/server/metrics.h"

#include <unistd.h>

#include <optional>
#include <thread>
#include <vector>

#include "common/server/metrics_registry.h"
#include "common/server/process_metrics.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

#include "gtest/gtest.h"

namespace kaizen::server {
namespace metrics_test {

TEST(MetricsTest, CountsAndRendersPrometheusText) {
  Metrics m("kaizen_test");
  m.Record("/a.B/C", "OK", absl::Microseconds(300));
  m.Record("/a.B/C", "OK", absl::Milliseconds(30));
  m.Record("/a.B/C", "NOT_FOUND", absl::Milliseconds(2));
  EXPECT_EQ(m.Count("/a.B/C", "OK"), 2);
  EXPECT_EQ(m.Count("/a.B/C", "NOT_FOUND"), 1);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("kaizen_test_requests_total{method=\"/a.B/C\",code=\"OK\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("kaizen_test_request_duration_seconds_bucket{method=\"/a.B/C\",le=\"0.0005\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("kaizen_test_request_duration_seconds_count{method=\"/a.B/C\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE kaizen_test_request_duration_seconds histogram"),
            std::string::npos);
}

TEST(MetricsTest, SharesOneRegistryWithOtherFamilies) {
  MetricsRegistry registry;
  CounterFamily* other = registry.AddCounter("kaizen_other_total", "Other things.", {"kind"});
  Metrics m("kaizen_svc", &registry);
  other->Increment({"a"});
  m.Record("/a.B/C", "OK", absl::Milliseconds(1));
  const std::string text = registry.RenderPrometheus();
  EXPECT_EQ(text, m.RenderPrometheus());
  const size_t other_at = text.find("kaizen_other_total{kind=\"a\"} 1");
  const size_t calls_at = text.find("kaizen_svc_requests_total{method=\"/a.B/C\",code=\"OK\"} 1");
  ASSERT_NE(other_at, std::string::npos);
  ASSERT_NE(calls_at, std::string::npos);
  EXPECT_LT(other_at, calls_at);  // families render in the order added
}

TEST(MetricsRegistryTest, RendersEmptyFamiliesAndEscapesLabels) {
  MetricsRegistry registry;
  CounterFamily* c = registry.AddCounter("x_total", "X.", {"route"});
  registry.AddHistogram("y_seconds", "Y.", {"route"}, {0.1});
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP x_total X.\n# TYPE x_total counter\n"
            "# HELP y_seconds Y.\n# TYPE y_seconds histogram\n");
  c->Increment({"a\"b\\c\nd"}, 2);
  EXPECT_NE(registry.RenderPrometheus().find("x_total{route=\"a\\\"b\\\\c\\nd\"} 2"),
            std::string::npos);
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  HistogramFamily* h = registry.AddHistogram("z_seconds", "Z.", {"m"}, {0.1, 1.0});
  h->Observe({"a"}, 0.05);
  h->Observe({"a"}, 0.5);
  h->Observe({"a"}, 5.0);
  EXPECT_EQ(h->Count({"a"}), 3);
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("z_seconds_bucket{m=\"a\",le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("z_seconds_bucket{m=\"a\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("z_seconds_bucket{m=\"a\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("z_seconds_sum{m=\"a\"} 5.55\n"), std::string::npos);
  EXPECT_NE(text.find("z_seconds_count{m=\"a\"} 3\n"), std::string::npos);
}

TEST(MetricsRegistryTest, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry;
  CounterFamily* c = registry.AddCounter("n_total", "N.", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([c] {
      for (int i = 0; i < 1000; ++i) c->Increment({"k"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value({"k"}), 4000);
}

TEST(MetricsTest, InFlightGaugeFollowsStartedAndFinishedCalls) {
  Metrics m("kaizen_test");
  EXPECT_NE(m.RenderPrometheus().find("\nkaizen_test_in_flight_requests 0\n"), std::string::npos);
  m.CallStarted();
  m.CallStarted();
  m.CallFinished();
  EXPECT_EQ(m.InFlight(), 1);
  const std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE kaizen_test_in_flight_requests gauge\n"
                      "kaizen_test_in_flight_requests 1\n"),
            std::string::npos);
}

TEST(MetricsRegistryTest, GaugesSetAndAddPerLabelSet) {
  MetricsRegistry registry;
  GaugeFamily* g = registry.AddGauge("g", "G.", {"k"});
  g->Set({"a"}, 2.5);
  g->Add({"a"}, -1);
  g->Add({"b"}, 3);
  EXPECT_EQ(g->Value({"a"}), 1.5);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP g G.\n# TYPE g gauge\ng{k=\"a\"} 1.5\ng{k=\"b\"} 3\n");
}

TEST(MetricsRegistryTest, CollectorsRenderInTheirPlaceAtScrapeTime) {
  MetricsRegistry registry;
  registry.AddCounter("first_total", "First.", {});
  int64_t busy = 0;
  registry.AddCollector([&busy](std::string* out) {
    AppendPrometheusSample(out, "counter", "storage_busy_total", "Busy answers.", busy);
  });
  registry.AddGauge("last", "Last.", {});
  busy = 7;  // read on every render, not when added
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP first_total First.\n# TYPE first_total counter\n"
            "# HELP storage_busy_total Busy answers.\n# TYPE storage_busy_total counter\n"
            "storage_busy_total 7\n"
            "# HELP last Last.\n# TYPE last gauge\nlast 0\n");
}

TEST(MetricsRegistryTest, ValuesKeepTheirPrecision) {
  EXPECT_EQ(FormatPrometheusValue(123456789), "123456789");
  EXPECT_EQ(FormatPrometheusValue(0.25), "0.25");
  EXPECT_EQ(FormatPrometheusValue(0.0005), "0.0005");
  EXPECT_EQ(FormatPrometheusValue(1e-9), "1e-09");
  EXPECT_EQ(FormatPrometheusValue(1764400000.125), "1764400000.125");
  EXPECT_EQ(FormatPrometheusValue(-3), "-3");
  EXPECT_EQ(FormatPrometheusValue(1.0 / 0.0), "+Inf");
  // A histogram's sum no longer rounds to six digits.
  MetricsRegistry registry;
  HistogramFamily* h = registry.AddHistogram("h_seconds", "H.", {}, {1});
  h->Observe({}, 123456.5);
  EXPECT_NE(registry.RenderPrometheus().find("\nh_seconds_sum 123456.5\nh_seconds_count 1\n"),
            std::string::npos);
}

// The value of an unlabelled sample in `text`, or -1.
double Sample(const std::string& text, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    double v;
    if (parts.size() == 2 && parts[0] == name && absl::SimpleAtod(parts[1], &v)) return v;
  }
  return -1;
}

TEST(ProcessMetricsTest, ReportsThisProcess) {
  MetricsRegistry registry;
  AddProcessMetrics(&registry);
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 1 << 20);  // a gtest binary
  EXPECT_GE(Sample(text, "process_virtual_memory_bytes"),
            Sample(text, "process_resident_memory_bytes"));
  EXPECT_GE(Sample(text, "process_open_fds"), 3);  // at least stdin, stdout, stderr
  EXPECT_GE(Sample(text, "process_max_fds"), Sample(text, "process_open_fds"));
  EXPECT_GE(Sample(text, "process_threads"), 1);
  EXPECT_GE(Sample(text, "process_cpu_seconds_total"), 0);
  // Started before now, and not before this test binary could have been built.
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  const double start = Sample(text, "process_start_time_seconds");
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);
}

TEST(ProcessMetricsTest, CountsDescriptorsAsTheyOpen) {
  const double before = *ReadProcessStats().open_fds;
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*ReadProcessStats().open_fds, before + 1);
  std::fclose(f);
  EXPECT_EQ(*ReadProcessStats().open_fds, before);
}

TEST(ProcessMetricsTest, CpuSecondsOfThisAndOtherProcesses) {
  // Burn a little CPU so the reading is past its first clock tick.
  volatile double x = 0;
  for (int i = 0; i < 50'000'000; ++i) x = x + i;
  const std::optional<double> self = ProcessCpuSeconds();
  ASSERT_TRUE(self.has_value());
  EXPECT_GT(*self, 0);
  EXPECT_GE(*ReadProcessStats().cpu_seconds, *self);
  const std::optional<double> by_pid = ProcessCpuSeconds(getpid());
  ASSERT_TRUE(by_pid.has_value());
  EXPECT_GE(*by_pid, *self);
  // pid_max is at most 2^22: no such process.
  EXPECT_FALSE(ProcessCpuSeconds(1 << 23).has_value());
}

TEST(ProcessMetricsTest, LeavesOutWhatCouldNotBeRead) {
  ProcessStats stats;
  stats.open_fds = 5;
  std::string out;
  RenderProcessStats(stats, &out);
  EXPECT_EQ(out, "# HELP process_open_fds Open file descriptors.\n"
                 "# TYPE process_open_fds gauge\nprocess_open_fds 5\n");
}

}  // namespace
}  // namespace kaizen::server
