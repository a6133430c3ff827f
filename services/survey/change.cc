// The fish's eye (GetChange: change across waves and years) and scale
// reliability (GetScaleReliability). The disclosure tests they share with
// lenses.cc are in lens_support.h.
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
#include "services/survey/stats.h"
#include "services/survey/survey.h"
#include "services/survey/survey_errors.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey {

using enrollment_client::CohortMembership;
using internal::Scored;
using internal::Violations;
using kaizen::type::Wall;

using lens::ScoresOf;
using lens::SmallGroupsSafe;
using lens::VersionOfWave;

// ---------------------------------------------------------------- fish's eye

namespace {

struct WavePair {
  v1::Wave::Kind from;
  v1::Wave::Kind to;
};

// What GetChange reads for one pair of waves.
struct PairData {
  WavePair pair;
  v1::InstrumentVersion version;  // the later wave's
  std::string instrument_id;
  std::vector<ResponseRecord> from;
  std::vector<ResponseRecord> to;
  bool closed = false;  // both waves past their close_time
};

}  // namespace

absl::StatusOr<v1::Change> Survey::GetChange(const Principal& caller,
                                             const v1::GetChangeRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort_id, internal::ParseCohortName("cohort", r.cohort()));
  Violations v;
  if (!r.participant().empty()) {
    absl::StatusOr<std::vector<std::string>> ids =
        ParseResourceName("participant", r.participant(), {"cohorts", "participants"});
    v.Check(ids.status());
    if (ids.ok() && (*ids)[0] != cohort_id) {
      v.Add("participant", "must be a participant of the cohort");
    }
    if (!r.municipality_code().empty()) {
      v.Add("municipality_code", "give a participant or a municipality code, not both");
    }
  } else if (!r.municipality_code().empty()) {
    v.Check(internal::CheckMunicipalityCode("municipality_code", r.municipality_code()));
  }
  const bool explicit_pair =
      r.from() != v1::Wave::KIND_UNSPECIFIED || r.to() != v1::Wave::KIND_UNSPECIFIED;
  if (explicit_pair) {
    if (internal::WaveIdOf(r.from()).empty()) v.Add("from", "must be a wave kind");
    if (internal::WaveIdOf(r.to()).empty()) v.Add("to", "must be a wave kind");
    if (!internal::WaveIdOf(r.from()).empty() && !internal::WaveIdOf(r.to()).empty() &&
        r.from() >= r.to()) {
      v.Add("to", "must be a later wave than from");
    }
  }
  RETURN_IF_ERROR(v.Result());

  ASSIGN_OR_RETURN(auto membership, CohortMembership::Fetch(*roster_, r.cohort(), caller));
  if (!membership->member()) return CallerNotOnRoster();
  const bool staff = membership->staff();
  enum class Subject { kPerson, kMunicipality, kCohort };
  const Subject subject = !r.participant().empty()         ? Subject::kPerson
                          : !r.municipality_code().empty() ? Subject::kMunicipality
                                                           : Subject::kCohort;
  if (subject == Subject::kPerson && !staff &&
      (membership->self() == nullptr || membership->self()->participant() != r.participant())) {
    return NotYourself();
  }

  std::vector<PairData> pairs;
  std::map<v1::Wave::Kind, std::vector<ResponseRecord>> year_pools;
  // Outside the staff, a cohort's or a municipality's change is shown over
  // one set of people for every pair: those who answered every closed
  // (non-anonymous) wave of the cohort. Two pairs over different sets (6
  // paired from PRE to FU6, 5 from PRE to FU12) would give the PRE scores of
  // the one in between by subtraction, and so would one pair before and
  // after a later wave closed, or while a wave is open.
  const bool one_set = !staff && subject != Subject::kPerson;
  std::optional<std::set<std::string>> answered_all;
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto waves, tx.ListWaves(cohort_id));
    std::map<v1::Wave::Kind, const WaveRecord*> by_kind;
    for (const WaveRecord& w : waves) by_kind[w.wave.kind()] = &w;
    std::vector<WavePair> wanted;
    if (explicit_pair) {
      for (v1::Wave::Kind kind : {r.from(), r.to()}) {
        if (by_kind.count(kind) == 0) {
          return errors::NotFound("Wave",
                                  internal::WaveId{cohort_id, internal::WaveIdOf(kind)}.name());
        }
        if (by_kind[kind]->wave.anonymous()) return AnonymousWave();
      }
      wanted.push_back({r.from(), r.to()});
    } else {
      bool skipped_anonymous = false;
      for (v1::Wave::Kind to : {v1::Wave::FOLLOW_UP_6, v1::Wave::FOLLOW_UP_12}) {
        if (by_kind.count(v1::Wave::PRE) == 0 || by_kind.count(to) == 0) continue;
        if (by_kind[v1::Wave::PRE]->wave.anonymous() || by_kind[to]->wave.anonymous()) {
          skipped_anonymous = true;
          continue;
        }
        wanted.push_back({v1::Wave::PRE, to});
      }
      if (wanted.empty() && skipped_anonymous) return AnonymousWave();
    }
    if (one_set) {
      for (const auto& [kind, wave] : by_kind) {
        if (wave->wave.anonymous() || internal::StateAt(wave->wave, now) != v1::Wave::CLOSED) {
          continue;
        }
        ASSIGN_OR_RETURN(auto rows, tx.ListResponses(cohort_id, wave->id,
                                                     /*submitted_only=*/true, "", 0));
        std::set<std::string> people;
        for (const ResponseRecord& row : rows) {
          if (!row.participant.empty() && (!answered_all || answered_all->count(row.participant))) {
            people.insert(row.participant);
          }
        }
        answered_all = std::move(people);
      }
    }
    for (const WavePair& p : wanted) {
      PairData d;
      d.pair = p;
      d.closed = internal::StateAt(by_kind[p.from]->wave, now) == v1::Wave::CLOSED &&
                 internal::StateAt(by_kind[p.to]->wave, now) == v1::Wave::CLOSED;
      const WaveRecord& to = *by_kind[p.to];
      ASSIGN_OR_RETURN(VersionRecord ver, VersionOfWave(tx, to.wave));
      d.version = std::move(ver.version);
      d.instrument_id = ver.instrument_id;
      ASSIGN_OR_RETURN(d.from, tx.ListResponses(cohort_id, internal::WaveIdOf(p.from),
                                                /*submitted_only=*/true, "", 0));
      ASSIGN_OR_RETURN(d.to, tx.ListResponses(cohort_id, internal::WaveIdOf(p.to),
                                              /*submitted_only=*/true, "", 0));
      if (subject == Subject::kCohort && year_pools.count(p.to) == 0) {
        // Other cohorts' closed waves only (disclosure.h, "Time").
        ASSIGN_OR_RETURN(year_pools[p.to],
                         tx.ListPool({d.instrument_id, p.to, "", "", now, cohort_id}));
      }
      pairs.push_back(std::move(d));
    }
    return absl::OkStatus();
  }));

  const int k = disclosure::EffectiveK(config_.min_group_size);
  v1::Change out;
  out.set_cohort(r.cohort());
  out.set_subject(subject == Subject::kPerson         ? r.participant()
                  : subject == Subject::kMunicipality ? r.municipality_code()
                                                      : r.cohort());
  out.set_min_group_size(k);
  for (const PairData& d : pairs) {
    // Both waves scored on the later wave's version: stable item ids.
    const std::vector<Scored> from = internal::ScoreResponses(d.version, d.from);
    const std::vector<Scored> to = internal::ScoreResponses(d.version, d.to);
    std::map<std::string, const Scored*> from_of;
    for (const Scored& s : from) {
      if (!s.participant.empty()) from_of[s.participant] = &s;
    }
    // (earlier, later) of everyone paired in the cohort, and of the subject
    // (with one_set: of those who answered every closed wave; `left_out`
    // and `subject_left_out` count the paired others).
    std::vector<std::pair<const Scored*, const Scored*>> cohort_pairs;
    std::vector<std::pair<const Scored*, const Scored*>> subject_pairs;
    int left_out = 0;
    int subject_left_out = 0;
    for (const Scored& s : to) {
      auto it = from_of.find(s.participant);
      if (s.participant.empty() || it == from_of.end()) continue;
      const bool in_subject =
          subject == Subject::kCohort ||
          (subject == Subject::kPerson && s.participant == r.participant()) ||
          (subject == Subject::kMunicipality && s.municipality == r.municipality_code());
      if (one_set && (!answered_all || answered_all->count(s.participant) == 0)) {
        ++left_out;
        if (in_subject) ++subject_left_out;
        continue;
      }
      cohort_pairs.emplace_back(it->second, &s);
      if (in_subject) subject_pairs.emplace_back(it->second, &s);
    }
    // The people a pair leaves out were part of what it showed before a
    // later wave closed: fewer than k of them would be recoverable.
    if (one_set && (!d.closed || !lens::RestIsSafe(left_out, k) ||
                    !lens::RestIsSafe(subject_left_out, k))) {
      out.set_suppressed(true);
      continue;
    }
    // Who may see this pair's change: the person themself and staff always;
    // other members a municipality only beside a cohort that leaves 0 or >= k
    // others, and the cohort only when it has k.
    // Municipalities are released beside each other and the cohort: those
    // below k (other than the subject) are the cohort minus the released
    // ones, so together they must be 0 or at least k too.
    const std::string* town_subject =
        subject == Subject::kMunicipality ? &r.municipality_code() : nullptr;
    auto releasable = [&](int subject_n, int cohort_n, const std::map<std::string, int>& by_town) {
      if (staff || subject == Subject::kPerson) return true;
      if (!SmallGroupsSafe(by_town, town_subject, k)) return false;
      if (subject == Subject::kMunicipality) {
        return disclosure::MayRelease(subject_n, cohort_n, k);
      }
      return disclosure::MayRelease(subject_n, subject_n, k);
    };
    std::map<std::string, int> pairs_by_town;
    for (const auto& [a, b] : cohort_pairs) ++pairs_by_town[b->municipality];
    if (!releasable(static_cast<int>(subject_pairs.size()),
                    static_cast<int>(cohort_pairs.size()), pairs_by_town)) {
      out.set_suppressed(true);
      continue;
    }
    for (const v1::Scale& scale : d.version.scales()) {
      auto scores = [&](const std::vector<std::pair<const Scored*, const Scored*>>& ps) {
        std::vector<std::pair<double, double>> values;
        for (const auto& [a, b] : ps) {
          auto x = a->scales.find(scale.id());
          auto y = b->scales.find(scale.id());
          if (x != a->scales.end() && y != b->scales.end()) {
            values.emplace_back(x->second, y->second);
          }
        }
        return values;
      };
      const std::vector<std::pair<double, double>> mine = scores(subject_pairs);
      std::map<std::string, int> scored_by_town;
      for (const auto& [a, b] : cohort_pairs) {
        if (a->scales.count(scale.id()) > 0 && b->scales.count(scale.id()) > 0) {
          ++scored_by_town[b->municipality];
        }
      }
      const size_t scored_n = scores(cohort_pairs).size();
      // With one_set, a scale some of the set cannot be scored on would be
      // shown over fewer people than the other scales and pairs.
      if ((one_set && scored_n != cohort_pairs.size()) ||
          !releasable(static_cast<int>(mine.size()), static_cast<int>(scored_n),
                      scored_by_town)) {
        out.set_suppressed(true);
        continue;
      }
      const stats::Paired change = stats::PairedChange(mine);
      v1::ScaleChange* c = out.add_scales();
      c->set_scale_id(scale.id());
      c->set_title(scale.title());
      c->set_kind(scale.kind());
      c->set_wall(scale.wall());
      c->set_from(d.pair.from);
      c->set_to(d.pair.to);
      c->set_n(change.n);
      c->set_mean_from(change.mean_from);
      c->set_mean_to(change.mean_to);
      c->set_mean_difference(change.mean_diff);
      if (change.dz.has_value()) {
        c->set_has_effect_size(true);
        c->set_effect_size(*change.dz);
      }
    }
  }

  // Year over year: other cohorts' means of the same wave kind, each a group
  // of its own that leaves the staff only at k or more (also to staff: other
  // cohorts are not theirs).
  std::set<v1::Wave::Kind> done;
  for (const PairData& d : pairs) {
    if (subject != Subject::kCohort || !done.insert(d.pair.to).second) continue;
    const std::vector<Scored> scored = internal::ScoreResponses(d.version, year_pools[d.pair.to]);
    std::map<std::string, std::vector<const Scored*>> by_cohort;
    for (const Scored& s : scored) {
      if (s.cohort_id != cohort_id) by_cohort[s.cohort_id].push_back(&s);
    }
    for (const auto& [other, rows] : by_cohort) {
      for (const v1::Scale& scale : d.version.scales()) {
        const stats::Summary sum = stats::Summarize(ScoresOf(rows, scale.id()));
        if (sum.n < k) continue;
        v1::YearMean* y = out.add_years();
        y->set_cohort(absl::StrCat("cohorts/", other));
        y->set_scale_id(scale.id());
        y->set_wave_kind(d.pair.to);
        y->set_n(sum.n);
        y->set_mean(sum.mean);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- reliability

absl::StatusOr<v1::ScaleReliability> Survey::GetScaleReliability(
    const Principal& caller, const v1::GetScaleReliabilityRequest& r) {
  ASSIGN_OR_RETURN(auto id, internal::ParseVersionName("version", r.version()));
  if (!auth::IsStaff(caller)) return StaffOnly("see scale reliability");

  v1::InstrumentVersion version;
  std::vector<ResponseRecord> responses;
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(VersionRecord v, tx.GetVersion(id.first, id.second));
    version = std::move(v.version);
    for (v1::Wave::Kind kind : {v1::Wave::PRE, v1::Wave::FOLLOW_UP_6, v1::Wave::FOLLOW_UP_12}) {
      ASSIGN_OR_RETURN(auto rows, tx.ListPool({id.first, kind, "", "", now}));
      for (ResponseRecord& row : rows) responses.push_back(std::move(row));
    }
    return absl::OkStatus();
  }));

  // The pool spans every cohort, so even staff see a scale's statistics only
  // over k or more complete cases.
  const int k = disclosure::EffectiveK(config_.min_group_size);
  const std::vector<Scored> scored = internal::ScoreResponses(version, responses);
  v1::ScaleReliability out;
  out.set_version(r.version());
  for (const v1::Scale& scale : version.scales()) {
    std::vector<std::vector<double>> rows;
    for (const Scored& s : scored) {
      std::vector<double> row;
      for (const std::string& item : scale.item_ids()) {
        auto it = s.items.find(item);
        if (it == s.items.end()) break;
        row.push_back(it->second);
      }
      if (row.size() == static_cast<size_t>(scale.item_ids_size())) rows.push_back(std::move(row));
    }
    v1::ScaleReliabilityEntry* e = out.add_scales();
    e->set_scale_id(scale.id());
    e->set_title(scale.title());
    e->set_n(static_cast<int32_t>(rows.size()));
    if (static_cast<int>(rows.size()) < k) {
      e->set_band(stats::AlphaBand(std::nullopt, 0));  // "too few respondents"
      continue;
    }
    const stats::Alpha alpha = stats::CronbachAlpha(rows);
    e->set_has_alpha(alpha.alpha.has_value());
    e->set_alpha(alpha.alpha.value_or(0));
    e->set_band(stats::AlphaBand(alpha.alpha, alpha.n));
    for (int i = 0; i < scale.item_ids_size(); ++i) {
      v1::ItemReliability* item = e->add_items();
      item->set_item_id(scale.item_ids(i));
      if (i < static_cast<int>(alpha.item_total.size())) {
        item->set_item_total_correlation(alpha.item_total[i].value_or(0));
      }
      if (i < static_cast<int>(alpha.alpha_if_deleted.size())) {
        item->set_alpha_if_deleted(alpha.alpha_if_deleted[i].value_or(0));
      }
    }
  }
  return out;
}

}  // namespace kaizen::survey
