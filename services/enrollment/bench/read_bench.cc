// In-process cost of enrollment's hot calls, without gRPC: GetCohort of a
// cohort shaped like the FY2022 demo (tools/demo/loader.cc: capacity
// 10, 6 municipalities, four staff, twelve people in ten applications, one
// of them withdrawn so that an offer is open) and CreateApplication into a
// roomy cohort. File database in a fresh temporary directory (WAL,
// synchronous FULL: each CreateApplication is one durable commit).
//
//   bazel run -c opt //services/enrollment/bench:read_bench -- [reads] [writes] [threads]
//
// With `threads` > 0 it also runs 5 x `writes` creates from that many
// concurrent callers and prints their throughput and mean group-commit batch.
//
// Prints the median of 5 runs in µs per call. Not a test: numbers depend on
// the machine; compare before/after on the same one.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/storage/database.h"
#include "common/storage/storage_stats.h"
#include "common/util/clock.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace {

using namespace ::kaizen::enrollment::testing;  // NOLINT

[[noreturn]] void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(absl::StatusOr<T> v, const std::string& what) {
  if (!v.ok()) Die(what, v.status());
  return *std::move(v);
}

// Median over 5 runs of `calls` calls of `fn`, in µs per call.
double MedianMicros(int calls, const std::function<void(int)>& fn) {
  std::vector<double> runs;
  int n = 0;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) fn(n++);
    const std::chrono::duration<double, std::micro> took =
        std::chrono::steady_clock::now() - start;
    runs.push_back(took.count() / calls);
  }
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

std::string OpenCohort(Enrollment& e, v1::Cohort cohort, const std::string& id) {
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = std::move(cohort);
  create.set_cohort_id(id);
  v1::Cohort created = Must(e.CreateCohort(Secretariat(), create), "CreateCohort");
  v1::TransitionCohortRequest open;
  open.set_name(created.name());
  open.set_state(v1::Cohort::OPEN);
  Must(e.TransitionCohort(Secretariat(), open), "open");
  return created.name();
}

int Main(int argc, char** argv) {
  int reads = 2000, writes = 100, threads = 0;
  if (argc > 1 && !absl::SimpleAtoi(argv[1], &reads)) return 2;
  if (argc > 2 && !absl::SimpleAtoi(argv[2], &writes)) return 2;
  if (argc > 3 && !absl::SimpleAtoi(argv[3], &threads)) return 2;

  char tmpl[] = "/tmp/enrollment-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  const std::string dir = tmpl;
  int rc = 0;
  {
    storage::DatabaseOptions options;
    options.path = dir + "/enrollment.db";
    options.init = true;
    auto store = Must(EnrollmentStore::Open(options), "open");
    FakeClock clock(June1());
    Enrollment e(store.get(), &clock,
                 WithoutEmailConfirmation(EnrollmentConfig{
                     "page-token-key-0123456789", "access-key-0123456789",
                     "claim-key-0123456789"}));

    // The FY2022 demo cohort.
    const std::string fy2022 = OpenCohort(e, Fy2022Cohort(), "fy2022");
    const struct {
      const char* subject;
      v1::Participant::Role role;
      const char* town;
    } staff[] = {{"demo-navigator", v1::Participant::NAVIGATOR, "242047"},
                 {"demo-advisor", v1::Participant::ADVISOR, ""},
                 {"demo-observer", v1::Participant::OBSERVER, ""},
                 {"demo-secretariat", v1::Participant::SECRETARIAT, ""}};
    for (const auto& s : staff) {
      v1::CreateParticipantRequest r;
      r.set_parent(fy2022);
      r.mutable_participant()->set_subject(s.subject);
      r.mutable_participant()->set_display_name("架空 スタッフ");
      r.mutable_participant()->set_kana("かくう すたっふ");
      r.mutable_participant()->set_role(s.role);
      r.mutable_participant()->set_municipality_code(s.town);
      Must(e.CreateParticipant(Secretariat(), r), "staff");
    }
    // Teams in the demo's order: 3 from 011002, then singles; the first 10
    // seats go to 6 towns, the 7th town (472018) and the last one wait.
    const std::pair<const char*, int> teams[] = {
        {"011002", 3}, {"131016", 1}, {"242047", 1}, {"271004", 1}, {"401005", 1},
        {"012025", 1}, {"472018", 1}, {"131016", 1}, {"242047", 1}, {"271004", 1}};
    std::vector<v1::Application> apps;
    for (size_t i = 0; i < std::size(teams); ++i) {
      apps.push_back(Must(e.CreateApplication(User(absl::StrCat("demo-participant-", i + 1)),
                                              Apply(fy2022, static_cast<int>(i + 1),
                                                    teams[i].first, teams[i].second)),
                          "apply"));
    }
    // 401005 withdraws: its town and seat free up, 472018 is offered a seat.
    v1::WithdrawApplicationRequest w;
    w.set_name(apps[4].name());
    Must(e.WithdrawApplication(User("demo-participant-5"), w), "withdraw");

    v1::GetCohortRequest get;
    get.set_name(fy2022);
    const v1::Cohort shown = Must(e.GetCohort(User("reader"), get), "GetCohort");
    std::printf("FY2022 cohort: %d seats taken, %d municipalities\n", shown.seats_taken(),
                shown.municipalities_taken());

    const double get_us = MedianMicros(reads, [&](int) {
      Must(e.GetCohort(User("reader"), get), "GetCohort");
    });
    v1::ListCohortsRequest list;
    const double list_us = MedianMicros(reads / 4, [&](int) {
      Must(e.ListCohorts(User("reader"), list), "ListCohorts");
    });

    v1::Cohort roomy = Fy2022Cohort();
    roomy.set_capacity(1000);
    roomy.set_max_municipalities(12);
    roomy.set_max_waitlist(10000);
    const std::string big = OpenCohort(e, roomy, "roomy");
    const double create_us = MedianMicros(writes, [&](int n) {
      Must(e.CreateApplication(User(absl::StrCat("applicant-", n)),
                               Apply(big, 1000 + n, kTowns[n % 12])),
           "CreateApplication");
    });
    // The same creates from `threads` concurrent callers (group commit).
    double concurrent_per_s = 0;
    storage::StorageStatsSnapshot before = storage::GlobalStorageStats();
    if (threads > 0) {
      std::atomic<int> next{0};
      const int total = writes * 5;
      const auto start = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
          for (int n = next.fetch_add(1); n < total; n = next.fetch_add(1)) {
            Must(e.CreateApplication(User(absl::StrCat("parallel-", n)),
                                     Apply(big, 100000 + n, kTowns[n % 12])),
                 "CreateApplication (concurrent)");
          }
        });
      }
      for (std::thread& t : pool) t.join();
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      concurrent_per_s = total / took.count();
    }
    const storage::StorageStatsSnapshot after = storage::GlobalStorageStats();
    std::printf("GetCohort          %8.1f us/call (median of 5 x %d)\n", get_us, reads);
    std::printf("ListCohorts (2)    %8.1f us/call (median of 5 x %d)\n", list_us, reads / 4);
    std::printf("CreateApplication  %8.1f us/call (median of 5 x %d)\n", create_us, writes);
    if (threads > 0) {
      const int64_t requests = after.write_requests - before.write_requests;
      const int64_t batches = after.write_batches - before.write_batches;
      std::printf("CreateApplication  %8.1f /s with %d threads (%d calls; mean batch %.1f)\n",
                  concurrent_per_s, threads, writes * 5,
                  batches > 0 ? static_cast<double>(requests) / batches : 0.0);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return rc;
}

}  // namespace
}  // namespace kaizen::enrollment

int main(int argc, char** argv) { return kaizen::enrollment::Main(argc, argv); }
