// The measurements of issue 18 (docs/benchmarks.md, "Performance"), each a
// function over a running stack of real server processes. kaizen_bench.cc
// starts the stack, runs these in repetitions and prints the report.
#ifndef KAIZEN_TOOLS_BENCH_SCENARIOS_H_
#define KAIZEN_TOOLS_BENCH_SCENARIOS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/auth/principal.h"
#include "common/server/process_metrics.h"
#include "common/testing/child_process.h"
#include "tools/bench/bench_kit.h"

namespace kaizen::bench {

inline constexpr char kInternalSecret[] = "bench-internal-secret-0123456789abcdef";
inline constexpr char kJwtSecret[] = "bench-jwt-secret-0123456789abcdef-0123456789";

// The five server processes, started from the -c opt binaries in `bin_dir`
// with their databases in `dir`, each on a free port (port files).
struct Stack {
  std::string bin_dir;
  std::string dir;
  std::unique_ptr<testkit::ChildProcess> enrollment, scheduling, plans, survey, gateway;
  int enrollment_port = 0, scheduling_port = 0, plans_port = 0, survey_port = 0;
  int http_port = 0, grpc_port = 0;  // the gateway's
  // A secretariat's token for the gateway (from the gateway's mint_token).
  std::string secretariat_jwt;
};

// The flags a service binary gets here (names as in tools/run.sh): listen on
// port 0, the database `db`, the port file, access log off, and the
// addresses of the services it calls.
std::vector<std::string> ServiceArgs(const Stack& stack, const std::string& service,
                                     const std::string& db, const std::string& port_file);
std::vector<std::string> GatewayArgs(const Stack& stack, const std::string& http_port_file,
                                     const std::string& grpc_port_file);
// The environment every server gets (the internal secret).
testkit::ChildProcess::Env ServerEnv();

// Starts all five (enrollment, scheduling, plans, survey, gateway), waits
// for their ports and mints `secretariat_jwt` with `bin_dir`/mint_token;
// exits the benchmark if one does not start.
void StartStack(Stack& stack);

// A signed principal for `method` ("/kaizen.enrollment.v1.EnrollmentService/
// GetCohort") as the gateway would attach it, added to `ctx`.
void AddPrincipal(grpc::ClientContext* ctx, const kaizen::type::Principal& principal,
                  const std::string& method);
kaizen::type::Principal Secretariat();

// (a) Health/Check and GetCohort of `cohort` on the enrollment server, the
// same asynchronous closed loop with `connections` callers, one connection
// each.
LoadResult MeasureHealth(const Stack& stack, int connections, double warmup, double seconds);
LoadResult MeasureGetCohort(const Stack& stack, const std::string& cohort, int connections,
                            double warmup, double seconds);

// (b) CreateApplication with `callers` concurrent callers, each call a new
// signed-in applicant (distinct subject and address), spread over fresh
// OPEN cohorts (tag names them) so no call can be refused by the rules.
// Right answers: OK with the application ACCEPTED or WAITLISTED.
LoadResult MeasureCreateApplication(const Stack& stack, const std::string& tag, int callers,
                                    double warmup, double seconds);

// (c) `applicants` signed-in applicants fired at once at one fresh cohort
// with `capacity` seats and `max_waitlist`, then the seat rules checked.
struct BurstResult {
  int applicants = 0;
  int accepted = 0, waitlisted = 0, refused_waitlist_full = 0;
  int errors = 0;                   // any other answer
  std::string example_error;
  double wall_ms = 0;               // first start to last answer
  std::vector<std::string> violations;  // seat rules broken (empty: exact)
};
BurstResult MeasureBurst(const Stack& stack, const std::string& tag, int applicants, int capacity,
                         int max_waitlist);

// (d) GetCohort through the gateway's HTTP/JSON API and directly over gRPC,
// blocking clients (one thread each; the same generator for both).
LoadResult MeasureDirectBlocking(const Stack& stack, const std::string& cohort, int clients,
                                 double warmup, double seconds);
LoadResult MeasureGatewayHttp(const Stack& stack, const std::string& cohort, int clients,
                              double warmup, double seconds);

// Runs `measure` (one of the Measure* functions above, with this `warmup`)
// and fills its cpu_us_per_call for `processes` (name, pid).
template <typename MeasureFn>
LoadResult WithCpuPerCall(const std::vector<std::pair<std::string, pid_t>>& processes,
                          double warmup, MeasureFn measure) {
  std::vector<std::optional<double>> before;  // CPU seconds (common/server)
  for (const auto& p : processes) before.push_back(server::ProcessCpuSeconds(p.second));
  LoadResult r = measure();
  // The measured window's real length (r.seconds), warm-up at the same rate.
  const double calls = r.seconds > 0 ? r.ok * (warmup + r.seconds) / r.seconds : 0;
  for (size_t i = 0; i < processes.size(); ++i) {
    const std::optional<double> after = server::ProcessCpuSeconds(processes[i].second);
    if (calls <= 0 || !before[i] || !after) continue;
    r.cpu_us_per_call.emplace_back(processes[i].first, (*after - *before[i]) * 1e6 / calls);
  }
  return r;
}

// (e) One start of `service` ("enrollment", ..., "gateway") on a fresh
// database: ms from exec to the first Health/Check answering SERVING, and
// VmRSS (KiB) after `idle_seconds` idle. ms < 0 when it never served.
struct StartResult {
  double serving_ms = -1;
  int64_t idle_rss_kib = 0;
};
StartResult MeasureStart(const Stack& stack, const std::string& service, int attempt,
                         double idle_seconds);

}  // namespace kaizen::bench

#endif  // KAIZEN_TOOLS_BENCH_SCENARIOS_H_
