#include "tools/bench/report.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace kaizen::bench {
namespace {

constexpr double kReadRatio = 0.5;           // GetCohort / Health
constexpr double kWriteRatio = 1.0;          // CreateApplication / raw commits
constexpr double kGatewayRatio = 0.8;        // gateway HTTP / direct, saturated
constexpr double kGatewayAddedP50Us = 300;   // one client
constexpr double kIdleRssBytes = 30e6;       // 30 MB
constexpr double kServingMs = 200;

using RoundFn = std::function<double(const Round&)>;

std::vector<double> PerRound(const Report& r, const RoundFn& f) {
  std::vector<double> v;
  for (const Round& round : r.rounds) v.push_back(f(round));
  return v;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

int64_t Errors(const Report& r, const std::function<const LoadResult&(const Round&)>& f) {
  int64_t n = 0;
  for (const Round& round : r.rounds) n += f(round).errors;
  return n;
}

std::string Fixed(double v, int digits) { return absl::StrFormat("%.*f", digits, v); }

std::string ErrorsNote(int64_t errors) {
  return errors == 0 ? "" : absl::StrCat(", ", errors, " errors");
}

double Mb(int64_t kib) { return kib * 1024.0 / 1e6; }

// `process`'s CPU per call in `load`, if it was measured.
std::optional<double> CpuOf(const LoadResult& load, const std::string& process) {
  for (const auto& [name, us] : load.cpu_us_per_call) {
    if (name == process) return us;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Verdict> Verdicts(const Report& r) {
  std::vector<Verdict> out;
  const std::string of = absl::StrCat(" (median of ", r.rounds.size(), ")");
  const Settings& s = r.settings;
  auto not_run = [&](std::string target) {
    out.push_back({std::move(target), absl::StrCat("not measured (--phases=", s.phases, ")"),
                   false, false});
  };
  auto ratio_verdict = [&](std::string target, char phase, const RoundFn& ratio, double bound,
                           int64_t errors) {
    if (!s.Ran(phase)) return not_run(std::move(target));
    const double m = Median(PerRound(r, ratio));
    out.push_back({std::move(target), absl::StrCat(Fixed(m, 2), "×", of, ErrorsNote(errors)),
                   !r.rounds.empty() && m >= bound && errors == 0});
  };
  ratio_verdict(
      absl::StrCat("GetCohort(fy2022) ≥ 0.5× Health/Check, ", r.settings.connections,
                   " connections"),
      'a', [](const Round& x) { return Ratio(x.get_cohort.rps(), x.health.rps()); }, kReadRatio,
      Errors(r, [](const Round& x) -> const LoadResult& { return x.health; }) +
          Errors(r, [](const Round& x) -> const LoadResult& { return x.get_cohort; }));
  ratio_verdict(
      absl::StrCat("CreateApplication, ", r.settings.writers,
                   " callers ≥ 1.0× raw SQLite durable commits"),
      'b', [](const Round& x) { return Ratio(x.create.rps(), x.raw_commits_per_s); }, kWriteRatio,
      Errors(r, [](const Round& x) -> const LoadResult& { return x.create; }));
  if (!s.Ran('c')) {
    not_run(absl::StrCat("0 errors with ", r.settings.burst,
                         " simultaneous applicants, seat rules exact"));
  } else {
    int errors = 0, violations = 0;
    for (const Round& x : r.rounds) {
      errors += x.burst.errors;
      violations += static_cast<int>(x.burst.violations.size());
    }
    out.push_back({absl::StrCat("0 errors with ", r.settings.burst,
                                " simultaneous applicants, seat rules exact"),
                   absl::StrCat(errors, " errors, ", violations, " rule violations in ",
                                r.rounds.size(), " bursts"),
                   !r.rounds.empty() && errors == 0 && violations == 0});
  }
  ratio_verdict(
      absl::StrCat("gateway HTTP/JSON ≥ 0.8× direct gRPC throughput, ", r.settings.connections,
                   " clients"),
      'd', [](const Round& x) { return Ratio(x.http_n.rps(), x.direct_n.rps()); }, kGatewayRatio,
      Errors(r, [](const Round& x) -> const LoadResult& { return x.http_n; }) +
          Errors(r, [](const Round& x) -> const LoadResult& { return x.direct_n; }));
  if (!s.Ran('d')) {
    not_run("gateway added p50 ≤ 0.3 ms, 1 client");
  } else {
    const double added =
        Median(PerRound(r, [](const Round& x) { return x.http_1.p50_us() - x.direct_1.p50_us(); }));
    out.push_back({"gateway added p50 ≤ 0.3 ms, 1 client",
                   absl::StrCat(Fixed(added / 1000, 3), " ms", of),
                   !r.rounds.empty() && added <= kGatewayAddedP50Us});
  }
  if (!s.Ran('e')) {
    not_run("health SERVING ≤ 200 ms after exec, idle RSS ≤ 30 MB");
    return out;
  }
  for (const ServiceStarts& st : r.starts) {
    std::vector<double> ms, rss;
    bool all_served = !st.runs.empty();
    for (const StartResult& run : st.runs) {
      all_served = all_served && run.serving_ms >= 0;
      ms.push_back(run.serving_ms);
      rss.push_back(Mb(run.idle_rss_kib));
    }
    const std::string starts = absl::StrCat(" (median of ", st.runs.size(), " starts)");
    const double ms_median = Median(ms), rss_median = Median(rss);
    out.push_back({absl::StrCat(st.service, ": health SERVING ≤ 200 ms after exec"),
                   all_served ? absl::StrCat(Fixed(ms_median, 0), " ms", starts) : "never served",
                   all_served && ms_median <= kServingMs});
    out.push_back({absl::StrCat(st.service, ": idle RSS ≤ 30 MB"),
                   absl::StrCat(Fixed(rss_median, 1), " MB", starts),
                   all_served && rss_median * 1e6 <= kIdleRssBytes});
  }
  return out;
}

void PrintReport(const Report& r, std::FILE* out) {
  const Settings& s = r.settings;
  if (!r.demo_data.empty()) {
    std::fprintf(out, "Demo data (load_demo_data):\n\n");
    for (const std::string& line : r.demo_data) std::fprintf(out, "    %s\n", line.c_str());
    std::fprintf(out, "\n");
  }
  std::fprintf(out,
               "Settings: phases %s; %d repetitions; throughput runs %g s each after %g s "
               "warm-up; %d callers for the saturated reads, %d for CreateApplication; burst of %d on "
               "capacity %d, max_waitlist %d; %d starts per binary, RSS after %g s idle.\n\n",
               s.phases.c_str(), s.repetitions, s.seconds, s.warmup_seconds, s.connections,
               s.writers, s.burst, s.burst_capacity, s.burst_waitlist, s.starts, s.idle_seconds);
  // Raw measurements: one row per quantity, one column per repetition.
  std::string header = "| measurement |";
  std::string rule = "|---|";
  for (size_t i = 0; i < r.rounds.size(); ++i) {
    absl::StrAppend(&header, " rep ", i + 1, " |");
    absl::StrAppend(&rule, "---:|");
  }
  // No table when no phase of the rounds ran (--phases=e).
  if (s.RanRounds()) {
    std::fprintf(out, "%s median | errors |\n%s---:|---:|\n", header.c_str(), rule.c_str());
  }
  auto row = [&](const std::string& name, const RoundFn& f, int digits, int64_t errors) {
    const std::vector<double> v = PerRound(r, f);
    std::string line = absl::StrCat("| ", name, " |");
    for (double x : v) absl::StrAppend(&line, " ", Fixed(x, digits), " |");
    absl::StrAppend(&line, " **", Fixed(Median(v), digits), "** | ", errors, " |");
    std::fprintf(out, "%s\n", line.c_str());
  };
  auto load_rows = [&](const std::string& name,
                       const std::function<const LoadResult&(const Round&)>& f, bool p50) {
    const int64_t errors = Errors(r, f);
    row(name + " (req/s)", [&](const Round& x) { return f(x).rps(); }, 0, errors);
    if (p50) row(name + " p50 (µs)", [&](const Round& x) { return f(x).p50_us(); }, 0, errors);
    // CPU per call of each process, when every round measured it.
    if (r.rounds.empty()) return;
    for (const auto& measured : f(r.rounds.front()).cpu_us_per_call) {
      const std::string& process = measured.first;
      const bool everywhere = std::all_of(r.rounds.begin(), r.rounds.end(), [&](const Round& x) {
        return CpuOf(f(x), process).has_value();
      });
      if (!everywhere) continue;
      row(absl::StrCat(name, " CPU per call, ", process, " (µs)"),
          [&](const Round& x) { return *CpuOf(f(x), process); }, 1, errors);
    }
  };
  const std::string n = absl::StrCat(s.connections);
  if (s.Ran('a')) {
    load_rows("(a) Health/Check, " + n + " conns",
              [](const Round& x) -> const LoadResult& { return x.health; }, false);
    load_rows("(a) GetCohort fy2022, " + n + " conns",
              [](const Round& x) -> const LoadResult& { return x.get_cohort; }, false);
  }
  if (s.Ran('b')) {
    row("(b) raw SQLite commits/s (WAL, FULL, 1 row)",
        [](const Round& x) { return x.raw_commits_per_s; }, 0, 0);
    load_rows(absl::StrCat("(b) CreateApplication, ", s.writers, " callers"),
              [](const Round& x) -> const LoadResult& { return x.create; }, true);
  }
  if (s.Ran('d')) {
    load_rows("(d) direct gRPC GetCohort, 1 client",
              [](const Round& x) -> const LoadResult& { return x.direct_1; }, true);
    load_rows("(d) gateway HTTP GET, 1 client",
              [](const Round& x) -> const LoadResult& { return x.http_1; }, true);
    load_rows("(d) direct gRPC GetCohort, " + n + " clients",
              [](const Round& x) -> const LoadResult& { return x.direct_n; }, false);
    load_rows("(d) gateway HTTP GET, " + n + " clients",
              [](const Round& x) -> const LoadResult& { return x.http_n; }, false);
  }
  if (s.Ran('c')) {
    int64_t burst_errors = 0;
    for (const Round& x : r.rounds) burst_errors += x.burst.errors;
    row(absl::StrCat("(c) burst ", s.burst, ": accepted"),
        [](const Round& x) { return x.burst.accepted; }, 0, burst_errors);
    row(absl::StrCat("(c) burst ", s.burst, ": waitlisted"),
        [](const Round& x) { return x.burst.waitlisted; }, 0, burst_errors);
    row(absl::StrCat("(c) burst ", s.burst, ": refused WAITLIST_FULL"),
        [](const Round& x) { return x.burst.refused_waitlist_full; }, 0, burst_errors);
    row(absl::StrCat("(c) burst ", s.burst, ": first call to last answer (ms)"),
        [](const Round& x) { return x.burst.wall_ms; }, 1, burst_errors);
  }

  if (s.Ran('e')) {
    std::fprintf(out, "\n| binary | exec → SERVING (ms), each start | median | idle VmRSS (MB), "
                      "each start | median |\n|---|---|---:|---|---:|\n");
    for (const ServiceStarts& st : r.starts) {
      std::vector<double> ms, mb;
      for (const StartResult& run : st.runs) {
        ms.push_back(run.serving_ms);
        mb.push_back(Mb(run.idle_rss_kib));
      }
      auto join = [](const std::vector<double>& v, int digits) {
        std::vector<std::string> parts;
        for (double x : v) parts.push_back(Fixed(x, digits));
        return absl::StrJoin(parts, ", ");
      };
      std::fprintf(out, "| %s | %s | **%s** | %s | **%s** |\n", st.service.c_str(),
                   join(ms, 0).c_str(), Fixed(Median(ms), 0).c_str(), join(mb, 1).c_str(),
                   Fixed(Median(mb), 1).c_str());
    }
  }

  std::fprintf(out, "\n| target | measured | verdict |\n|---|---|---|\n");
  for (const Verdict& v : Verdicts(r)) {
    std::fprintf(out, "| %s | %s | %s |\n", v.target.c_str(), v.measured.c_str(),
                 !v.run ? "not run" : v.pass ? "PASS" : "**FAIL**");
  }
  // What went wrong, one example per measurement that had errors.
  bool first = true;
  auto example = [&](const std::string& what, const std::string& e) {
    if (e.empty()) return;
    if (first) std::fprintf(out, "\nErrors (one example each):\n\n");
    first = false;
    std::fprintf(out, "- %s: %s\n", what.c_str(), e.c_str());
  };
  for (size_t i = 0; i < r.rounds.size(); ++i) {
    const Round& x = r.rounds[i];
    const std::string rep = absl::StrCat(" (rep ", i + 1, ")");
    example("(a) Health/Check" + rep, x.health.example_error);
    example("(a) GetCohort" + rep, x.get_cohort.example_error);
    example("(b) CreateApplication" + rep, x.create.example_error);
    example("(d) direct, 1 client" + rep, x.direct_1.example_error);
    example("(d) gateway, 1 client" + rep, x.http_1.example_error);
    example("(d) direct, saturated" + rep, x.direct_n.example_error);
    example("(d) gateway, saturated" + rep, x.http_n.example_error);
    example("(c) burst" + rep, x.burst.example_error);
    for (const std::string& v : x.burst.violations) example("(c) seat rule" + rep, v);
  }
}

}  // namespace kaizen::bench
