// The bird's eye end to end in the domain: GetMunicipalityProfile over a
// pool of N submitted responses × 40 items in SQLite (read, parse, score,
// compare, shrink, disclose), for N = 10,000 and 20,000. Median of 15 calls
// each, after one warm-up. Results: docs/benchmarks.md.
//
//   bazel build -c opt //services/survey:bird_eye_domain_bench
//   cp bazel-bin/services/survey/bird_eye_domain_bench /tmp/ && /tmp/bird_eye_domain_bench
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <cstdlib>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/enrollment/fake_roster_source.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/util/clock.h"
#include "kaizen/survey/v1/survey.pb.h"
#include "services/survey/internal.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

namespace {

namespace v1 = ::kaizen::survey::v1;
using kaizen::survey::ResponseRecord;
using kaizen::survey::SurveyTx;

constexpr int kMunicipalities = 60;

std::string Municipality(int i) {
  // Valid-looking 6-digit codes; the check digit is computed below.
  static const char* const kCodes[] = {"011002", "131016", "242047", "271004", "401005",
                                       "012025", "472018", "141003", "231002", "261009",
                                       "221007", "131024"};
  return kCodes[i % 12];
}

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double MedianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Run(int respondents, double* cpu) {
  kaizen::storage::DatabaseOptions db_options;
  if (const char* path = std::getenv("BENCH_DB"); path != nullptr) {
    db_options.path = absl::StrCat(path, respondents);
    std::remove(db_options.path.c_str());
  }
  auto store = kaizen::survey::SurveyStore::Open(db_options);
  auto tokenizer = kaizen::survey::text::Tokenizer::Create();
  kaizen::enrollment_client::FakeRosterSource roster;
  kaizen::scheduling_client::FakeMeetingSource meetings;
  kaizen::FakeClock clock;
  clock.Set(absl::FromUnixSeconds(1700000000));
  kaizen::survey::Survey survey(store->get(), &roster, &meetings, tokenizer->get(), &clock,
                                kaizen::survey::SurveyConfig{"bench-page-key-0123456789", 5});
  if (!survey.EnsureBuiltins().ok()) return -1;
  v1::InstrumentVersion version;
  (void)(*store)->Read([&](SurveyTx& tx) -> absl::Status {
    auto v = tx.GetVersion("kaizen-pre", 1);
    if (v.ok()) version = v->version;
    return absl::OkStatus();
  });
  std::mt19937 rng(42);
  absl::Status seeded = (*store)->Write([&](SurveyTx& tx) -> absl::Status {
    for (int c = 0; c < 10; ++c) {
      kaizen::survey::WaveRecord w;
      w.cohort_id = absl::StrCat("bench", c);
      w.id = "pre";
      w.wave.set_name(absl::StrCat("cohorts/bench", c, "/waves/pre"));
      w.wave.set_kind(v1::Wave::PRE);
      w.wave.set_instrument_version("instruments/kaizen-pre/versions/v1");
      if (auto s = tx.InsertWave(&w); !s.ok()) return s;
    }
    for (int i = 0; i < respondents; ++i) {
      ResponseRecord r;
      r.cohort_id = absl::StrCat("bench", i % 10);
      r.wave_id = "pre";
      r.id = absl::StrCat("r", i);
      r.participant = absl::StrCat("cohorts/", r.cohort_id, "/participants/p", i);
      r.wave_kind = v1::Wave::PRE;
      r.instrument_id = "kaizen-pre";
      r.response.set_name(absl::StrCat("cohorts/", r.cohort_id, "/waves/pre/responses/r", i));
      r.response.set_participant(r.participant);
      r.response.set_municipality_code(Municipality(i % kMunicipalities));
      r.response.set_submitted(true);
      const int bias = (i % kMunicipalities) % 3;
      for (const v1::Item& item : version.items()) {
        if (item.type() != v1::Item::LIKERT) continue;
        v1::Answer* a = r.response.add_answers();
        a->set_item_id(item.id());
        a->set_likert(1 + static_cast<int>((rng() % 4) + bias) % 5);
      }
      if (auto s = tx.InsertResponse(&r); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  if (!seeded.ok()) {
    std::fprintf(stderr, "seed: %s\n", std::string(seeded.message()).c_str());
    return -1;
  }
  v1::GetMunicipalityProfileRequest req;
  req.set_municipality_code("242047");
  req.set_wave_kind(v1::Wave::PRE);
  kaizen::type::Principal caller;
  caller.set_subject("bench-secretariat");
  caller.add_roles(kaizen::type::ROLE_SECRETARIAT);
  if (std::getenv("BENCH_PHASES") != nullptr) {
    kaizen::survey::PoolFilter f;
    f.instrument_id = "kaizen-pre";
    f.wave_kind = v1::Wave::PRE;
    const auto ids = kaizen::survey::internal::LikertItemIds(version);
    const int loops = std::getenv("BENCH_LOOPS") ? std::atoi(std::getenv("BENCH_LOOPS")) : 3;
    for (int i = 0; i < loops; ++i) {
      double t0 = ThreadCpuMs();
      std::vector<kaizen::survey::PoolRow> rows;
      (void)(*store)->Read([&](SurveyTx& tx) -> absl::Status {
        auto r = tx.ListPoolLikert(f, ids);
        if (r.ok()) rows = std::move(*r);
        return absl::OkStatus();
      });
      double t1 = ThreadCpuMs();
      auto scored = kaizen::survey::internal::ScoreRows(version, rows);
      double t2 = ThreadCpuMs();
      std::fprintf(stderr, "phases: read %.1f ms, score %.1f ms\n", t1 - t0, t2 - t1);
    }
  }
  std::vector<double> ms;
  std::vector<double> cpu_ms;
  for (int run = 0; run < 16; ++run) {
    const absl::Time start = absl::Now();
    const double cpu_start = ThreadCpuMs();
    auto profile = survey.GetMunicipalityProfile(caller, req);
    const double elapsed = absl::ToDoubleMilliseconds(absl::Now() - start);
    if (run > 0) cpu_ms.push_back(ThreadCpuMs() - cpu_start);
    if (!profile.ok()) {
      std::fprintf(stderr, "profile: %s\n", std::string(profile.status().message()).c_str());
      return -1;
    }
    if (run > 0) ms.push_back(elapsed);
  }
  *cpu = MedianMs(cpu_ms);
  return MedianMs(ms);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {  // profiling: one size, many calls
    double cpu = 0;
    for (int i = 0; i < 4; ++i) Run(std::atoi(argv[1]), &cpu);
    std::printf("%.1f ms thread CPU\n", cpu);
    return 0;
  }
  double small_cpu = 0, large_cpu = 0;
  const double small = Run(10000, &small_cpu);
  const double large = Run(20000, &large_cpu);
  std::printf("GetMunicipalityProfile, 40 items (35 Likert), pool in SQLite :memory:\n");
  std::printf("  10,000 respondents: median %.1f ms wall, %.1f ms thread CPU (budget 100 ms)\n",
              small, small_cpu);
  std::printf("  20,000 respondents: median %.1f ms wall, %.1f ms thread CPU\n", large,
              large_cpu);
  std::printf("  ratio: %.2f wall, %.2f CPU (target <= 2.2)\n", large / small,
              large_cpu / small_cpu);
  return small > 0 && large > 0 ? 0 : 1;
}
