#include "common/server/metrics.h"

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

}  // namespace
}  // namespace kaizen::server
