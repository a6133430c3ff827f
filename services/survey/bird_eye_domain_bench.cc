// The bird's eye end to end in the domain: GetMunicipalityProfile over a
// pool of N submitted responses × 40 items in SQLite (read, score, compare,
// shrink, disclose), for N = 10,000 and 20,000. Both pools are built first,
// then the calls alternate between them (so load on a shared machine falls
// on both alike); the median of 15 calls each after one warm-up, wall and
// thread CPU. Results: docs/benchmarks.md.
//
//   bazel build -c opt //services/survey:bird_eye_domain_bench
//   cp bazel-bin/services/survey/bird_eye_domain_bench /tmp/ && /tmp/bird_eye_domain_bench
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/enrollment/fake_roster_source.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/util/clock.h"
#include "kaizen/survey/v1/survey.pb.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

namespace {

namespace v1 = ::kaizen::survey::v1;
using kaizen::survey::ResponseRecord;
using kaizen::survey::SurveyTx;

constexpr int kMunicipalities = 60;

std::string Municipality(int i) {
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

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Fixture {
  std::unique_ptr<kaizen::survey::SurveyStore> store;
  std::unique_ptr<kaizen::survey::text::Tokenizer> tokenizer;
  kaizen::enrollment_client::FakeRosterSource roster;
  kaizen::scheduling_client::FakeMeetingSource meetings;
  kaizen::FakeClock clock;
  std::unique_ptr<kaizen::survey::Survey> survey;
};

// A pool of `respondents` (10 cohorts, 12 municipalities), or nullptr.
std::unique_ptr<Fixture> Setup(int respondents) {
  auto f = std::make_unique<Fixture>();
  auto store = kaizen::survey::SurveyStore::Open(kaizen::storage::DatabaseOptions());
  auto tokenizer = kaizen::survey::text::Tokenizer::Create();
  if (!store.ok() || !tokenizer.ok()) return nullptr;
  f->store = std::move(*store);
  f->tokenizer = std::move(*tokenizer);
  f->clock.Set(absl::FromUnixSeconds(1700000000));
  f->survey = std::make_unique<kaizen::survey::Survey>(
      f->store.get(), &f->roster, &f->meetings, f->tokenizer.get(), &f->clock,
      kaizen::survey::SurveyConfig{"bench-page-key-0123456789", 5});
  if (!f->survey->EnsureBuiltins().ok()) return nullptr;
  v1::InstrumentVersion version;
  (void)f->store->Read([&](SurveyTx& tx) -> absl::Status {
    auto v = tx.GetVersion("kaizen-pre", 1);
    if (v.ok()) version = v->version;
    return absl::OkStatus();
  });
  std::mt19937 rng(42);
  absl::Status seeded = f->store->Write([&](SurveyTx& tx) -> absl::Status {
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
  if (!seeded.ok()) return nullptr;
  return f;
}

}  // namespace

int main() {
  auto small = Setup(10000);
  auto large = Setup(20000);
  if (small == nullptr || large == nullptr) {
    std::fprintf(stderr, "bench: could not build the pools\n");
    return 1;
  }
  v1::GetMunicipalityProfileRequest req;
  req.set_municipality_code("242047");
  req.set_wave_kind(v1::Wave::PRE);
  kaizen::type::Principal caller;
  caller.set_subject("bench-secretariat");
  caller.add_roles(kaizen::type::ROLE_SECRETARIAT);
  std::vector<double> wall[2], cpu[2];
  for (int run = 0; run < 16; ++run) {
    int which = 0;
    for (Fixture* f : {small.get(), large.get()}) {
      const absl::Time start = absl::Now();
      const double cpu_start = ThreadCpuMs();
      auto profile = f->survey->GetMunicipalityProfile(caller, req);
      const double c = ThreadCpuMs() - cpu_start;
      const double w = absl::ToDoubleMilliseconds(absl::Now() - start);
      if (!profile.ok()) {
        std::fprintf(stderr, "profile: %s\n", std::string(profile.status().message()).c_str());
        return 1;
      }
      if (run > 0) {
        wall[which].push_back(w);
        cpu[which].push_back(c);
      }
      ++which;
    }
  }
  std::printf("GetMunicipalityProfile, 40 items (35 Likert), pool in SQLite :memory:\n");
  std::printf("  10,000 respondents: median %.1f ms wall, %.1f ms thread CPU (budget 100 ms)\n",
              Median(wall[0]), Median(cpu[0]));
  std::printf("  20,000 respondents: median %.1f ms wall, %.1f ms thread CPU\n", Median(wall[1]),
              Median(cpu[1]));
  std::printf("  ratio: %.2f wall, %.2f CPU (target <= 2.2)\n", Median(wall[1]) / Median(wall[0]),
              Median(cpu[1]) / Median(cpu[0]));
  return 0;
}
