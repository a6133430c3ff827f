#include "services/survey/internal.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/request_ids.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "common/validation/validation.h"
#include "common/municipality/municipality.h"
#include "services/survey/stats.h"
#include "services/survey/survey_errors.h"
#include "services/survey/text.h"

namespace kaizen::survey::internal {

std::string InstrumentName(absl::string_view id) { return absl::StrCat("instruments/", id); }

std::string VersionName(absl::string_view instrument_id, int32_t number) {
  return absl::StrCat("instruments/", instrument_id, "/versions/v", number);
}

absl::StatusOr<std::string> ParseInstrumentName(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"instruments"}));
  return ids[0];
}

absl::StatusOr<std::pair<std::string, int32_t>> ParseVersionName(absl::string_view field,
                                                                 absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"instruments", "versions"}));
  int32_t number = 0;
  const std::string& v = ids[1];
  if (v.size() < 2 || v[0] != 'v' || !absl::SimpleAtoi(v.substr(1), &number) || number < 1 ||
      v.substr(1) != absl::StrCat(number)) {
    return errors::InvalidField(field, "must be instruments/{instrument}/versions/v{number}",
                                "INVALID_NAME");
  }
  return std::make_pair(ids[0], number);
}

absl::StatusOr<std::string> ParseCohortName(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts"}));
  return ids[0];
}

std::string WaveId::name() const { return absl::StrCat("cohorts/", cohort_id, "/waves/", wave_id); }

absl::StatusOr<WaveId> ParseWaveName(absl::string_view field, absl::string_view name) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName(field, name, {"cohorts", "waves"}));
  if (!KindOfWaveId(ids[1]).has_value()) {
    return errors::InvalidField(field,
                                "must be cohorts/{cohort}/waves/{pre|follow-up-6|follow-up-12}",
                                "INVALID_NAME");
  }
  return WaveId{ids[0], ids[1]};
}

std::string ResponseName(const WaveId& wave, absl::string_view id) {
  return absl::StrCat(wave.name(), "/responses/", id);
}

std::string WaveIdOf(v1::Wave::Kind kind) {
  switch (kind) {
    case v1::Wave::PRE:
      return "pre";
    case v1::Wave::FOLLOW_UP_6:
      return "follow-up-6";
    case v1::Wave::FOLLOW_UP_12:
      return "follow-up-12";
    default:
      return "";
  }
}

std::optional<v1::Wave::Kind> KindOfWaveId(absl::string_view id) {
  for (v1::Wave::Kind k : {v1::Wave::PRE, v1::Wave::FOLLOW_UP_6, v1::Wave::FOLLOW_UP_12}) {
    if (WaveIdOf(k) == id) return k;
  }
  return std::nullopt;
}

int ClosingMeetingOf(v1::Wave::Kind kind) {
  switch (kind) {
    case v1::Wave::PRE:
      return 1;
    case v1::Wave::FOLLOW_UP_6:
      return 7;
    case v1::Wave::FOLLOW_UP_12:
      return 8;
    default:
      return 0;
  }
}

v1::Wave::State StateAt(const v1::Wave& wave, absl::Time now) {
  if (now < FromProtoTimestamp(wave.open_time())) return v1::Wave::SCHEDULED;
  if (now < FromProtoTimestamp(wave.close_time())) return v1::Wave::OPEN;
  return v1::Wave::CLOSED;
}

void CheckRequestId(Violations& v, const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdLength) {
    v.Add("request_id", "must be at most 64 characters");
  }
}

absl::Status CheckMunicipalityCode(absl::string_view field, absl::string_view code) {
  RETURN_IF_ERROR(ValidateMunicipalityCode(field, code));
  const std::optional<municipality::Entity> found = municipality::Find(code);
  if (!found.has_value()) return MunicipalityUnknown(field, code);
  if (const std::optional<municipality::Entity> city = found->city(); city.has_value()) {
    return MunicipalityIsWard(field, code, city->name(), city->code());
  }
  if (!found->administered()) return MunicipalityUnknown(field, code, found->FullName());
  if (!found->IsMunicipality()) return MunicipalityUnknown(field, code);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Replayed(SurveyTx& tx, const std::string& scope,
                                                    const std::string& request_id,
                                                    const google::protobuf::Message& request) {
  if (request_id.empty()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(auto prior, tx.LookupRequestId(scope, request_id));
  return storage::ResolveReplay(prior, request);
}

absl::Status Remember(SurveyTx& tx, const std::string& scope, const std::string& request_id,
                      const google::protobuf::Message& request,
                      const std::string& resource_name, absl::Time now) {
  if (request_id.empty()) return absl::OkStatus();
  return tx.SaveRequestId(scope, request_id,
                          {storage::RequestFingerprint(request), resource_name}, now);
}

void ScoreTable::Init(const std::vector<std::string>* ids) {
  ids_ = ids;
  entries_.clear();
  entries_.reserve(ids->size());
  for (const std::string& id : *ids) entries_.emplace_back(id, std::nan(""));
}

const ScoreTable::Entry* ScoreTable::find(absl::string_view id) const {
  if (ids_ == nullptr) return nullptr;
  thread_local const std::vector<std::string>* memo_ids = nullptr;
  thread_local std::string memo_id;
  thread_local std::ptrdiff_t memo_index = -1;
  std::ptrdiff_t index;
  if (ids_ == memo_ids && id == memo_id) {
    index = memo_index;
  } else {
    auto it = std::lower_bound(ids_->begin(), ids_->end(), id,
                               [](const std::string& a, absl::string_view b) { return a < b; });
    index = it != ids_->end() && *it == id ? it - ids_->begin() : -1;
    memo_ids = ids_;
    memo_id.assign(id.data(), id.size());
    memo_index = index;
  }
  if (index < 0) return nullptr;
  const Entry& e = entries_[index];
  return std::isnan(e.second) ? nullptr : &e;
}

namespace {

// The ids a version's scores use, sorted, owned once for a whole pool.
struct Layout {
  struct ScaleDef {
    std::string id;
    stats::ScaleDef def;
  };
  std::vector<ScaleDef> scales;  // sorted by id
  struct ItemDef {
    std::string id;
    int column = 0;
    bool reversed = false;
    int points = 0;
  };
  std::vector<ItemDef> items;  // scale items, sorted by id, each once
  std::vector<std::string> scale_ids;  // of `scales`, in order
  std::vector<std::string> item_ids;   // of `items`, in order
  int columns = 0;
};

std::shared_ptr<const Layout> MakeLayout(const v1::InstrumentVersion& version,
                                         std::map<std::string, int>* column) {
  auto layout = std::make_shared<Layout>();
  std::map<std::string, int> points;
  for (const v1::Item& item : version.items()) {
    if (item.type() != v1::Item::LIKERT) continue;
    column->emplace(item.id(), static_cast<int>(column->size()));
    points[item.id()] = item.likert().points();
  }
  layout->columns = static_cast<int>(column->size());
  std::map<std::string, Layout::ItemDef> items;
  for (const v1::Scale& scale : version.scales()) {
    Layout::ScaleDef d;
    d.id = scale.id();
    d.def.points = 0;
    for (const std::string& item : scale.item_ids()) {
      auto it = column->find(item);
      if (it == column->end()) continue;
      const bool reversed = std::find(scale.reverse_item_ids().begin(),
                                      scale.reverse_item_ids().end(),
                                      item) != scale.reverse_item_ids().end();
      d.def.items.push_back(it->second);
      d.def.reversed.push_back(reversed);
      d.def.points = points[item];
      items.emplace(item, Layout::ItemDef{item, it->second, reversed, points[item]});
    }
    if (!d.def.items.empty()) layout->scales.push_back(std::move(d));
  }
  std::sort(layout->scales.begin(), layout->scales.end(),
            [](const Layout::ScaleDef& a, const Layout::ScaleDef& b) { return a.id < b.id; });
  for (auto& [id, def] : items) layout->items.push_back(def);
  for (const auto& d : layout->scales) layout->scale_ids.push_back(d.id);
  for (const auto& d : layout->items) layout->item_ids.push_back(d.id);
  return layout;
}

// One respondent's tables from their row of answers (by column).
void FillTables(const Layout& layout, const std::vector<std::optional<double>>& row,
                Scored* s) {
  s->scales.Init(&layout.scale_ids);
  s->items.Init(&layout.item_ids);
  for (size_t i = 0; i < layout.scales.size(); ++i) {
    std::optional<double> score = stats::ScaleScore(row, layout.scales[i].def);
    if (score.has_value()) s->scales.Set(i, *score);
  }
  for (size_t i = 0; i < layout.items.size(); ++i) {
    const Layout::ItemDef& item = layout.items[i];
    const std::optional<double>& v = row[item.column];
    if (v.has_value()) s->items.Set(i, item.reversed ? item.points + 1 - *v : *v);
  }
}

}  // namespace

std::vector<Scored> ScoreResponses(const v1::InstrumentVersion& version,
                                   const std::vector<ResponseRecord>& responses) {
  std::map<std::string, int> column;
  std::shared_ptr<const Layout> layout = MakeLayout(version, &column);
  std::vector<Scored> out;
  out.reserve(responses.size());
  std::vector<std::optional<double>> row(layout->columns);
  for (const ResponseRecord& rec : responses) {
    std::fill(row.begin(), row.end(), std::nullopt);
    for (const v1::Answer& a : rec.response.answers()) {
      if (a.value_case() != v1::Answer::kLikert) continue;
      auto it = column.find(a.item_id());
      if (it != column.end()) row[it->second] = a.likert();
    }
    Scored s;
    s.response = rec.response.name();
    s.participant = rec.participant;
    s.municipality = rec.response.municipality_code();
    s.cohort_id = rec.cohort_id;
    s.ids = layout;
    FillTables(*layout, row, &s);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> LikertItemIds(const v1::InstrumentVersion& version) {
  std::vector<std::string> ids;
  for (const v1::Item& item : version.items()) {
    if (item.type() == v1::Item::LIKERT) ids.push_back(item.id());
  }
  return ids;
}

std::vector<Scored> ScoreRows(const v1::InstrumentVersion& version,
                              const std::vector<PoolRow>& rows) {
  // MakeLayout numbers the Likert items in item order, as LikertItemIds
  // lists them, so a row's values are already in column order.
  std::map<std::string, int> column;
  std::shared_ptr<const Layout> layout = MakeLayout(version, &column);
  std::vector<Scored> out;
  out.reserve(rows.size());
  std::vector<std::optional<double>> row(layout->columns);
  for (const PoolRow& r : rows) {
    for (int c = 0; c < layout->columns; ++c) {
      const float v = c < static_cast<int>(r.likert.size()) ? r.likert[c] : NAN;
      row[c] = std::isnan(v) ? std::nullopt : std::optional<double>(v);
    }
    Scored s;
    s.response = r.response;
    s.participant = r.participant;
    s.municipality = r.municipality_code;
    s.cohort_id = r.cohort_id;
    s.ids = layout;
    FillTables(*layout, row, &s);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<kaizen::type::Wall> StrongestWalls(const v1::InstrumentVersion& version,
                                               const Scored& scored) {
  double best = -1;
  std::vector<kaizen::type::Wall> walls;
  for (const v1::Scale& scale : version.scales()) {
    if (scale.kind() != v1::Scale::WALL) continue;
    auto it = scored.scales.find(scale.id());
    if (it == scored.scales.end()) continue;
    if (it->second > best + 1e-12) {
      best = it->second;
      walls = {scale.wall()};
    } else if (std::abs(it->second - best) <= 1e-12) {
      walls.push_back(scale.wall());
    }
  }
  return walls;
}

v1::CodingRules DefaultCodingRulesMessage() {
  v1::CodingRules rules;
  for (const auto& [wall, expression] : text::DefaultCodingRules()) {
    v1::CodingRule* r = rules.add_rules();
    r->set_wall(wall);
    r->set_expression(expression);
  }
  return rules;
}

}  // namespace kaizen::survey::internal
