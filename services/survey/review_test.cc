// Adversarial review: disclosure through the pool beside the cohort filter,
// per-scale subtraction, percentiles seen by staff, and padded free text.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/enrollment/fake_roster_source.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/status/errors.h"
#include "common/testing/principals.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/survey_test_util.h"
#include "services/survey/text.h"

namespace kaizen::survey {
namespace review_test {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::type::Principal;

constexpr char kMatsusaka[] = "242047";
constexpr char kChiyoda[] = "131016";
constexpr char kYokohama[] = "141003";
constexpr char kOsaka[] = "271004";
constexpr int kK = 5;

std::string Person(const std::string& cohort, int i) {
  return absl::StrCat("cohorts/", cohort, "/participants/p", i);
}
Principal Member(const std::string& cohort, int i) {
  return testkit::User(absl::StrCat("user-", cohort, "-p", i), kaizen::type::ROLE_PARTICIPANT);
}
Principal Staff(const std::string& cohort) {
  return testkit::User(absl::StrCat("user-", cohort, "-nav"), kaizen::type::ROLE_NAVIGATOR);
}
bool RestOk(int rest) { return rest == 0 || rest >= kK; }

class ReviewLensesTest : public ::testing::Test {
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
                                       &clock_, SurveyConfig{"review-test-page-key-0123", kK});
    ASSERT_TRUE(survey_->EnsureBuiltins().ok());
    ASSERT_TRUE(store_
                    ->Read([&](SurveyTx& tx) -> absl::Status {
                      auto v = tx.GetVersion("kaizen-pre", 1);
                      if (!v.ok()) return v.status();
                      version_ = v->version;
                      return absl::OkStatus();
                    })
                    .ok());
  }

  void SetRoster(const std::string& cohort, const std::vector<std::string>& towns) {
    ev1::Roster roster;
    roster.set_cohort("cohorts/" + cohort);
    auto* nav = roster.add_entries();
    nav->set_participant(absl::StrCat("cohorts/", cohort, "/participants/nav"));
    nav->set_role(ev1::Participant::NAVIGATOR);
    nav->set_subject(absl::StrCat("user-", cohort, "-nav"));
    for (size_t i = 0; i < towns.size(); ++i) {
      auto* e = roster.add_entries();
      e->set_participant(Person(cohort, static_cast<int>(i + 1)));
      e->set_role(ev1::Participant::PARTICIPANT);
      e->set_municipality_code(towns[i]);
      e->set_subject(absl::StrCat("user-", cohort, "-p", i + 1));
    }
    roster_.SetRoster(roster);
    towns_[cohort] = towns;
  }

  // Participant i of `cohort` submits PRE: every scale scores `score` except
  // those in `scores` (and scales in `skip` are left unanswered).
  void Respond(const std::string& cohort, int i, int score,
               const std::map<std::string, int>& scores = {},
               const std::set<std::string>& skip = {}, v1::Wave::Kind kind = v1::Wave::PRE) {
    const std::string wave_id = kind == v1::Wave::PRE ? "pre" : "follow-up-6";
    ASSERT_TRUE(store_
                    ->Write([&](SurveyTx& tx) -> absl::Status {
                      if (tx.GetWave(cohort, wave_id).ok()) return absl::OkStatus();
                      WaveRecord w;
                      w.cohort_id = cohort;
                      w.id = wave_id;
                      w.wave.set_name(absl::StrCat("cohorts/", cohort, "/waves/", wave_id));
                      w.wave.set_kind(kind);
                      w.wave.set_instrument_version("instruments/kaizen-pre/versions/v1");
                      *w.wave.mutable_open_time() = ToProtoTimestamp(absl::FromUnixSeconds(0));
                      *w.wave.mutable_close_time() =
                          ToProtoTimestamp(absl::FromUnixSeconds(1600000000));
                      return tx.InsertWave(&w);
                    })
                    .ok());
    ResponseRecord rec;
    rec.cohort_id = cohort;
    rec.wave_id = wave_id;
    rec.id = absl::StrCat("r", i);
    rec.wave_kind = kind;
    rec.instrument_id = "kaizen-pre";
    rec.response.set_name(
        absl::StrCat("cohorts/", cohort, "/waves/", wave_id, "/responses/", rec.id));
    rec.participant = Person(cohort, i);
    rec.response.set_participant(rec.participant);
    rec.response.set_municipality_code(towns_[cohort][i - 1]);
    rec.response.set_submitted(true);
    for (const v1::Scale& scale : version_.scales()) {
      if (skip.count(scale.id()) > 0) continue;
      auto it = scores.find(scale.id());
      const int s = it != scores.end() ? it->second : score;
      for (const std::string& item : scale.item_ids()) {
        const bool reversed =
            std::find(scale.reverse_item_ids().begin(), scale.reverse_item_ids().end(), item) !=
            scale.reverse_item_ids().end();
        v1::Answer* a = rec.response.add_answers();
        a->set_item_id(item);
        a->set_likert(reversed ? 6 - s : s);
      }
    }
    ASSERT_TRUE(store_->Write([&](SurveyTx& tx) { return tx.InsertResponse(&rec); }).ok());
  }

  absl::StatusOr<v1::MunicipalityProfile> Town(const Principal& caller, const std::string& code,
                                               const std::string& cohort = "") {
    v1::GetMunicipalityProfileRequest r;
    r.set_municipality_code(code);
    r.set_wave_kind(v1::Wave::PRE);
    if (!cohort.empty()) r.set_cohort("cohorts/" + cohort);
    return survey_->GetMunicipalityProfile(caller, r);
  }

  std::unique_ptr<SurveyStore> store_;
  std::unique_ptr<text::Tokenizer> tokenizer_;
  enrollment_client::FakeRosterSource roster_;
  scheduling_client::FakeMeetingSource meetings_;
  FakeClock clock_;
  std::unique_ptr<Survey> survey_;
  v1::InstrumentVersion version_;
  std::map<std::string, std::vector<std::string>> towns_;
};

// A cohort's staff know all of their cohort; the pool beside their
// cohort-filtered group must not hand them another cohort's few.
TEST_F(ReviewLensesTest, CohortFilterDoesNotRevealAnotherCohortsFewThroughThePool) {
  SetRoster("c1", {kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka});
  SetRoster("c2", {kChiyoda});
  for (int i = 1; i <= 6; ++i) Respond("c1", i, 3);
  // c2's single respondent: openness 5 and a different strongest wall.
  Respond("c2", 1, 2, {{"mgmt-openness", 5}, {"wall-hr", 5}});

  auto staff = Town(Staff("c1"), kMatsusaka, "c1");
  ASSERT_TRUE(staff.ok()) << staff.status();
  EXPECT_EQ(staff->respondents(), 6);
  for (const v1::ScaleComparison& c : staff->scales()) {
    // Everything of the pool outside c1 is one person.
    EXPECT_TRUE(RestOk(c.pool_n() - 6))
        << c.scale_id() << " pool_n " << c.pool_n() << " pool_mean " << c.pool_mean();
  }
  int shown_rest = 0;
  for (const v1::WallCount& w : staff->walls()) {
    if (w.suppressed()) continue;
    // All of c1 is the municipality here: pool - municipality is c2's part.
    shown_rest += w.pool() - w.municipality();
    EXPECT_TRUE(RestOk(w.pool() - w.municipality())) << w.wall();
  }
  EXPECT_EQ(shown_rest, 0);
}

// The respondent-level test passes; a scale some respondents skipped must
// face the same cohort-known subtraction on its own counts.
TEST_F(ReviewLensesTest, PerScaleCountsFaceTheCohortSubtractionToo) {
  SetRoster("c1", {kYokohama, kYokohama, kYokohama, kYokohama, kYokohama, kOsaka, kOsaka, kOsaka,
                   kOsaka, kOsaka});
  SetRoster("c2", {kYokohama, kYokohama, kYokohama, kYokohama, kYokohama, kOsaka, kOsaka, kOsaka,
                   kOsaka, kOsaka});
  for (int i = 1; i <= 10; ++i) Respond("c1", i, 3);
  Respond("c2", 1, 3, {{"mgmt-openness", 1}});
  for (int i = 2; i <= 5; ++i) Respond("c2", i, 3, {}, {"mgmt-openness"});
  for (int i = 6; i <= 10; ++i) Respond("c2", i, 3);

  auto p = Town(Member("c2", 6), kYokohama);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_FALSE(p->scales().empty());  // the group of 10 is released
  for (const v1::ScaleComparison& c : p->scales()) {
    if (c.scale_id() != "mgmt-openness") continue;
    // c1's staff know their 5 Yokohama scores: what is left must be 0 or k.
    EXPECT_TRUE(RestOk(c.n() - 5)) << "n " << c.n() << " mean " << c.mean()
                                   << " reveals c2's one Yokohama openness score";
  }
}

// A participant's percentiles, shown to their staff, rank every member of
// the cohort against the pool: one respondent of another cohort is placed.
TEST_F(ReviewLensesTest, PercentilesDoNotPlaceAnotherCohortsFew) {
  SetRoster("c1", {kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka});
  SetRoster("c2", {kChiyoda});
  for (int i = 1; i <= 5; ++i) Respond("c1", i, i);
  Respond("c2", 1, 3);
  for (int i = 1; i <= 5; ++i) {
    v1::GetPersonProfileRequest r;
    r.set_participant(Person("c1", i));
    r.set_wave("pre");
    auto p = survey_->GetPersonProfile(Staff("c1"), r);
    ASSERT_TRUE(p.ok()) << p.status();
    for (const v1::ScaleScore& s : p->scales()) {
      EXPECT_FALSE(s.has_percentile()) << s.scale_id() << " of p" << i << ": " << s.percentile();
    }
  }
}

// Two municipalities of 5 released beside a cohort of 12: the cohort minus
// both is the other 2, whose mean change must stay hidden.
TEST_F(ReviewLensesTest, ChangeOfTwoMunicipalitiesAndTheCohortDoNotGiveAwayTheRest) {
  SetRoster("c1", {kYokohama, kYokohama, kYokohama, kYokohama, kYokohama, kOsaka, kOsaka, kOsaka,
                   kOsaka, kOsaka, kChiyoda, kChiyoda});
  for (int i = 1; i <= 12; ++i) {
    Respond("c1", i, 3);
    Respond("c1", i, i > 10 ? 5 : 3, {}, {}, v1::Wave::FOLLOW_UP_6);
  }
  auto change = [&](const std::string& town) {
    v1::GetChangeRequest r;
    r.set_cohort("cohorts/c1");
    r.set_municipality_code(town);
    auto c = survey_->GetChange(Member("c1", 1), r);
    EXPECT_TRUE(c.ok()) << c.status();
    std::map<std::string, v1::ScaleChange> out;
    if (c.ok()) {
      for (const auto& s : c->scales()) out[s.scale_id()] = s;
    }
    return out;
  };
  const auto cohort = change("");
  const auto yokohama = change(kYokohama);
  const auto osaka = change(kOsaka);
  for (const auto& [id, all] : cohort) {
    if (yokohama.count(id) == 0 || osaka.count(id) == 0) continue;
    const int rest = all.n() - yokohama.at(id).n() - osaka.at(id).n();
    const double rest_to = all.n() * all.mean_to() - yokohama.at(id).n() * yokohama.at(id).mean_to() -
                           osaka.at(id).n() * osaka.at(id).mean_to();
    EXPECT_TRUE(RestOk(rest)) << id << ": the other " << rest << " sum to " << rest_to;
  }
}

// Free text is measured after trimming; what is stored must be what was
// measured, not megabytes of padding around it.
// Two municipalities of 5 released beside a pool of 12 would give away the
// remaining 2 (pool mean × 12 − the two groups): the small municipalities
// other than the subject must together be 0 or at least k.
TEST_F(ReviewLensesTest, TwoReleasedMunicipalitiesAndThePoolDoNotGiveAwayTheRest) {
  SetRoster("c1", {kYokohama, kYokohama, kYokohama, kYokohama, kYokohama, kOsaka, kOsaka, kOsaka,
                   kOsaka, kOsaka, kChiyoda, kChiyoda});
  for (int i = 1; i <= 12; ++i) Respond("c1", i, i <= 10 ? 3 : 5);
  for (const char* town : {kYokohama, kOsaka}) {
    auto p = Town(Member("c1", 1), town);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_TRUE(p->suppressed()) << town;
    EXPECT_TRUE(p->scales().empty()) << town;
  }
}

TEST_F(ReviewLensesTest, SmallMunicipalitiesThatTogetherReachKDoNotBlockARelease) {
  SetRoster("c1", {kYokohama, kYokohama, kYokohama, kYokohama, kYokohama, kOsaka, kOsaka, kOsaka,
                   kOsaka, kOsaka, kChiyoda, kChiyoda, kMatsusaka, kMatsusaka, kMatsusaka});
  for (int i = 1; i <= 15; ++i) Respond("c1", i, 3);
  // The rest beside Yokohama and Osaka is 2 + 3 = 5 >= k.
  auto p = Town(Member("c1", 1), kYokohama);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->suppressed());
  EXPECT_FALSE(p->scales().empty());
}

class ReviewSurveyTest : public testing::SurveyTest {};

TEST_F(ReviewSurveyTest, PaddedFreeTextIsStoredTrimmed) {
  MakeWave(v1::Wave::PRE);
  const v1::InstrumentVersion version = Builtin();
  std::string text_item;
  for (const v1::Item& item : version.items()) {
    if (item.type() == v1::Item::FREE_TEXT) text_item = item.id();
  }
  ASSERT_FALSE(text_item.empty());
  v1::SaveResponseRequest r;
  r.set_parent(absl::StrCat(testing::kCohort, "/waves/pre"));
  v1::Answer* a = r.add_answers();
  a->set_item_id(text_item);
  a->set_text(std::string(1 << 20, ' ') + "上司の壁" + std::string(1 << 20, ' '));
  auto saved = survey_->SaveResponse(testing::Participant(1), r);
  if (saved.ok()) {
    v1::GetMyResponseRequest g;
    g.set_parent(r.parent());
    auto mine = survey_->GetMyResponse(testing::Participant(1), g);
    ASSERT_TRUE(mine.ok()) << mine.status();
    ASSERT_EQ(mine->answers_size(), 1);
    EXPECT_TRUE(mine->answers(0).text() == "上司の壁") << mine->answers(0).text().size();
    EXPECT_TRUE(saved->answers(0).text() == "上司の壁") << saved->answers(0).text().size();
  } else {
    EXPECT_EQ(errors::Reason(saved.status()), "INVALID_ANSWER");
  }
}

}  // namespace
}  // namespace kaizen::survey
