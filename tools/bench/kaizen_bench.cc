// The issue-18 benchmark in one run (tools/bench/run.sh builds the -c opt
// binaries and calls this; docs/benchmarks.md explains every line).
//
// Starts enrollment, scheduling, plans, survey and the gateway from
// --bin_dir on free ports (databases, logs and port files in a fresh
// /tmp/kaizen-bench-* directory), loads the FY2022 demo data with
// load_demo_data, then measures:
//   (e) each binary's time from exec to Health/Check SERVING and its idle RSS
//       (fresh database; median of --starts starts);
//   and in each of --repetitions rounds:
//   (a) Health/Check vs GetCohort(fy2022) on enrollment, --connections
//       callers with one connection each (asynchronous closed loop);
//   (b) the raw SQLite single-row durable commit rate in the same directory
//       vs CreateApplication with --writers concurrent callers;
//   (d) GetCohort directly over gRPC vs GET /v1/cohorts/fy2022 through the
//       gateway, 1 and --connections blocking clients;
//   (c) --burst applicants fired at once at one fresh cohort, then the seat
//       rules checked against GetCohort and ListApplications.
// Prints Markdown: the raw measurements (each repetition and the median) and
// the targets with PASS/FAIL. Exit status 0 when the run completed (whatever
// the verdicts), 1 when it could not measure.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tools/bench/raw_commit.h"
#include "tools/bench/report.h"
#include "tools/bench/scenarios.h"

ABSL_FLAG(std::string, bin_dir, "", "directory with the -c opt server binaries and load_demo_data");
ABSL_FLAG(double, seconds, 5, "measured seconds per throughput measurement");
ABSL_FLAG(double, warmup_seconds, 1, "warm-up seconds before each throughput measurement");
ABSL_FLAG(int, repetitions, 3, "rounds of (a) to (d); the report gives medians");
ABSL_FLAG(int, connections, 16, "callers (one connection each) for the saturated reads");
ABSL_FLAG(int, writers, 64, "concurrent CreateApplication callers");
ABSL_FLAG(int, burst, 256, "simultaneous applicants on one cohort");
ABSL_FLAG(int, burst_capacity, 10, "seats of the burst cohort");
ABSL_FLAG(int, burst_waitlist, 20, "max_waitlist of the burst cohort");
ABSL_FLAG(int, starts, 3, "starts per binary for the start time and idle RSS");
ABSL_FLAG(double, idle_seconds, 2, "idle time before reading a fresh server's RSS");
ABSL_FLAG(std::string, work_dir, "",
          "empty directory for databases, logs and port files (default: a new /tmp/kaizen-bench-*)");
ABSL_FLAG(std::string, phases, "abcde",
          "the measurements to run, letters of abcde: (a) read vs empty RPC, (b) writes vs "
          "SQLite, (c) simultaneous applicants, (d) gateway, (e) start and idle memory; the "
          "targets of the others are reported as not measured (for A/B runs of one phase)");
ABSL_FLAG(std::string, cohort_id, "fy2022", "the demo cohort read by (a) and (d)");

namespace kaizen::bench {
namespace {

// Runs load_demo_data against the stack and returns what it printed (its
// summary lines); exits when it fails.
std::vector<std::string> LoadDemoData(const Stack& stack, const std::string& cohort_id) {
  auto address = [](int port) { return absl::StrCat("127.0.0.1:", port); };
  const std::string log = stack.dir + "/load_demo_data.log";
  const std::string command = absl::StrCat(
      stack.bin_dir, "/load_demo_data --enrollment=", address(stack.enrollment_port),
      " --scheduling=", address(stack.scheduling_port), " --plans=", address(stack.plans_port),
      " --survey=", address(stack.survey_port), " --internal_secret_file=", stack.dir,
      "/internal-secret --cohort_id=", cohort_id, " 2>", log);
  std::vector<std::string> lines;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    std::perror("bench: popen load_demo_data");
    std::exit(1);
  }
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) {
    lines.emplace_back(absl::StripTrailingAsciiWhitespace(buf));
  }
  if (const int status = pclose(pipe); status != 0) {
    std::fprintf(stderr, "bench: load_demo_data failed (status %d); see %s\n", status,
                 log.c_str());
    std::exit(1);
  }
  return lines;
}

int Run() {
  const std::string phases = absl::GetFlag(FLAGS_phases);
  if (phases.empty() || phases.find_first_not_of("abcde") != std::string::npos) {
    std::fprintf(stderr, "kaizen_bench: --phases takes letters of abcde, not '%s'\n",
                 phases.c_str());
    return 2;
  }

  Stack stack;
  stack.bin_dir = absl::GetFlag(FLAGS_bin_dir);
  stack.dir = absl::GetFlag(FLAGS_work_dir);
  if (stack.dir.empty()) stack.dir = TempDir();
  std::fprintf(stderr, "bench: working directory %s\n", stack.dir.c_str());
  const double warmup = absl::GetFlag(FLAGS_warmup_seconds);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int reps = absl::GetFlag(FLAGS_repetitions);
  const int conns = absl::GetFlag(FLAGS_connections);
  const int writers = absl::GetFlag(FLAGS_writers);
  const std::string cohort = "cohorts/" + absl::GetFlag(FLAGS_cohort_id);

  StartStack(stack);
  Report report;
  report.demo_data = LoadDemoData(stack, absl::GetFlag(FLAGS_cohort_id));
  std::fprintf(stderr, "bench: stack up, demo data loaded\n");

  report.settings = {reps, seconds, warmup, conns, writers, absl::GetFlag(FLAGS_burst),
                     absl::GetFlag(FLAGS_burst_capacity), absl::GetFlag(FLAGS_burst_waitlist),
                     absl::GetFlag(FLAGS_starts), absl::GetFlag(FLAGS_idle_seconds),
                     phases};
  if (report.settings.Ran('e')) {
    for (const char* service : {"enrollment", "scheduling", "plans", "survey", "gateway"}) {
      ServiceStarts& s = report.starts.emplace_back();
      s.service = service;
      for (int i = 0; i < absl::GetFlag(FLAGS_starts); ++i) {
        std::fprintf(stderr, "bench: (e) start %d of %s\n", i + 1, service);
        s.runs.push_back(MeasureStart(stack, service, i, absl::GetFlag(FLAGS_idle_seconds)));
      }
    }
  }
  // The rounds: (a) to (d); none with --phases=e.
  const int rounds = report.settings.RanRounds() ? reps : 0;
  for (int rep = 0; rep < rounds; ++rep) {
    std::fprintf(stderr, "bench: repetition %d of %d\n", rep + 1, reps);
    Round& round = report.rounds.emplace_back();
    // CPU per call of each process involved: which side costs what.
    const pid_t self = getpid(), enrollment = stack.enrollment->pid(),
                gateway = stack.gateway->pid();
    const std::vector<std::pair<std::string, pid_t>> direct = {{"enrollment", enrollment},
                                                                {"client", self}};
    const std::vector<std::pair<std::string, pid_t>> through = {
        {"gateway", gateway}, {"enrollment", enrollment}, {"client", self}};
    const Settings& run = report.settings;
    if (run.Ran('a')) {
      std::fprintf(stderr, "bench: (a) Health/Check and GetCohort\n");
      round.health = WithCpuPerCall(direct, warmup, [&] {
        return MeasureHealth(stack, conns, warmup, seconds);
      });
      round.get_cohort = WithCpuPerCall(direct, warmup, [&] {
        return MeasureGetCohort(stack, cohort, conns, warmup, seconds);
      });
    }
    if (run.Ran('b')) {
      auto raw = MeasureRawCommits(absl::StrCat(stack.dir, "/raw-commit-", rep, ".db"), warmup,
                                   seconds);
      if (!raw.ok()) {
        std::fprintf(stderr, "bench: %s\n", std::string(raw.status().message()).c_str());
        return 1;
      }
      round.raw_commits_per_s = raw->per_second();
      std::fprintf(stderr, "bench: (b) CreateApplication, %d callers\n", writers);
      round.create = WithCpuPerCall(direct, warmup, [&] {
        return MeasureCreateApplication(stack, absl::StrCat("r", rep), writers, warmup, seconds);
      });
    }
    if (run.Ran('d')) {
      std::fprintf(stderr, "bench: (d) direct gRPC and gateway HTTP\n");
      round.direct_1 = MeasureDirectBlocking(stack, cohort, 1, warmup, seconds);
      round.http_1 = MeasureGatewayHttp(stack, cohort, 1, warmup, seconds);
      round.direct_n = WithCpuPerCall(direct, warmup, [&] {
        return MeasureDirectBlocking(stack, cohort, conns, warmup, seconds);
      });
      round.http_n = WithCpuPerCall(through, warmup, [&] {
        return MeasureGatewayHttp(stack, cohort, conns, warmup, seconds);
      });
    }
    if (run.Ran('c')) {
      std::fprintf(stderr, "bench: (c) burst of %d\n", absl::GetFlag(FLAGS_burst));
      round.burst = MeasureBurst(stack, absl::StrCat("r", rep), absl::GetFlag(FLAGS_burst),
                                 absl::GetFlag(FLAGS_burst_capacity),
                                 absl::GetFlag(FLAGS_burst_waitlist));
    }
  }
  for (auto* child : {&stack.gateway, &stack.survey, &stack.plans, &stack.scheduling,
                      &stack.enrollment}) {
    (*child)->Terminate();
  }
  PrintReport(report, stdout);
  return 0;
}

}  // namespace
}  // namespace kaizen::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // As in the servers (common/server/server.cc): Debian's Abseil checks
  // every lock for deadlock cycles, 2-3 % of this client's CPU per create,
  // taken from the cores the servers share with it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (absl::GetFlag(FLAGS_bin_dir).empty()) {
    std::fprintf(stderr, "kaizen_bench: --bin_dir is required (tools/bench/run.sh sets it)\n");
    return 2;
  }
  return kaizen::bench::Run();
}
