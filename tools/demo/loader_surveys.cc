// The Loader's surveys step: the demo cohort's waves and the reference
// cohorts with theirs, answered with the demo survey content
// (demo_surveys.h).
#include <cstdio>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/util/proto_time.h"
#include "tools/demo/loader.h"

namespace kaizen::demo {

// The cohort's participants with an account: they answer for themselves.
bool Loader::Respondents(const std::string& cohort, std::vector<Respondent>* out) {
  std::vector<ev1::Participant> all;
  if (!Participants(cohort, &all)) return false;
  for (const ev1::Participant& p : all) {
    if (p.role() != ev1::Participant::PARTICIPANT || p.state() != ev1::Participant::ACTIVE ||
        p.subject().empty()) {
      continue;
    }
    out->push_back(Respondent{p.subject(), p.display_name(), p.municipality_code()});
  }
  return true;
}

// A fictional reference cohort of a later year: created, ten people (one
// application each, so each has an account) admitted, then finished.
// Nothing if it exists.
bool Loader::EnsurePoolCohort(const PoolCohort& d, int cohort_index, SurveyCounts* n) {
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  const std::string name = absl::StrCat("cohorts/", d.id);
  ev1::GetCohortRequest get;
  get.set_name(name);
  ev1::Cohort cohort;
  const grpc::Status found = enrollment_->GetCohort(As(secretariat).get(), get, &cohort);
  if (found.ok()) return true;
  if (found.error_code() != grpc::StatusCode::NOT_FOUND) return Check(found, "GetCohort");

  ev1::CreateCohortRequest create;
  create.set_cohort_id(d.id);
  create.set_request_id(d.id);
  ev1::Cohort* c = create.mutable_cohort();
  c->set_title(absl::StrCat(d.fiscal_year, "年度 次世代改善リーダー事例研究会（参照用デモ）"));
  c->set_fiscal_year(d.fiscal_year);
  c->set_capacity(10);
  c->set_max_municipalities(6);
  *c->mutable_application_open_time() = kaizen::ToProtoTimestamp(absl::Now() - absl::Hours(1));
  *c->mutable_application_close_time() = kaizen::ToProtoTimestamp(absl::Now() + absl::Hours(1));
  if (!Check(enrollment_->CreateCohort(As(secretariat).get(), create, &cohort), "CreateCohort")) {
    return false;
  }
  auto transition = [&](ev1::Cohort::State state) {
    ev1::TransitionCohortRequest t;
    t.set_name(cohort.name());
    t.set_state(state);
    return Check(enrollment_->TransitionCohort(As(secretariat).get(), t, &cohort),
                 absl::StrCat("TransitionCohort ", ev1::Cohort::State_Name(state)));
  };
  if (!transition(ev1::Cohort::OPEN)) return false;
  for (size_t i = 0; i < d.towns.size(); ++i) {
    const auto& surname = kPoolSurnames[(cohort_index * 10 + i) % std::size(kPoolSurnames)];
    const auto& given = kPoolGivenNames[(i * 3 + cohort_index) % std::size(kPoolGivenNames)];
    ev1::CreateApplicationRequest r;
    r.set_parent(cohort.name());
    r.set_request_id(absl::StrCat(d.id, "-application-", i + 1));
    ev1::Applicant* a = r.mutable_application()->add_members();
    a->set_display_name(absl::StrCat(surname.first, " ", given.first));
    a->set_kana(absl::StrCat(surname.second, " ", given.second));
    a->set_email(absl::StrCat(d.id, "-", i + 1, "@example.jp"));
    a->set_municipality_code(d.towns[i]);
    a->set_department("企画部 行政改革課");
    a->mutable_birth_date()->set_year(d.fiscal_year - 24 - static_cast<int>(i % 9));
    a->mutable_birth_date()->set_month(1 + static_cast<int>(i % 12));
    a->mutable_birth_date()->set_day(10);
    a->set_motivation("職場の改善を仲間と進めたい。");
    a->mutable_consent()->set_share_attendance(true);
    ev1::Application app;
    const Principal applicant =
        Subject(absl::StrCat(d.id, "-p", i + 1), kaizen::type::ROLE_PARTICIPANT);
    if (!Check(enrollment_->CreateApplication(As(applicant).get(), r, &app), "apply")) {
      return false;
    }
    if (app.state() != ev1::Application::ACCEPTED) {
      std::fprintf(stderr, "load_demo_data: an application to %s was not accepted\n", d.id);
      return false;
    }
  }
  if (!transition(ev1::Cohort::RUNNING) || !transition(ev1::Cohort::FINISHED)) return false;
  ++n->pool_cohorts;
  return true;
}

// One wave of `cohort` on the built-in pre-survey, answered by every
// respondent. The window is synthetic: open from an hour ago for a year,
// because answers are accepted only inside it and the demo meetings lie in
// the past. With `close_after`, the wave is closed once answered (the
// reference cohorts are over). A wave that exists is left as it is.
bool Loader::LoadWave(const std::string& cohort, int fiscal_year, svv1::Wave::Kind kind,
                      const svv1::InstrumentVersion& version,
                      const std::vector<Respondent>& people, bool close_after,
                      SurveyCounts* n) {
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  const absl::Time now = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));  // whole
  svv1::CreateWaveRequest create;
  create.set_parent(cohort);
  create.mutable_wave()->set_kind(kind);
  create.mutable_wave()->set_instrument_version(version.name());
  *create.mutable_wave()->mutable_open_time() = kaizen::ToProtoTimestamp(now - absl::Hours(1));
  *create.mutable_wave()->mutable_close_time() =
      kaizen::ToProtoTimestamp(now + absl::Hours(24 * 365));
  svv1::Wave wave;
  const grpc::Status created = survey_->CreateWave(As(secretariat).get(), create, &wave);
  if (created.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    ++n->skipped;
    return true;
  }
  if (!Check(created, absl::StrCat("CreateWave ", svv1::Wave::Kind_Name(kind)))) return false;
  ++n->waves;

  const int wave_index = kind == svv1::Wave::PRE ? 0 : kind == svv1::Wave::FOLLOW_UP_6 ? 1 : 2;
  for (const Respondent& p : people) {
    const std::string seed = absl::StrCat(cohort, "/", p.display_name);
    DemoRandom pick(Seed({seed, svv1::Wave::Kind_Name(kind), "text"}));
    std::string text;
    bool share = pick.Below(2) == 0;
    const DemoVoice* voice = nullptr;
    for (const DemoVoice& v : FY2022Voices()) {
      if (p.display_name == v.display_name) voice = &v;
    }
    const DemoMunicipality* town = FindDemoMunicipality(p.municipality);
    if (voice != nullptr) {
      text = voice->texts[wave_index];
      share = voice->share_text;
    } else if (kind == svv1::Wave::PRE && town != nullptr) {
      text = town->walls_now[pick.Below(static_cast<int>(town->walls_now.size()))];
    } else {
      text = FollowUpTexts()[pick.Below(static_cast<int>(FollowUpTexts().size()))];
    }
    std::vector<svv1::Answer> answers =
        DemoAnswers(version, seed, p.municipality, fiscal_year, kind, text, share);
    // One FY2022 participant has only begun the 12-month follow-up.
    const bool partial = voice != nullptr && kind == svv1::Wave::FOLLOW_UP_12 &&
                         p.display_name == kPartialRespondent;
    svv1::SaveResponseRequest save;
    save.set_parent(wave.name());
    for (size_t i = 0; i < answers.size(); ++i) {
      if (partial && i >= 12 && answers[i].item_id() != "free-wall-now") continue;
      *save.add_answers() = answers[i];
    }
    save.set_submit(!partial);
    save.set_request_id("demo-survey");
    svv1::Response response;
    if (!Check(survey_->SaveResponse(
                   As(Subject(p.subject, kaizen::type::ROLE_PARTICIPANT)).get(), save, &response),
               absl::StrCat("SaveResponse ", wave.name()))) {
      return false;
    }
    ++(partial ? n->partial : n->submitted);
    n->respondents.insert(seed);
  }

  if (close_after) {
    svv1::GetWaveRequest get;
    get.set_name(wave.name());
    if (!Check(survey_->GetWave(As(secretariat).get(), get, &wave), "GetWave")) return false;
    svv1::UpdateWaveRequest update;
    *update.mutable_wave() = wave;
    *update.mutable_wave()->mutable_close_time() =
        kaizen::ToProtoTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
    if (!Check(survey_->UpdateWave(As(secretariat).get(), update, &wave), "UpdateWave")) {
      return false;
    }
    ++n->closed;
  }
  return true;
}

// The pre-survey and both follow-ups of the demo cohort, then the
// reference cohorts and their waves (the pool every lens compares
// against). Waves that exist are skipped.
int Loader::LoadSurveys() {
  const absl::Time start = absl::Now();
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  svv1::GetInstrumentVersionRequest get;
  get.set_name(std::string(kDemoInstrumentVersion));
  svv1::InstrumentVersion version;
  if (!Check(survey_->GetInstrumentVersion(As(secretariat).get(), get, &version),
             "GetInstrumentVersion")) {
    return 1;
  }
  const svv1::Wave::Kind kinds[] = {svv1::Wave::PRE, svv1::Wave::FOLLOW_UP_6,
                                    svv1::Wave::FOLLOW_UP_12};
  SurveyCounts n;
  const std::string demo = "cohorts/" + absl::GetFlag(FLAGS_cohort_id);
  std::vector<Respondent> people;
  if (!Respondents(demo, &people)) return 1;
  // The demo cohort's PRE and 6-month follow-up are over, so their answers
  // are in the pool the lenses compare against (a pool grows by closed
  // waves only); the 12-month follow-up stays open (one participant has only
  // begun it).
  for (svv1::Wave::Kind kind : kinds) {
    if (!LoadWave(demo, 2022, kind, version, people,
                  /*close_after=*/kind != svv1::Wave::FOLLOW_UP_12, &n)) {
      return 1;
    }
  }
  for (size_t i = 0; i < PoolCohorts().size(); ++i) {
    const PoolCohort& d = PoolCohorts()[i];
    if (!EnsurePoolCohort(d, static_cast<int>(i), &n)) return 1;
    const std::string cohort = absl::StrCat("cohorts/", d.id);
    std::vector<Respondent> pool;
    if (!Respondents(cohort, &pool)) return 1;
    for (svv1::Wave::Kind kind : kinds) {
      if (!LoadWave(cohort, d.fiscal_year, kind, version, pool, true, &n)) return 1;
    }
  }
  if (n.waves == 0) {
    std::printf("demo data: the %d survey waves already loaded\n", n.skipped);
    return 0;
  }
  std::printf(
      "demo data: %d survey waves (%d closed) of %s and %d new reference cohorts, %d responses "
      "submitted and %d partial from %zu people, in %.1f s\n",
      n.waves, n.closed, demo.c_str(), n.pool_cohorts, n.submitted, n.partial,
      n.respondents.size(), absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}

}  // namespace kaizen::demo
