#include "common/server/metrics.h"

#include <thread>
#include <vector>

#include "common/server/metrics_registry.h"

#include "gtest/gtest.h"

namespace kaizen::server {
namespace {

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

}  // namespace
}  // namespace kaizen::server
