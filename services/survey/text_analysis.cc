// Japanese free text (AnalyzeText) and the coding rules that map it to the
// four walls (GetCodingRules, UpdateCodingRules).
//
// Free text never leaves the staff of its author's cohort unless the author
// agreed (Answer.share_text): the wave's own text is read by its cohort's
// staff only, and the reference corpus takes other cohorts' answers only
// where their authors shared them. MeCab runs after the transaction.
#include <algorithm>
#include <limits>
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
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/survey/disclosure.h"
#include "services/survey/internal.h"
#include "services/survey/survey.h"
#include "services/survey/survey_errors.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

namespace kaizen::survey {

using enrollment_client::CohortMembership;
using internal::Violations;
using kaizen::type::Wall;

namespace {

constexpr int kDefaultTop = 50;
constexpr int kMaxTop = 200;
constexpr int kMaxRules = 200;
constexpr int kMaxKeywordChars = 50;
constexpr absl::string_view kCodingRulesName = "codingRules";

// One free-text answer with where it came from.
struct TextAnswer {
  std::string response;  // response name
  std::string item_id;
  std::string text;
};

std::string NameOf(const ResponseRecord& rec) {
  return internal::ResponseName(internal::WaveId{rec.cohort_id, rec.wave_id}, rec.id);
}

// The FREE_TEXT answers of `rec` (`shared_only`: those whose author agreed
// they may leave the staff).
void CollectText(const ResponseRecord& rec, bool shared_only, std::vector<TextAnswer>& out) {
  for (const v1::Answer& a : rec.response.answers()) {
    if (a.value_case() != v1::Answer::kText || a.text().empty()) continue;
    if (shared_only && !a.share_text()) continue;
    out.push_back({NameOf(rec), a.item_id(), a.text()});
  }
}

v1::CodingRules Present(v1::CodingRules rules, int64_t revision) {
  rules.set_etag(MakeEtag(kCodingRulesName, revision));
  return rules;
}

}  // namespace

absl::StatusOr<v1::TextAnalysis> Survey::AnalyzeText(const Principal& caller,
                                                     const v1::AnalyzeTextRequest& r) {
  ASSIGN_OR_RETURN(internal::WaveId wave_id, internal::ParseWaveName("wave", r.wave()));
  Violations v;
  if (!r.municipality_code().empty()) {
    v.Check(internal::CheckMunicipalityCode("municipality_code", r.municipality_code()));
  }
  if (!r.keyword().empty()) {
    v.Check(ValidateText("keyword", r.keyword(), 1, kMaxKeywordChars, false));
  }
  if (r.top() < 0 || r.top() > kMaxTop) v.Add("top", "must be from 1 to 200");
  RETURN_IF_ERROR(v.Result());
  const int top = r.top() == 0 ? kDefaultTop : r.top();

  if (auth::HasRole(caller, kaizen::type::ROLE_PARTNER_HR) ||
      auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
    return StaffOnly("read free text");
  }
  ASSIGN_OR_RETURN(auto membership,
                   CohortMembership::Fetch(*roster_, wave_id.cohort_name(), caller));
  if (!membership->staff()) {
    if (!membership->member()) return CallerNotOnRoster();
    return StaffOnly("read free text");
  }

  std::vector<TextAnswer> target;
  std::vector<TextAnswer> reference;
  std::optional<std::pair<v1::CodingRules, int64_t>> stored_rules;
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(WaveRecord wave, tx.GetWave(wave_id.cohort_id, wave_id.wave_id));
    ASSIGN_OR_RETURN(auto version, internal::ParseVersionName("wave.instrument_version",
                                                              wave.wave.instrument_version()));
    // The analysed wave even while open; the reference only from closed
    // waves (disclosure.h, "Time").
    ASSIGN_OR_RETURN(auto pool, tx.ListPool({version.first, wave.wave.kind(), "", "", now,
                                             wave_id.cohort_id}));
    for (const ResponseRecord& rec : pool) {
      const bool this_wave = rec.cohort_id == wave_id.cohort_id && rec.wave_id == wave_id.wave_id;
      const bool in_target =
          this_wave && (r.municipality_code().empty() ||
                        rec.response.municipality_code() == r.municipality_code());
      if (in_target) {
        CollectText(rec, false, target);
      } else {
        // The caller's own cohort's text is theirs to read; other cohorts'
        // only where the author agreed.
        CollectText(rec, rec.cohort_id != wave_id.cohort_id, reference);
      }
    }
    ASSIGN_OR_RETURN(stored_rules, tx.GetCodingRules());
    return absl::OkStatus();
  }));

  std::vector<std::pair<Wall, std::string>> rule_texts;
  if (stored_rules.has_value()) {
    for (const v1::CodingRule& rule : stored_rules->first.rules()) {
      rule_texts.emplace_back(rule.wall(), rule.expression());
    }
  } else {
    rule_texts = text::DefaultCodingRules();
  }
  ASSIGN_OR_RETURN(auto rules, text::CompileCodingRules(rule_texts));

  v1::TextAnalysis out;
  out.set_wave(wave_id.name());
  out.set_municipality_code(r.municipality_code());
  std::map<std::string, int> target_counts;
  std::map<std::string, std::string> pos_of;
  for (const TextAnswer& a : target) {
    const std::vector<text::Token> tokens = tokenizer_->Tokenize(a.text);
    for (const auto& [term, n] : text::CountTerms(tokens)) target_counts[term] += n;
    for (const text::Token& t : tokens) pos_of.emplace(t.base, t.pos);
    if (!r.keyword().empty()) {
      for (const text::Kwic& kwic : text::KeywordInContext(a.text, tokens, r.keyword())) {
        v1::KeywordInContext* k = out.add_keyword_in_context();
        k->set_response(a.response);
        k->set_item_id(a.item_id);
        k->set_left(kwic.left);
        k->set_keyword(kwic.keyword);
        k->set_right(kwic.right);
      }
    }
    v1::CodedResponse* coded = out.add_coded();
    coded->set_response(a.response);
    coded->set_item_id(a.item_id);
    for (Wall w : text::CodeText(*tokenizer_, a.text, rules)) coded->add_walls(w);
  }
  std::map<std::string, int> reference_counts;
  // Reference answers each term occurs in: a term only the reference has is
  // named only when at least k answers have it (a place or department
  // name from one author of another cohort is not an aggregate).
  std::map<std::string, int> reference_answers;
  for (const TextAnswer& a : reference) {
    const std::vector<text::Token> tokens = tokenizer_->Tokenize(a.text);
    for (const auto& [term, n] : text::CountTerms(tokens)) {
      reference_counts[term] += n;
      ++reference_answers[term];
    }
    for (const text::Token& t : tokens) pos_of.emplace(t.base, t.pos);
  }
  const int k = disclosure::EffectiveK(config_.min_group_size);

  // Most frequent first, ties by term.
  std::vector<std::pair<std::string, int>> terms(target_counts.begin(), target_counts.end());
  std::stable_sort(terms.begin(), terms.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < terms.size() && static_cast<int>(i) < top; ++i) {
    v1::TermCount* t = out.add_terms();
    t->set_term(terms[i].first);
    t->set_part_of_speech(pos_of[terms[i].first]);
    t->set_count(terms[i].second);
  }
  // Every term ranked, then the first `top` that may be named.
  for (const text::Distinctive& d : text::DistinctiveTerms(
           target_counts, reference_counts, std::numeric_limits<int>::max())) {
    if (out.distinctive_terms_size() >= top) break;
    if (d.target == 0 && reference_answers[d.term] < k) continue;
    v1::TermCount* t = out.add_distinctive_terms();
    t->set_term(d.term);
    t->set_part_of_speech(pos_of[d.term]);
    t->set_count(d.target);
    t->set_log_likelihood(d.g2);
    t->set_overused(d.overused);
  }
  return out;
}

absl::StatusOr<v1::CodingRules> Survey::GetCodingRules(const Principal& caller,
                                                       const v1::GetCodingRulesRequest&) {
  if (!auth::IsStaff(caller)) return StaffOnly("see the coding rules");
  v1::CodingRules out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto stored, tx.GetCodingRules());
    // Before EnsureBuiltins stored them, the defaults at revision 0.
    out = stored.has_value() ? Present(stored->first, stored->second)
                             : Present(internal::DefaultCodingRulesMessage(), 0);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::CodingRules> Survey::UpdateCodingRules(const Principal& caller,
                                                          const v1::UpdateCodingRulesRequest& r) {
  if (!auth::HasRole(caller, kaizen::type::ROLE_SECRETARIAT)) {
    return SecretariatOnly("change the coding rules");
  }
  Violations v;
  if (r.rules().etag().empty()) {
    v.Add("rules.etag", "is required: send the etag GetCodingRules returned");
  }
  if (r.rules().rules_size() < 1 || r.rules().rules_size() > kMaxRules) {
    v.Add("rules.rules", "must hold 1 to 200 rules");
  } else {
    for (int i = 0; i < r.rules().rules_size(); ++i) {
      const v1::CodingRule& rule = r.rules().rules(i);
      const std::string path = absl::StrCat("rules.rules[", i, "]");
      if (!kaizen::type::Wall_IsValid(rule.wall()) ||
          rule.wall() == kaizen::type::WALL_UNSPECIFIED) {
        v.Add(path + ".wall", "must be one of the four walls");
      }
      absl::StatusOr<text::CodingRule> parsed = text::CodingRule::Parse(rule.expression());
      if (!parsed.ok()) {
        v.Check(InvalidRule(path + ".expression", parsed.status().message()));
      }
    }
  }
  RETURN_IF_ERROR(v.Result());

  const absl::Time now = clock_->Now();
  v1::CodingRules out;
  RETURN_IF_ERROR(store_->Write([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto stored, tx.GetCodingRules());
    const int64_t revision = stored.has_value() ? stored->second : 0;
    RETURN_IF_ERROR(CheckEtag(kCodingRulesName, revision, r.rules().etag()));
    v1::CodingRules rules;
    *rules.mutable_rules() = r.rules().rules();
    *rules.mutable_update_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.PutCodingRules(rules, revision + 1));
    out = Present(std::move(rules), revision + 1);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::survey
