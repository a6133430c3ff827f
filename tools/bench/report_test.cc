#include "tools/bench/report.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace kaizen::bench {
namespace report_test {

// `ok` right answers in one second at a constant latency.
LoadResult Load(int64_t ok, double latency_us = 100, int64_t errors = 0) {
  LoadResult r;
  r.ok = ok;
  r.errors = errors;
  r.seconds = 1;
  r.latencies_us.assign(static_cast<size_t>(ok), latency_us);
  return r;
}

// A round that meets every target of issue 18.
Round Passing() {
  Round x;
  x.health = Load(1000);
  x.get_cohort = Load(600);
  x.raw_commits_per_s = 400;
  x.create = Load(500);
  x.direct_1 = Load(100, 200);
  x.http_1 = Load(90, 400);
  x.direct_n = Load(1000);
  x.http_n = Load(850);
  x.burst.applicants = 256;
  return x;
}

Report ThreeRounds(const Round& a, const Round& b, const Round& c) {
  Report r;
  r.settings.connections = 16;
  r.settings.writers = 64;
  r.settings.burst = 256;
  r.rounds = {a, b, c};
  ServiceStarts s;
  s.service = "enrollment";
  s.runs = {{50, 20 * 1024}, {60, 21 * 1024}, {70, 22 * 1024}};
  r.starts.push_back(s);
  return r;
}

const Verdict& Find(const std::vector<Verdict>& v, const std::string& prefix) {
  for (const Verdict& x : v) {
    if (x.target.rfind(prefix, 0) == 0) return x;
  }
  ADD_FAILURE() << "no verdict starting with " << prefix;
  static const Verdict none;
  return none;
}

TEST(Verdicts, AllPassWhenEveryTargetIsMet) {
  for (const Verdict& v : Verdicts(ThreeRounds(Passing(), Passing(), Passing()))) {
    EXPECT_TRUE(v.pass) << v.target << ": " << v.measured;
  }
}

TEST(Verdicts, RatiosAreMediansOfRounds) {
  Round slow = Passing();
  slow.get_cohort = Load(100);  // 0.1x in one round only
  auto v = Verdicts(ThreeRounds(Passing(), slow, Passing()));
  EXPECT_TRUE(Find(v, "GetCohort").pass);
  EXPECT_EQ(Find(v, "GetCohort").measured, "0.60× (median of 3)");
  v = Verdicts(ThreeRounds(slow, slow, Passing()));
  EXPECT_FALSE(Find(v, "GetCohort").pass);
  EXPECT_EQ(Find(v, "GetCohort").measured, "0.10× (median of 3)");
}

TEST(Verdicts, WritesBelowTheRawCommitRateFail) {
  Round x = Passing();
  x.create = Load(399);
  EXPECT_FALSE(Find(Verdicts(ThreeRounds(x, x, x)), "CreateApplication").pass);
}

TEST(Verdicts, ErrorsFailAThroughputTargetWhateverTheRatio) {
  Round x = Passing();
  x.create = Load(5000, 100, /*errors=*/1);
  const auto all = Verdicts(ThreeRounds(Passing(), x, Passing()));
  const Verdict& v = Find(all, "CreateApplication");
  EXPECT_FALSE(v.pass);
  EXPECT_NE(v.measured.find("1 errors"), std::string::npos) << v.measured;
}

TEST(Verdicts, OneBurstErrorOrViolationFails) {
  Round error = Passing();
  error.burst.errors = 1;
  EXPECT_FALSE(Find(Verdicts(ThreeRounds(Passing(), error, Passing())), "0 errors").pass);
  Round broken = Passing();
  broken.burst.violations = {"seats_taken 11 > capacity 10"};
  EXPECT_FALSE(Find(Verdicts(ThreeRounds(Passing(), Passing(), broken)), "0 errors").pass);
}

TEST(Verdicts, GatewayTargets) {
  Round x = Passing();
  x.http_n = Load(790);
  EXPECT_FALSE(Find(Verdicts(ThreeRounds(x, x, x)), "gateway HTTP").pass);
  x = Passing();
  x.http_1 = Load(90, 501);  // 301 µs added
  const auto all = Verdicts(ThreeRounds(x, x, x));
  const Verdict& v = Find(all, "gateway added p50");
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.measured, "0.301 ms (median of 3)");
}

TEST(Verdicts, StartAndMemoryLimits) {
  Report r = ThreeRounds(Passing(), Passing(), Passing());
  r.starts[0].runs = {{150, 29000}, {250, 29000}, {210, 29400}};  // KiB; 29400 KiB > 30 MB
  auto v = Verdicts(r);
  EXPECT_FALSE(Find(v, "enrollment: health SERVING").pass);  // median 210 ms
  EXPECT_TRUE(Find(v, "enrollment: idle RSS").pass);          // median 29,696,000 bytes
  r.starts[0].runs = {{50, 29400}, {60, 29400}, {-1, 29400}};
  v = Verdicts(r);
  EXPECT_FALSE(Find(v, "enrollment: health SERVING").pass);  // one start never served
  EXPECT_EQ(Find(v, "enrollment: health SERVING").measured, "never served");
  EXPECT_FALSE(Find(v, "enrollment: idle RSS").pass);        // 30,105,600 bytes
}

TEST(Verdicts, NoRoundsNeverPass) {
  Report r;
  for (const Verdict& v : Verdicts(r)) EXPECT_FALSE(v.pass) << v.target;
}

// kaizen_bench --phases=d: the other targets are "not run", neither PASS nor
// FAIL, and their rows are left out; the gateway's still judged.
TEST(Verdicts, PhasesNotRunAreNeitherPassNorFail) {
  Report r = ThreeRounds(Passing(), Passing(), Passing());
  r.settings.phases = "d";  // r.starts stays filled: not reported either
  const std::vector<Verdict> v = Verdicts(r);
  EXPECT_FALSE(Find(v, "GetCohort").run);
  EXPECT_FALSE(Find(v, "GetCohort").pass);
  EXPECT_NE(Find(v, "GetCohort").measured.find("not measured (--phases=d)"), std::string::npos);
  EXPECT_FALSE(Find(v, "CreateApplication").run);
  EXPECT_FALSE(Find(v, "0 errors with 256").run);
  EXPECT_FALSE(Find(v, "health SERVING").run);
  for (const Verdict& x : v) EXPECT_NE(x.target.rfind("enrollment:", 0), 0u) << x.target;
  EXPECT_TRUE(Find(v, "gateway HTTP/JSON").run);
  EXPECT_TRUE(Find(v, "gateway HTTP/JSON").pass);
  EXPECT_TRUE(Find(v, "gateway added p50").pass);

  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  PrintReport(r, out);
  std::fclose(out);
  const std::string report(text, size);
  free(text);
  EXPECT_NE(report.find("| not run |"), std::string::npos) << report;
  EXPECT_NE(report.find("(d) gateway HTTP GET, 16 clients (req/s)"), std::string::npos);
  EXPECT_EQ(report.find("(a) Health/Check"), std::string::npos) << report;
  EXPECT_EQ(report.find("(b) raw SQLite"), std::string::npos) << report;
  EXPECT_EQ(report.find("(c) burst"), std::string::npos) << report;
  EXPECT_EQ(report.find("| binary |"), std::string::npos) << report;
}

TEST(PrintReport, HasBothTablesAndTheVerdicts) {
  Round x = Passing();
  x.create.example_error = "gRPC 8: too busy";
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  PrintReport(ThreeRounds(Passing(), x, Passing()), out);
  std::fclose(out);
  const std::string report(text, size);
  free(text);
  EXPECT_NE(report.find("| measurement | rep 1 | rep 2 | rep 3 | median | errors |"),
            std::string::npos);
  EXPECT_NE(report.find("| target | measured | verdict |"), std::string::npos);
  EXPECT_NE(report.find("| PASS |"), std::string::npos);
  EXPECT_NE(report.find("(b) CreateApplication (rep 2): gRPC 8: too busy"), std::string::npos);
}

TEST(PrintReport, CpuPerCallRowsForProcessesMeasuredInEveryRound) {
  Round a = Passing(), b = Passing();
  a.get_cohort.cpu_us_per_call = {{"enrollment", 40.0}, {"client", 30.0}};
  b.get_cohort.cpu_us_per_call = {{"enrollment", 50.0}};  // no client figure
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  PrintReport(ThreeRounds(a, b, a), out);
  std::fclose(out);
  const std::string report(text, size);
  free(text);
  EXPECT_NE(report.find("GetCohort fy2022, 16 conns CPU per call, enrollment (µs) | 40.0 | "
                        "50.0 | 40.0 | **40.0** |"),
            std::string::npos)
      << report;
  EXPECT_EQ(report.find("CPU per call, client"), std::string::npos);
}

}  // namespace
}  // namespace kaizen::bench
