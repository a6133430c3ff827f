#include "services/survey/person_profile.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "kaizen/type/wall.pb.h"
#include "services/survey/internal.h"
#include "services/survey/lens_support.h"
#include "services/survey/stats.h"

namespace kaizen::survey::lens {

using internal::Scored;
using kaizen::type::Wall;

v1::PersonProfile PersonProfileOf(const v1::InstrumentVersion& version, const ResponseRecord& mine,
                                  const std::vector<ResponseRecord>& pool,
                                  const std::string& participant, const std::string& wave_name,
                                  const std::string& cohort_id, int k) {
  const Scored me = std::move(internal::ScoreResponses(version, {mine})[0]);
  const std::vector<Scored> pool_scored = internal::ScoreResponses(version, pool);
  const std::vector<const Scored*> pool_rows = All(pool_scored);

  v1::PersonProfile out;
  out.set_participant(participant);
  out.set_wave(wave_name);
  out.set_pool_size(static_cast<int32_t>(pool.size()));
  std::vector<std::pair<double, Wall>> walls;
  for (const v1::Scale& scale : version.scales()) {
    v1::ScaleScore* s = out.add_scales();
    SetScaleFields(scale, s);
    int answered = 0;
    for (const std::string& item : scale.item_ids()) answered += me.items.count(item);
    s->set_answered_items(answered);
    s->set_total_items(scale.item_ids_size());
    auto it = me.scales.find(scale.id());
    if (it == me.scales.end()) continue;
    s->set_has_score(true);
    s->set_score(it->second);
    if (scale.kind() == v1::Scale::WALL) walls.emplace_back(it->second, scale.wall());
    // Where one stands among others is itself an aggregate of the others:
    // only against a pool of at least k scored respondents.
    // The subject's cohort is known to its staff, who see this too: the
    // pool outside it must be 0 or at least k, or ranks place those few.
    std::vector<double> sorted = ScoresOf(pool_rows, scale.id());
    int outside = 0;
    for (const Scored* p : pool_rows) {
      if (p->cohort_id != cohort_id && p->scales.count(scale.id()) > 0) ++outside;
    }
    if (static_cast<int>(sorted.size()) >= k && RestIsSafe(outside, k)) {
      std::sort(sorted.begin(), sorted.end());
      std::optional<double> p = stats::Percentile(sorted, it->second);
      if (p.has_value()) {
        s->set_has_percentile(true);
        s->set_percentile(*p);
      }
    }
  }
  std::stable_sort(walls.begin(), walls.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [score, wall] : walls) out.add_walls_ranked(wall);

  // Items in the version's order, then stably by value: ties keep the
  // questionnaire's order. The weakest never repeat a strongest item.
  std::vector<std::pair<const v1::Item*, double>> items;
  for (const v1::Item& item : version.items()) {
    auto it = me.items.find(item.id());
    if (it != me.items.end()) items.emplace_back(&item, it->second);
  }
  std::vector<std::pair<const v1::Item*, double>> high = items;
  std::stable_sort(high.begin(), high.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::set<const v1::Item*> shown;
  for (size_t i = 0; i < high.size() && i < kItemsShown; ++i) {
    v1::ItemScore* s = out.add_strongest_items();
    s->set_item_id(high[i].first->id());
    s->set_text(high[i].first->text());
    s->set_value(high[i].second);
    shown.insert(high[i].first);
  }
  std::vector<std::pair<const v1::Item*, double>> low = items;
  std::stable_sort(low.begin(), low.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto& [item, value] : low) {
    if (out.weakest_items_size() >= kItemsShown) break;
    if (shown.count(item) > 0) continue;
    v1::ItemScore* s = out.add_weakest_items();
    s->set_item_id(item->id());
    s->set_text(item->text());
    s->set_value(value);
  }
  return out;
}

}  // namespace kaizen::survey::lens
