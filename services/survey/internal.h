// Small pieces the survey domain files share: resource names, wave kinds,
// the wave clock, request-id replay, and scoring responses on a version's
// scales. Package-private; nothing here is API.
#ifndef KAIZEN_SERVICES_SURVEY_INTERNAL_H_
#define KAIZEN_SERVICES_SURVEY_INTERNAL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status/violations.h"
#include "google/protobuf/message.h"
#include "kaizen/survey/v1/survey.pb.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey::internal {

using ::kaizen::errors::Violations;

inline constexpr int kMaxRequestIdLength = 64;
inline constexpr absl::string_view kBuiltinInstrument = "kaizen-pre";

// ---------------------------------------------------------------- names

std::string InstrumentName(absl::string_view id);
std::string VersionName(absl::string_view instrument_id, int32_t number);
absl::StatusOr<std::string> ParseInstrumentName(absl::string_view field, absl::string_view name);
// "instruments/{i}/versions/v{n}", n >= 1.
absl::StatusOr<std::pair<std::string, int32_t>> ParseVersionName(absl::string_view field,
                                                                 absl::string_view name);
absl::StatusOr<std::string> ParseCohortName(absl::string_view field, absl::string_view name);

struct WaveId {
  std::string cohort_id;
  std::string wave_id;
  std::string cohort_name() const { return "cohorts/" + cohort_id; }
  std::string name() const;
};
// "cohorts/{c}/waves/{w}" with w one of the three wave ids.
absl::StatusOr<WaveId> ParseWaveName(absl::string_view field, absl::string_view name);
std::string ResponseName(const WaveId& wave, absl::string_view id);

// "pre", "follow-up-6", "follow-up-12"; nullopt for anything else.
std::string WaveIdOf(v1::Wave::Kind kind);
std::optional<v1::Wave::Kind> KindOfWaveId(absl::string_view id);
// The meeting (by sequence) a wave must close by: 1, 7, 8.
int ClosingMeetingOf(v1::Wave::Kind kind);

// SCHEDULED before open_time, OPEN until close_time, CLOSED from then.
v1::Wave::State StateAt(const v1::Wave& wave, absl::Time now);

// The built-in coding rules (text::DefaultCodingRules) as the API's message,
// without an etag: what a version starts with and what a reset restores.
v1::CodingRules DefaultCodingRulesMessage();

// ---------------------------------------------------------------- validation

void CheckRequestId(Violations& v, const std::string& request_id);

// A municipality code a query names: the format checks
// (ValidateMunicipalityCode: six digits, check digit, not a prefecture),
// then the national master (common/municipality): a ward of a designated
// city is MUNICIPALITY_IS_WARD naming its city's code (responses are kept
// under the city's code, so a ward would silently match nothing), a code
// not in the master or without a municipal government MUNICIPALITY_UNKNOWN.
absl::Status CheckMunicipalityCode(absl::string_view field, absl::string_view code);

// ---------------------------------------------------------------- purge

// FAILED_PRECONDITION COHORT_PURGED once the cohort's personal data was
// purged; PARTICIPANT_ERASED when `participant` (may be "") was erased.
// Every write of personal data checks this inside its transaction, so a
// purge is never undone by a write that raced it.
absl::Status RequireNotPurged(SurveyTx& tx, const std::string& cohort_id,
                              const std::string& participant = "");

// ---------------------------------------------------------------- idempotency

absl::StatusOr<std::optional<std::string>> Replayed(SurveyTx& tx, const std::string& scope,
                                                    const std::string& request_id,
                                                    const google::protobuf::Message& request);
absl::Status Remember(SurveyTx& tx, const std::string& scope, const std::string& request_id,
                      const google::protobuf::Message& request,
                      const std::string& resource_name, absl::Time now);

// ---------------------------------------------------------------- scoring

// A respondent's scores by id (scale or item): a flat table sorted by id,
// with the map-like reads the lenses use (find / end / count). Building one
// is two small vectors, not a node per entry, which matters for a pool of
// tens of thousands (docs/benchmarks.md).
class ScoreTable {
 public:
  using Entry = std::pair<absl::string_view, double>;
  // Over `ids` (sorted; must outlive the table), every entry absent.
  void Init(const std::vector<std::string>* ids);
  // Sets the entry at `index` of the ids.
  void Set(size_t index, double value) { entries_[index].second = value; }
  // The entry for `id`, or end() when absent. Lookups of one id across the
  // tables of one layout (a pool loop) cost one string compare: the last
  // id's position is remembered per thread.
  const Entry* find(absl::string_view id) const;
  const Entry* end() const { return nullptr; }
  size_t count(absl::string_view id) const { return find(id) != nullptr ? 1 : 0; }

 private:
  const std::vector<std::string>* ids_ = nullptr;
  std::vector<Entry> entries_;  // aligned with *ids_; NaN = absent
};

// One respondent scored on a version's scales.
struct Scored {
  std::string response;      // response name
  std::string participant;   // "" in anonymous waves
  std::string municipality;  // "" when not kept
  std::string cohort_id;
  // Scale id -> score (scales meeting the missing-item rule only).
  ScoreTable scales;
  // Item id -> value after reverse coding (scale items answered).
  ScoreTable items;
  // Owns the ids the tables point into.
  std::shared_ptr<const void> ids;
};

// Scores each response on `version`'s scales (stats::ScaleScore: reverse
// coding, at least half the items answered). Responses of other versions of
// the instrument are scored by item id, so waves and years compare.
std::vector<Scored> ScoreResponses(const v1::InstrumentVersion& version,
                                   const std::vector<ResponseRecord>& responses);

// The same for projected pool rows (SurveyTx::ListPoolLikert, asked for
// LikertItemIds(version)): the fast path for pools of thousands.
std::vector<Scored> ScoreRows(const v1::InstrumentVersion& version,
                              const std::vector<PoolRow>& rows);
// The ids of `version`'s Likert items, in item order (ListPoolLikert's
// columns for ScoreRows).
std::vector<std::string> LikertItemIds(const v1::InstrumentVersion& version);

// The walls a respondent's scores rank highest (ties all count); empty when
// no wall scale scored.
std::vector<kaizen::type::Wall> StrongestWalls(const v1::InstrumentVersion& version,
                                               const Scored& scored);

}  // namespace kaizen::survey::internal

#endif  // KAIZEN_SERVICES_SURVEY_INTERNAL_H_
