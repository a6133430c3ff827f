// AnalyzeText and the coding rules on the domain with in-memory SQLite, a
// real MeCab tokenizer and Japanese answers seeded straight through the
// store.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/enrollment/fake_roster_source.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/status/errors.h"
#include "common/testing/principals.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

namespace kaizen::survey {
namespace text_analysis_test {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::type::Principal;
using ::kaizen::type::Wall;
using ::testing::Contains;
using ::testing::ElementsAre;

constexpr char kMatsusaka[] = "242047";
constexpr char kChiyoda[] = "131016";
constexpr char kSapporo[] = "011002";
constexpr char kWave[] = "cohorts/c1/waves/pre";

Principal Member(const std::string& cohort, int i) {
  return testkit::User(absl::StrCat("user-", cohort, "-p", i), kaizen::type::ROLE_PARTICIPANT);
}
Principal Staff(const std::string& cohort) {
  return testkit::User(absl::StrCat("user-", cohort, "-nav"), kaizen::type::ROLE_NAVIGATOR);
}

struct Text {
  std::string town;
  std::string text;
  bool shared = false;
};

class TextAnalysisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SurveyStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto tokenizer = text::Tokenizer::Create();
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    tokenizer_ = std::move(*tokenizer);
    clock_.Set(absl::FromUnixSeconds(1700000000));
    survey_ = std::make_unique<Survey>(store_.get(), &roster_, &meetings_, tokenizer_.get(),
                                       &clock_, SurveyConfig{"text-test-page-key-0123456", 5});
    ASSERT_TRUE(survey_->EnsureBuiltins().ok());

    // c1: Matsusaka p1-p3, Chiyoda p4-p6, each naming a wall in other
    // words; Matsusaka keeps mentioning colleagues (同僚).
    Seed("c1", {{kMatsusaka, "係のみんなに声をかけても誰も乗ってこない。同僚の協力がほしい。"},
                {kMatsusaka, "同僚と一緒に改善したいが、同僚は忙しく、同僚に頼みにくい。"},
                {kMatsusaka, "せっかくの提案も部長のところで止まってしまう"},
                {kChiyoda, "課長に話すと面倒な奴だと思われそうで言い出せない"},
                {kChiyoda, "業務改善をしても人事評価では全く考慮されない"},
                {kChiyoda, "上司に嫌われそうで改善提案ができない"}});
    // c2: one answer kept within its staff, one shared by its author.
    Seed("c2", {{kSapporo, "予算が足りない。予算の査定で予算が削られる。"},
                {kSapporo, "財政が厳しい。財政当局が財政を握っている。", true}});
  }

  void Seed(const std::string& cohort, const std::vector<Text>& texts) {
    ev1::Roster roster;
    roster.set_cohort("cohorts/" + cohort);
    auto* nav = roster.add_entries();
    nav->set_participant(absl::StrCat("cohorts/", cohort, "/participants/nav"));
    nav->set_role(ev1::Participant::NAVIGATOR);
    nav->set_subject(absl::StrCat("user-", cohort, "-nav"));
    for (size_t i = 0; i < texts.size(); ++i) {
      auto* e = roster.add_entries();
      e->set_participant(absl::StrCat("cohorts/", cohort, "/participants/p", i + 1));
      e->set_role(ev1::Participant::PARTICIPANT);
      e->set_municipality_code(texts[i].town);
      e->set_subject(absl::StrCat("user-", cohort, "-p", i + 1));
    }
    roster_.SetRoster(roster);
    ASSERT_TRUE(store_
                    ->Write([&](SurveyTx& tx) -> absl::Status {
                      WaveRecord w;
                      w.cohort_id = cohort;
                      w.id = "pre";
                      w.wave.set_name(absl::StrCat("cohorts/", cohort, "/waves/pre"));
                      w.wave.set_kind(v1::Wave::PRE);
                      w.wave.set_instrument_version("instruments/kaizen-pre/versions/v1");
                      if (absl::Status s = tx.InsertWave(&w); !s.ok()) return s;
                      for (size_t i = 0; i < texts.size(); ++i) {
                        ResponseRecord rec;
                        rec.cohort_id = cohort;
                        rec.wave_id = "pre";
                        rec.id = absl::StrCat("r", i + 1);
                        rec.participant =
                            absl::StrCat("cohorts/", cohort, "/participants/p", i + 1);
                        rec.wave_kind = v1::Wave::PRE;
                        rec.instrument_id = "kaizen-pre";
                        rec.response.set_name(
                            absl::StrCat("cohorts/", cohort, "/waves/pre/responses/", rec.id));
                        rec.response.set_participant(rec.participant);
                        rec.response.set_municipality_code(texts[i].town);
                        rec.response.set_submitted(true);
                        v1::Answer* a = rec.response.add_answers();
                        a->set_item_id("free-wall-now");
                        a->set_text(texts[i].text);
                        a->set_share_text(texts[i].shared);
                        if (absl::Status s = tx.InsertResponse(&rec); !s.ok()) return s;
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }

  absl::StatusOr<v1::TextAnalysis> Analyze(const Principal& caller, const std::string& town = "",
                                           const std::string& keyword = "", int top = 0) {
    v1::AnalyzeTextRequest r;
    r.set_wave(kWave);
    r.set_municipality_code(town);
    r.set_keyword(keyword);
    r.set_top(top);
    return survey_->AnalyzeText(caller, r);
  }

  std::unique_ptr<SurveyStore> store_;
  std::unique_ptr<text::Tokenizer> tokenizer_;
  enrollment_client::FakeRosterSource roster_;
  scheduling_client::FakeMeetingSource meetings_;
  FakeClock clock_;
  std::unique_ptr<Survey> survey_;
};

std::map<std::string, std::vector<Wall>> CodedByResponse(const v1::TextAnalysis& a) {
  std::map<std::string, std::vector<Wall>> out;
  for (const auto& c : a.coded()) {
    std::vector<Wall>& walls = out[c.response()];
    for (int w : c.walls()) walls.push_back(static_cast<Wall>(w));
  }
  return out;
}

std::string Response(int i) { return absl::StrCat(kWave, "/responses/r", i); }

TEST_F(TextAnalysisTest, CodesRealSentencesToTheWallsTheyNameInOtherWords) {
  auto a = Analyze(Staff("c1"));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->wave(), kWave);
  ASSERT_EQ(a->coded_size(), 6);
  auto coded = CodedByResponse(*a);
  EXPECT_THAT(coded[Response(1)], Contains(Wall::PEERS));
  EXPECT_THAT(coded[Response(3)], ElementsAre(Wall::EXECUTIVES));
  EXPECT_THAT(coded[Response(4)], ElementsAre(Wall::SENIORS_AND_BOSSES));
  EXPECT_THAT(coded[Response(5)], ElementsAre(Wall::HR_EVALUATION));
  EXPECT_THAT(coded[Response(6)], ElementsAre(Wall::SENIORS_AND_BOSSES));
  for (const auto& c : a->coded()) EXPECT_EQ(c.item_id(), "free-wall-now");
}

TEST_F(TextAnalysisTest, TermCountsDistinctiveTermsAndKeywordInContext) {
  auto a = Analyze(Staff("c1"), kMatsusaka, "同僚", 1);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->municipality_code(), kMatsusaka);
  // Only Matsusaka's three answers are the target.
  EXPECT_EQ(a->coded_size(), 3);
  ASSERT_EQ(a->terms_size(), 1);
  EXPECT_EQ(a->terms(0).term(), "同僚");
  EXPECT_EQ(a->terms(0).count(), 4);
  EXPECT_EQ(a->terms(0).part_of_speech(), "名詞");
  // 同僚: 4 here, never in the reference (Chiyoda and the shared c2 text).
  ASSERT_GE(a->distinctive_terms_size(), 1);
  EXPECT_EQ(a->distinctive_terms(0).term(), "同僚");
  EXPECT_TRUE(a->distinctive_terms(0).overused());
  EXPECT_GT(a->distinctive_terms(0).log_likelihood(), 3.84);
  EXPECT_EQ(a->distinctive_terms(0).count(), 4);

  ASSERT_EQ(a->keyword_in_context_size(), 4);
  const auto& first = a->keyword_in_context(0);
  EXPECT_EQ(first.response(), Response(1));
  EXPECT_EQ(first.item_id(), "free-wall-now");
  EXPECT_EQ(first.keyword(), "同僚");
  EXPECT_EQ(first.right(), "の協力がほしい。");
  EXPECT_EQ(a->keyword_in_context(1).response(), Response(2));
  EXPECT_EQ(a->keyword_in_context(1).left(), "");
}

TEST_F(TextAnalysisTest, OtherCohortsTextCountsOnlyWhereItsAuthorShared) {
  // 財政 is in one shared answer of c2: an underused term of one author of
  // another cohort is not named (fewer than k answers have it).
  auto a = Analyze(Staff("c1"));
  ASSERT_TRUE(a.ok()) << a.status();
  for (const auto& t : a->distinctive_terms()) {
    EXPECT_NE(t.term(), "予算");
    EXPECT_NE(t.term(), "財政");
  }
  for (const auto& t : a->terms()) EXPECT_NE(t.term(), "予算");
  // Four more authors elsewhere share it: five answers, named.
  Seed("c3", {{kSapporo, "財政の壁がある。", true},
              {kSapporo, "財政課が厳しい。", true},
              {kSapporo, "財政の理解がない。", true},
              {kSapporo, "財政担当に止められる。", true}});
  a = Analyze(Staff("c1"));
  ASSERT_TRUE(a.ok()) << a.status();
  bool saw_shared = false;
  for (const auto& t : a->distinctive_terms()) {
    EXPECT_NE(t.term(), "予算");
    if (t.term() == "財政") {
      saw_shared = true;
      EXPECT_FALSE(t.overused());
      EXPECT_EQ(t.count(), 0);
    }
  }
  EXPECT_TRUE(saw_shared);
}

TEST_F(TextAnalysisTest, StaffOfTheCohortOnly) {
  EXPECT_EQ(errors::Reason(Analyze(Member("c1", 1)).status()), "STAFF_ONLY");
  EXPECT_EQ(errors::Reason(Analyze(Staff("c2")).status()), "NOT_ON_ROSTER");
  EXPECT_EQ(errors::Reason(Analyze(testkit::PartnerHr(kMatsusaka)).status()), "STAFF_ONLY");
  EXPECT_TRUE(Analyze(testkit::Secretariat()).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(Analyze(Staff("c1"), "", "", 201).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Analyze(Staff("c1"), "24204", "").status()));
  // Valid check digits, but a ward (札幌市中央区: the city's code is named)
  // and a code that does not exist.
  const absl::Status ward = Analyze(Staff("c1"), "011011").status();
  EXPECT_EQ(errors::Reason(ward), "MUNICIPALITY_IS_WARD");
  EXPECT_NE(ward.message().find("011002"), std::string::npos) << ward;
  EXPECT_EQ(errors::Reason(Analyze(Staff("c1"), "013005").status()), "MUNICIPALITY_UNKNOWN");
  v1::AnalyzeTextRequest r;
  r.set_wave("cohorts/c1/waves/mid");
  EXPECT_TRUE(absl::IsInvalidArgument(survey_->AnalyzeText(Staff("c1"), r).status()));
  r.set_wave("cohorts/c1/waves/follow-up-6");
  EXPECT_TRUE(absl::IsNotFound(survey_->AnalyzeText(Staff("c1"), r).status()));
}

TEST_F(TextAnalysisTest, DefaultTopIsFifty) {
  auto a = Analyze(Staff("c1"));
  ASSERT_TRUE(a.ok());
  EXPECT_GT(a->terms_size(), 10);
  EXPECT_LE(a->terms_size(), 50);
  for (int i = 1; i < a->terms_size(); ++i) {
    EXPECT_GE(a->terms(i - 1).count(), a->terms(i).count());
  }
}

// ---------------------------------------------------------------- coding rules

v1::UpdateCodingRulesRequest Rules(const std::string& etag,
                                   const std::vector<std::pair<Wall, std::string>>& rules) {
  v1::UpdateCodingRulesRequest r;
  r.mutable_rules()->set_etag(etag);
  for (const auto& [wall, expression] : rules) {
    v1::CodingRule* rule = r.mutable_rules()->add_rules();
    rule->set_wall(wall);
    rule->set_expression(expression);
  }
  return r;
}

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  if (auto br = errors::GetBadRequest(s)) {
    for (const auto& v : br->field_violations()) out.push_back(v.field());
  }
  return out;
}

TEST_F(TextAnalysisTest, GetCodingRulesIsForStaff) {
  auto rules = survey_->GetCodingRules(Staff("c9"), {});
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rules_size(), static_cast<int>(text::DefaultCodingRules().size()));
  EXPECT_EQ(rules->etag(), MakeEtag("codingRules", 1));
  EXPECT_TRUE(survey_->GetCodingRules(testkit::Secretariat(), {}).ok());
  EXPECT_EQ(errors::Reason(survey_->GetCodingRules(Member("c1", 1), {}).status()), "STAFF_ONLY");
}

TEST_F(TextAnalysisTest, UpdateCodingRulesValidatesEveryRuleAndTheEtag) {
  const std::string etag = survey_->GetCodingRules(Staff("c1"), {})->etag();
  const auto secretariat = testkit::Secretariat();

  EXPECT_EQ(
      errors::Reason(
          survey_->UpdateCodingRules(Staff("c1"), Rules(etag, {{Wall::PEERS, "同僚"}})).status()),
      "SECRETARIAT_ONLY");
  auto no_etag = survey_->UpdateCodingRules(secretariat, Rules("", {{Wall::PEERS, "同僚"}}));
  EXPECT_TRUE(absl::IsInvalidArgument(no_etag.status()));
  EXPECT_THAT(Fields(no_etag.status()), ElementsAre("rules.etag"));

  auto bad = survey_->UpdateCodingRules(
      secretariat, Rules(etag, {{Wall::WALL_UNSPECIFIED, "同僚"}, {Wall::EXECUTIVES, "幹部 and"}}));
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_THAT(Fields(bad.status()),
              ElementsAre("rules.rules[0].wall", "rules.rules[1].expression"));
  auto bad_rule =
      survey_->UpdateCodingRules(secretariat, Rules(etag, {{Wall::EXECUTIVES, "(幹部 or 部長"}}));
  EXPECT_EQ(errors::Reason(bad_rule.status()), "INVALID_RULE");
  EXPECT_THAT(Fields(bad_rule.status()), ElementsAre("rules.rules[0].expression"));

  std::vector<std::pair<Wall, std::string>> too_many(201, {Wall::PEERS, "同僚"});
  EXPECT_THAT(Fields(survey_->UpdateCodingRules(secretariat, Rules(etag, too_many)).status()),
              ElementsAre("rules.rules"));
  EXPECT_TRUE(
      absl::IsInvalidArgument(survey_->UpdateCodingRules(secretariat, Rules(etag, {})).status()));
  EXPECT_TRUE(absl::IsAborted(
      survey_->UpdateCodingRules(secretariat, Rules("\"stale\"", {{Wall::PEERS, "同僚"}}))
          .status()));

  // Colleagues now code as the HR wall (a test dictionary, not advice).
  auto updated =
      survey_->UpdateCodingRules(secretariat, Rules(etag, {{Wall::HR_EVALUATION, "同僚"}}));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), MakeEtag("codingRules", 2));
  EXPECT_NE(updated->etag(), etag);
  EXPECT_TRUE(updated->has_update_time());
  auto again = survey_->GetCodingRules(Staff("c1"), {});
  ASSERT_EQ(again->rules_size(), 1);
  EXPECT_EQ(again->etag(), updated->etag());
  // The old etag is stale now.
  EXPECT_TRUE(absl::IsAborted(
      survey_->UpdateCodingRules(secretariat, Rules(etag, {{Wall::PEERS, "同僚"}})).status()));

  auto a = Analyze(Staff("c1"));
  ASSERT_TRUE(a.ok());
  auto coded = CodedByResponse(*a);
  EXPECT_THAT(coded[Response(2)], ElementsAre(Wall::HR_EVALUATION));
  EXPECT_TRUE(coded[Response(4)].empty());
}

}  // namespace
}  // namespace kaizen::survey
