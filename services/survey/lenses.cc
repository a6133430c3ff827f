// The insect's eye (GetPersonProfile) and the bird's eye
// (GetMunicipalityProfile); the fish's eye and reliability are change.cc.
// The disclosure tests both share are in lens_support.h.
//
// Every aggregate leaves through one of the disclosure checks below, asked
// before anything is copied into a response (disclosure.h decides sizes;
// this file decides which groups are published beside which). Membership is
// read from enrollment before the one Read transaction; numbers are computed
// after it, outside the database lock.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/enrollment/membership.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/resource_name.h"
#include "common/validation/validation.h"
#include "services/survey/disclosure.h"
#include "services/survey/instruments.h"
#include "services/survey/internal.h"
#include "services/survey/lens_support.h"
#include "services/survey/person_profile.h"
#include "services/survey/stats.h"
#include "services/survey/survey.h"
#include "services/survey/survey_errors.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey {

using enrollment_client::CohortMembership;
using internal::Scored;
using internal::Violations;
using kaizen::type::Wall;

using lens::All;
using lens::IsPartnerOrService;
using lens::kWalls;
using lens::MayReleaseGroupTo;
using lens::MayReleasePoolTo;
using lens::ScoresOf;
using lens::SmallGroupsSafe;
using lens::VersionOfWave;
using CohortCounts = lens::Counts;

// ---------------------------------------------------------------- insect's eye

absl::StatusOr<v1::PersonProfile> Survey::GetPersonProfile(const Principal& caller,
                                                           const v1::GetPersonProfileRequest& r) {
  ASSIGN_OR_RETURN(auto ids,
                   ParseResourceName("participant", r.participant(), {"cohorts", "participants"}));
  if (!internal::KindOfWaveId(r.wave()).has_value()) {
    return InvalidField("wave", "must be pre, follow-up-6 or follow-up-12");
  }
  const std::string& cohort_id = ids[0];
  const internal::WaveId wave_id{cohort_id, r.wave()};
  ASSIGN_OR_RETURN(auto membership,
                   CohortMembership::Fetch(*roster_, wave_id.cohort_name(), caller));
  const bool is_self =
      membership->self() != nullptr && membership->self()->participant() == r.participant();
  if (!is_self && !membership->staff()) {
    if (!membership->member()) return CallerNotOnRoster();
    return NotYourself();
  }

  v1::InstrumentVersion version;
  ResponseRecord mine;
  std::vector<ResponseRecord> pool;
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(WaveRecord wave, tx.GetWave(cohort_id, r.wave()));
    if (wave.wave.anonymous()) return AnonymousWave();
    ASSIGN_OR_RETURN(VersionRecord v, VersionOfWave(tx, wave.wave));
    absl::StatusOr<ResponseRecord> found = tx.FindResponseOf(cohort_id, r.wave(), r.participant());
    if (absl::IsNotFound(found.status()) || (found.ok() && !found->response.submitted())) {
      // A saved but unsubmitted response is nobody's profile yet.
      return errors::NotFound("Response", absl::StrCat(wave_id.name(), " of ", r.participant()));
    }
    if (!found.ok()) return found.status();
    mine = *std::move(found);
    // Closed waves only (disclosure.h, "Time"); the person's own response is
    // `mine`, whatever its wave's state.
    ASSIGN_OR_RETURN(pool, tx.ListPool({v.instrument_id, wave.wave.kind(), "", "", now}));
    version = std::move(v.version);
    return absl::OkStatus();
  }));

  return lens::PersonProfileOf(version, mine, pool, r.participant(), wave_id.name(), cohort_id,
                               disclosure::EffectiveK(config_.min_group_size));
}

// ---------------------------------------------------------------- bird's eye

absl::StatusOr<v1::MunicipalityProfile> Survey::GetMunicipalityProfile(
    const Principal& caller, const v1::GetMunicipalityProfileRequest& r) {
  Violations v;
  v.Check(internal::CheckMunicipalityCode("municipality_code", r.municipality_code()));
  const bool kind_ok = r.wave_kind() == v1::Wave::PRE || r.wave_kind() == v1::Wave::FOLLOW_UP_6 ||
                       r.wave_kind() == v1::Wave::FOLLOW_UP_12;
  if (!kind_ok) v.Add("wave_kind", "is required: PRE, FOLLOW_UP_6 or FOLLOW_UP_12");
  const std::string instrument_name =
      r.instrument().empty() ? std::string(kPreSurveyName) : r.instrument();
  absl::StatusOr<std::string> instrument_id =
      internal::ParseInstrumentName("instrument", instrument_name);
  v.Check(instrument_id.status());
  std::string cohort_id;
  if (!r.cohort().empty()) {
    absl::StatusOr<std::string> c = internal::ParseCohortName("cohort", r.cohort());
    v.Check(c.status());
    if (c.ok()) cohort_id = *c;
  }
  RETURN_IF_ERROR(v.Result());

  // Partner HR systems get a municipality's profile later, through consent
  // and the same rule; until then no aggregate leaves for them.
  if (IsPartnerOrService(caller)) return StaffOnly("see a municipality's profile");
  bool privileged = false;
  if (!cohort_id.empty()) {
    ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, r.cohort(), caller));
    if (!membership->staff()) return StaffOnly("see a municipality's profile within the cohort");
    privileged = true;
  } else if (!auth::IsStaff(caller) && !auth::HasRole(caller, kaizen::type::ROLE_PARTICIPANT)) {
    return CallerNotOnRoster();
  }

  v1::InstrumentVersion version;
  std::vector<PoolRow> pool;
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetInstrument(*instrument_id).status());
    ASSIGN_OR_RETURN(auto versions, tx.ListVersions(*instrument_id));
    const VersionRecord* newest = nullptr;
    for (const VersionRecord& vr : versions) {
      if (vr.version.state() == v1::InstrumentVersion::PUBLISHED) newest = &vr;
    }
    if (newest == nullptr) return VersionNotPublished(instrument_name);
    version = newest->version;
    // The projected pool (no protos per row): the bird's eye of a pool of
    // 10,000 stays well inside its 100 ms (docs/benchmarks.md).
    // Closed waves only (disclosure.h, "Time"), but the cohort's own while
    // its staff look at it.
    ASSIGN_OR_RETURN(pool, tx.ListPoolLikert(
                               {*instrument_id, r.wave_kind(), "", "", now,
                                privileged ? cohort_id : std::string()},
                               internal::LikertItemIds(version)));
    return absl::OkStatus();
  }));

  const int k = disclosure::EffectiveK(config_.min_group_size);
  const std::vector<Scored> scored = internal::ScoreRows(version, pool);
  std::vector<const Scored*> group;
  CohortCounts group_counts;
  CohortCounts pool_counts;
  // Pool rows by municipality, for the between-group variance.
  std::map<std::string, int> muni_index;
  std::vector<int> group_of_row;
  std::map<std::string, int> by_municipality;
  for (const Scored& s : scored) {
    ++pool_counts[s.cohort_id];
    ++by_municipality[s.municipality];
    group_of_row.push_back(
        muni_index.emplace(s.municipality, static_cast<int>(muni_index.size())).first->second);
    if (s.municipality == r.municipality_code() &&
        (cohort_id.empty() || s.cohort_id == cohort_id)) {
      group.push_back(&s);
      ++group_counts[s.cohort_id];
    }
  }
  const std::vector<const Scored*> pool_rows = All(scored);
  const int group_n = static_cast<int>(group.size());
  const int pool_n = static_cast<int>(scored.size());

  v1::MunicipalityProfile out;
  out.set_municipality_code(r.municipality_code());
  out.set_wave_kind(r.wave_kind());
  out.set_instrument(instrument_name);
  out.set_pool_respondents(pool_n);
  out.set_min_group_size(k);
  // The cohorts of the pool whose part the caller sees on its own: those
  // it is on the staff of (with the cohort filter). Only staff get a
  // cohort's part; a participant's own cohort is one cohort, which
  // MayReleaseGroup already assumes anyone may know.
  std::set<std::string> known;
  if (!privileged && auth::IsStaff(caller)) {
    for (const auto& [c, n] : pool_counts) {
      absl::StatusOr<std::unique_ptr<CohortMembership>> m =
          CohortMembership::Fetch(*roster_, absl::StrCat("cohorts/", c), caller);
      // Not on its roster (or no roster at all): a cohort the caller knows
      // nothing of.
      if (absl::IsPermissionDenied(m.status()) || absl::IsNotFound(m.status())) continue;
      if (!m.ok()) return m.status();
      if ((*m)->member()) known.insert(c);
    }
  }
  if (!privileged && (!MayReleaseGroupTo(group_counts, pool_counts, known, k) ||
                      !SmallGroupsSafe(by_municipality, &r.municipality_code(), k))) {
    out.set_suppressed(true);
    return out;
  }
  out.set_respondents(group_n);

  // Per row, computed once: in the group, its cohort and municipality (by
  // index), so the per-scale counts below are array increments (the pool
  // may hold tens of thousands; docs/benchmarks.md).
  std::vector<char> row_in_group(scored.size(), 0);
  for (const Scored* g : group) row_in_group[g - scored.data()] = 1;
  std::map<std::string, int> cohort_index;
  std::vector<int> cohort_of_row;
  cohort_of_row.reserve(scored.size());
  for (const Scored& s : scored) {
    cohort_of_row.push_back(
        cohort_index.emplace(s.cohort_id, static_cast<int>(cohort_index.size())).first->second);
  }
  std::vector<std::string> cohort_names(cohort_index.size());
  for (const auto& [name, i] : cohort_index) cohort_names[i] = name;
  std::vector<std::string> muni_names(muni_index.size());
  for (const auto& [name, i] : muni_index) muni_names[i] = name;
  const int groups = static_cast<int>(muni_index.size());
  std::vector<std::pair<double, std::string>> distinctive;
  for (const v1::Scale& scale : version.scales()) {
    std::vector<double> mine = ScoresOf(group, scale.id());
    std::vector<std::optional<double>> all;
    all.reserve(scored.size());
    for (const Scored& s : scored) {
      auto it = s.scales.find(scale.id());
      all.push_back(it == s.scales.end() ? std::nullopt : std::optional<double>(it->second));
    }
    const stats::Summary g = stats::Summarize(mine);
    const stats::Summary p = stats::SummarizeAnswered(all);
    // A scale some respondents could not score has its own counts; they
    // face the same tests as the respondents' (else the scale is left out).
    // The cohort's staff know their cohort, not the rest of the pool.
    std::vector<int> group_by_cohort(cohort_names.size(), 0);
    std::vector<int> pool_by_cohort(cohort_names.size(), 0);
    std::vector<int> pool_by_muni(muni_names.size(), 0);
    for (size_t i = 0; i < scored.size(); ++i) {
      if (!all[i].has_value()) continue;
      ++pool_by_cohort[cohort_of_row[i]];
      ++pool_by_muni[group_of_row[i]];
      if (row_in_group[i]) ++group_by_cohort[cohort_of_row[i]];
    }
    CohortCounts scale_group;
    CohortCounts scale_pool;
    std::map<std::string, int> scale_by_municipality;
    for (size_t c = 0; c < cohort_names.size(); ++c) {
      if (pool_by_cohort[c] > 0) scale_pool[cohort_names[c]] = pool_by_cohort[c];
      if (group_by_cohort[c] > 0) scale_group[cohort_names[c]] = group_by_cohort[c];
    }
    for (size_t m = 0; m < muni_names.size(); ++m) {
      if (pool_by_muni[m] > 0) scale_by_municipality[muni_names[m]] = pool_by_muni[m];
    }
    if (privileged ? !MayReleasePoolTo(scale_pool, cohort_id, k)
                   : (!MayReleaseGroupTo(scale_group, scale_pool, known, k) ||
                      !SmallGroupsSafe(scale_by_municipality, &r.municipality_code(), k))) {
      out.set_suppressed(true);
      continue;
    }
    const std::vector<stats::Summary> by_muni = stats::SummarizeByGroup(all, group_of_row, groups);
    const double between = stats::BetweenGroupVariance(by_muni);
    double within = stats::PooledWithinVariance(by_muni);
    if (within <= 0) within = p.sd * p.sd;
    const stats::Shrunk shrunk = stats::Shrink(g, p.mean, within, between);

    v1::ScaleComparison* c = out.add_scales();
    c->set_scale_id(scale.id());
    c->set_title(scale.title());
    c->set_kind(scale.kind());
    c->set_wall(scale.wall());
    c->set_n(g.n);
    c->set_mean(g.mean);
    c->set_sd(g.sd);
    c->set_pool_n(p.n);
    c->set_pool_mean(p.mean);
    c->set_pool_sd(p.sd);
    c->set_standardized_difference(g.n > 0 ? stats::StandardizedDifference(g.mean, p.mean, p.sd)
                                           : 0);
    c->set_shrunk_mean(shrunk.mean);
    c->set_interval_low(shrunk.low);
    c->set_interval_high(shrunk.high);
    c->set_shrunk_difference(stats::StandardizedDifference(shrunk.mean, p.mean, p.sd));
    if (scale.kind() == v1::Scale::MANAGEMENT) {
      distinctive.emplace_back(std::abs(c->shrunk_difference()), scale.id());
    }
  }
  std::stable_sort(distinctive.begin(), distinctive.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [d, id] : distinctive) out.add_most_distinctive(id);

  // Walls: respondents whose strongest wall each is (ties count for each).
  std::vector<int> muni_cells(std::size(kWalls), 0);
  std::vector<int> pool_cells(std::size(kWalls), 0);
  // The filtering cohort's cells (its staff know them).
  std::vector<int> cohort_cells(std::size(kWalls), 0);
  for (const Scored& s : scored) {
    for (Wall w : internal::StrongestWalls(version, s)) {
      const size_t i = std::find(std::begin(kWalls), std::end(kWalls), w) - std::begin(kWalls);
      if (i >= std::size(kWalls)) continue;
      ++pool_cells[i];
      if (row_in_group[&s - scored.data()]) ++muni_cells[i];
      if (privileged && s.cohort_id == cohort_id) ++cohort_cells[i];
    }
  }
  std::vector<bool> hidden(std::size(kWalls), false);
  if (privileged) {
    // The pool's column beside what the staff know of it: the rest outside
    // their cohort is a table of its own.
    std::vector<int> outside(std::size(kWalls));
    for (size_t i = 0; i < outside.size(); ++i) outside[i] = pool_cells[i] - cohort_cells[i];
    hidden = disclosure::SuppressCells(outside, k);
  } else {
    // The municipality's column, and the rest of the pool's (pool minus
    // municipality, which a shown pool count beside a shown municipality
    // count publishes): a row hidden for either withholds both counts, since
    // pool >= municipality >= 1 would otherwise bound the hidden cell.
    std::vector<int> rest_cells(std::size(kWalls));
    for (size_t i = 0; i < rest_cells.size(); ++i) rest_cells[i] = pool_cells[i] - muni_cells[i];
    const std::vector<bool> hm = disclosure::SuppressCells(muni_cells, k);
    const std::vector<bool> hr = disclosure::SuppressCells(rest_cells, k);
    for (size_t i = 0; i < hidden.size(); ++i) hidden[i] = hm[i] || hr[i];
  }
  for (size_t i = 0; i < std::size(kWalls); ++i) {
    v1::WallCount* w = out.add_walls();
    w->set_wall(kWalls[i]);
    if (hidden[i]) {
      w->set_suppressed(true);
      continue;
    }
    w->set_municipality(muni_cells[i]);
    w->set_pool(pool_cells[i]);
  }
  return out;
}

}  // namespace kaizen::survey
