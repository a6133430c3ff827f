// The three lenses and reliability on the domain with in-memory SQLite,
// responses seeded straight through the store (several cohorts and
// municipalities on the built-in pre-survey), k = 5. The disclosure tests
// are the point: no aggregate below k reaches a non-staff caller, and what
// is hidden cannot be recovered by subtraction.
#include <algorithm>
#include <cmath>
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
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

namespace kaizen::survey {
namespace lenses_test {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::type::Principal;
using ::kaizen::type::Wall;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kMatsusaka[] = "242047";
constexpr char kChiyoda[] = "131016";
constexpr char kSapporo[] = "011002";
constexpr char kYokohama[] = "141003";
constexpr char kOsaka[] = "271004";

constexpr int kK = 5;

// A respondent's intended scale scores (scale id -> 1..5); scales not named
// score 2 (walls) or 3 (the rest). `items` overrides raw answers by item id.
struct Answers {
  std::map<std::string, int> scales;
  std::map<std::string, int> items;
};

Answers StrongestWall(const std::string& wall_scale) {
  Answers a;
  a.scales[wall_scale] = 4;
  return a;
}

std::string Person(const std::string& cohort, int i) {
  return absl::StrCat("cohorts/", cohort, "/participants/p", i);
}
std::string WaveIdOf(v1::Wave::Kind kind) {
  return kind == v1::Wave::PRE           ? "pre"
         : kind == v1::Wave::FOLLOW_UP_6 ? "follow-up-6"
                                         : "follow-up-12";
}
Principal Member(const std::string& cohort, int i) {
  return testkit::User(absl::StrCat("user-", cohort, "-p", i), kaizen::type::ROLE_PARTICIPANT);
}
Principal Staff(const std::string& cohort) {
  return testkit::User(absl::StrCat("user-", cohort, "-nav"), kaizen::type::ROLE_NAVIGATOR);
}

class LensesTest : public ::testing::Test {
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
                                       &clock_, SurveyConfig{"lenses-test-page-key-01234", kK});
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

  // Cohort `cohort` with a navigator and participants p1..pN from `towns`;
  // `also_staff`: the navigator account of another cohort, on this one's
  // staff too.
  void SetRoster(const std::string& cohort, const std::vector<std::string>& towns,
                 const std::string& also_staff = "") {
    ev1::Roster roster;
    roster.set_cohort("cohorts/" + cohort);
    if (!also_staff.empty()) {
      auto* adv = roster.add_entries();
      adv->set_participant(absl::StrCat("cohorts/", cohort, "/participants/adv"));
      adv->set_role(ev1::Participant::NAVIGATOR);
      adv->set_subject(absl::StrCat("user-", also_staff, "-nav"));
    }
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

  void EnsureWave(const std::string& cohort, v1::Wave::Kind kind, bool anonymous) {
    ASSERT_TRUE(store_
                    ->Write([&](SurveyTx& tx) -> absl::Status {
                      if (tx.GetWave(cohort, WaveIdOf(kind)).ok()) {
                        return absl::OkStatus();
                      }
                      WaveRecord w;
                      w.cohort_id = cohort;
                      w.id = WaveIdOf(kind);
                      w.wave.set_name(absl::StrCat("cohorts/", cohort, "/waves/", w.id));
                      w.wave.set_kind(kind);
                      w.wave.set_instrument_version("instruments/kaizen-pre/versions/v1");
                      *w.wave.mutable_open_time() = ToProtoTimestamp(absl::FromUnixSeconds(0));
                      *w.wave.mutable_close_time() =
                          ToProtoTimestamp(absl::FromUnixSeconds(1600000000));
                      w.wave.set_anonymous(anonymous);
                      return tx.InsertWave(&w);
                    })
                    .ok());
  }

  // The wave of `kind` in `cohort`, open until `close` (EnsureWave's close
  // long before the test's clock).
  void OpenWave(const std::string& cohort, v1::Wave::Kind kind, absl::Time close) {
    EnsureWave(cohort, kind, /*anonymous=*/false);
    ASSERT_TRUE(store_
                    ->Write([&](SurveyTx& tx) -> absl::Status {
                      auto w = tx.GetWave(cohort, WaveIdOf(kind));
                      if (!w.ok()) return w.status();
                      *w->wave.mutable_close_time() = ToProtoTimestamp(close);
                      return tx.UpdateWave(&*w);
                    })
                    .ok());
  }

  // Participant i of `cohort` answers the wave of `kind` (created if
  // missing) from their roster municipality.
  void Respond(const std::string& cohort, v1::Wave::Kind kind, int i, const Answers& answers,
               bool anonymous = false, bool submitted = true) {
    EnsureWave(cohort, kind, anonymous);
    ResponseRecord rec;
    rec.cohort_id = cohort;
    rec.wave_id = WaveIdOf(kind);
    rec.id = absl::StrCat("r", i);
    rec.wave_kind = kind;
    rec.instrument_id = "kaizen-pre";
    rec.response.set_name(
        absl::StrCat("cohorts/", cohort, "/waves/", rec.wave_id, "/responses/", rec.id));
    if (anonymous) {
      rec.key_hash = absl::StrCat("hash", i);
    } else {
      rec.participant = Person(cohort, i);
      rec.response.set_participant(rec.participant);
      *rec.response.mutable_submit_time() = ToProtoTimestamp(clock_.Now());
    }
    rec.response.set_municipality_code(towns_[cohort][i - 1]);
    rec.response.set_submitted(submitted);
    for (const v1::Scale& scale : version_.scales()) {
      auto it = answers.scales.find(scale.id());
      const int score =
          it != answers.scales.end() ? it->second : (scale.kind() == v1::Scale::WALL ? 2 : 3);
      for (const std::string& item : scale.item_ids()) {
        const bool reversed =
            std::find(scale.reverse_item_ids().begin(), scale.reverse_item_ids().end(), item) !=
            scale.reverse_item_ids().end();
        v1::Answer* a = rec.response.add_answers();
        a->set_item_id(item);
        auto raw = answers.items.find(item);
        a->set_likert(raw != answers.items.end() ? raw->second : reversed ? 6 - score : score);
      }
    }
    ASSERT_TRUE(store_->Write([&](SurveyTx& tx) { return tx.InsertResponse(&rec); }).ok());
  }

  // Everyone of `cohort` answers `kind` with the same answers.
  void AllRespond(const std::string& cohort, v1::Wave::Kind kind, const Answers& a = {}) {
    for (size_t i = 1; i <= towns_[cohort].size(); ++i) {
      Respond(cohort, kind, static_cast<int>(i), a);
    }
  }

  absl::StatusOr<v1::PersonProfile> Profile(const Principal& caller, const std::string& person,
                                            const std::string& wave = "pre") {
    v1::GetPersonProfileRequest r;
    r.set_participant(person);
    r.set_wave(wave);
    return survey_->GetPersonProfile(caller, r);
  }

  absl::StatusOr<v1::MunicipalityProfile> Town(const Principal& caller, const std::string& code,
                                               const std::string& cohort = "",
                                               v1::Wave::Kind kind = v1::Wave::PRE) {
    v1::GetMunicipalityProfileRequest r;
    r.set_municipality_code(code);
    r.set_wave_kind(kind);
    if (!cohort.empty()) r.set_cohort("cohorts/" + cohort);
    return survey_->GetMunicipalityProfile(caller, r);
  }

  absl::StatusOr<v1::Change> ChangeOf(const Principal& caller, const std::string& cohort,
                                      const std::string& participant = "",
                                      const std::string& town = "") {
    v1::GetChangeRequest r;
    r.set_cohort("cohorts/" + cohort);
    r.set_participant(participant);
    r.set_municipality_code(town);
    return survey_->GetChange(caller, r);
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

const v1::ScaleScore* ScaleOf(const v1::PersonProfile& p, const std::string& id) {
  for (const auto& s : p.scales()) {
    if (s.scale_id() == id) return &s;
  }
  return nullptr;
}
const v1::ScaleComparison* ScaleOf(const v1::MunicipalityProfile& p, const std::string& id) {
  for (const auto& s : p.scales()) {
    if (s.scale_id() == id) return &s;
  }
  return nullptr;
}
const v1::ScaleChange* ScaleOf(const v1::Change& c, const std::string& id) {
  for (const auto& s : c.scales()) {
    if (s.scale_id() == id) return &s;
  }
  return nullptr;
}

// ---------------------------------------------------------------- insect's eye

TEST_F(LensesTest, PersonSeesOwnProfileOthersDoNotStaffDo) {
  SetRoster("c1", {kChiyoda, kChiyoda, kChiyoda, kChiyoda, kMatsusaka, kMatsusaka, kMatsusaka,
                   kYokohama});
  SetRoster("c2", {kSapporo, kSapporo});
  Answers me;
  me.scales = {{"wall-hr", 5}, {"wall-peers", 4}, {"mgmt-openness", 5}, {"self-efficacy", 1}};
  Respond("c1", v1::Wave::PRE, 1, me);
  for (int i = 2; i <= 8; ++i) Respond("c1", v1::Wave::PRE, i, {});

  auto mine = Profile(Member("c1", 1), Person("c1", 1));
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->wave(), "cohorts/c1/waves/pre");
  EXPECT_EQ(mine->pool_size(), 8);
  EXPECT_EQ(mine->scales_size(), 10);
  EXPECT_THAT(mine->walls_ranked(), ElementsAre(Wall::HR_EVALUATION, Wall::PEERS,
                                                Wall::SENIORS_AND_BOSSES, Wall::EXECUTIVES));
  const v1::ScaleScore* hr = ScaleOf(*mine, "wall-hr");
  ASSERT_NE(hr, nullptr);
  EXPECT_TRUE(hr->has_score());
  EXPECT_DOUBLE_EQ(hr->score(), 5);
  EXPECT_EQ(hr->answered_items(), 4);
  EXPECT_EQ(hr->total_items(), 4);
  // Above the seven others (2 each): (7 + 0.5 * 1) / 8.
  EXPECT_TRUE(hr->has_percentile());
  EXPECT_DOUBLE_EQ(hr->percentile(), 93.75);
  // After reverse coding every wall-hr item reads 5; the first three win.
  ASSERT_EQ(mine->strongest_items_size(), 3);
  EXPECT_EQ(mine->strongest_items(0).item_id(), "wall-hr-1");
  EXPECT_EQ(mine->strongest_items(2).item_id(), "wall-hr-3");
  EXPECT_DOUBLE_EQ(mine->strongest_items(0).value(), 5);
  ASSERT_EQ(mine->weakest_items_size(), 3);
  EXPECT_EQ(mine->weakest_items(0).item_id(), "self-efficacy-1");
  EXPECT_DOUBLE_EQ(mine->weakest_items(0).value(), 1);

  // Another participant of the cohort, staff of another cohort, a partner.
  EXPECT_EQ(errors::Reason(Profile(Member("c1", 2), Person("c1", 1)).status()), "NOT_YOURSELF");
  EXPECT_EQ(errors::Reason(Profile(Staff("c2"), Person("c1", 1)).status()), "NOT_ON_ROSTER");
  EXPECT_EQ(errors::Reason(Profile(testkit::PartnerHr(kChiyoda), Person("c1", 1)).status()),
            "NOT_ON_ROSTER");
  // The cohort's staff and the secretariat.
  EXPECT_TRUE(Profile(Staff("c1"), Person("c1", 1)).ok());
  EXPECT_TRUE(Profile(testkit::Secretariat(), Person("c1", 1)).ok());
}

TEST_F(LensesTest, PercentileOnlyAgainstAPoolOfK) {
  SetRoster("c1", {kChiyoda, kChiyoda, kChiyoda, kChiyoda});
  AllRespond("c1", v1::Wave::PRE);
  auto p = Profile(Member("c1", 1), Person("c1", 1));
  ASSERT_TRUE(p.ok()) << p.status();
  for (const auto& s : p->scales()) {
    EXPECT_TRUE(s.has_score()) << s.scale_id();
    EXPECT_FALSE(s.has_percentile()) << s.scale_id();
  }
}

TEST_F(LensesTest, AnonymousWaveAndMissingResponses) {
  SetRoster("c1", {kChiyoda, kChiyoda, kChiyoda});
  Respond("c1", v1::Wave::PRE, 1, {}, /*anonymous=*/true);
  EXPECT_EQ(errors::Reason(Profile(Member("c1", 1), Person("c1", 1)).status()), "ANONYMOUS_WAVE");
  EXPECT_EQ(errors::Reason(Profile(Staff("c1"), Person("c1", 1)).status()), "ANONYMOUS_WAVE");

  Respond("c1", v1::Wave::FOLLOW_UP_6, 1, {}, false, /*submitted=*/false);
  auto draft = Profile(Member("c1", 1), Person("c1", 1), "follow-up-6");
  EXPECT_TRUE(absl::IsNotFound(draft.status())) << draft.status();
  EXPECT_TRUE(absl::IsNotFound(Profile(Staff("c1"), Person("c1", 2), "follow-up-6").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Profile(Member("c1", 1), Person("c1", 1), "mid").status()));
}

// ---------------------------------------------------------------- bird's eye

// PRE: c1 has 4 from Chiyoda, 3 from Matsusaka, 1 from Yokohama; c2 has 5
// from Sapporo: a pool of 13. Openness differs between towns.
class BirdsEyeTest : public LensesTest {
 protected:
  void SetUp() override {
    LensesTest::SetUp();
    SetRoster("c1", {kChiyoda, kChiyoda, kChiyoda, kChiyoda, kMatsusaka, kMatsusaka, kMatsusaka,
                     kYokohama});
    SetRoster("c2", {kSapporo, kSapporo, kSapporo, kSapporo, kSapporo});
    const int c1_openness[] = {2, 2, 3, 2, 3, 3, 4, 5};
    for (int i = 1; i <= 8; ++i) {
      Answers a = StrongestWall(i <= 4   ? "wall-seniors"
                                : i <= 7 ? "wall-executives"
                                         : "wall-peers");
      a.scales["mgmt-openness"] = c1_openness[i - 1];
      Respond("c1", v1::Wave::PRE, i, a);
    }
    const int c2_openness[] = {4, 4, 5, 4, 3};
    for (int i = 1; i <= 5; ++i) {
      Answers a = StrongestWall(i <= 3 ? "wall-peers" : "wall-hr");
      a.scales["mgmt-openness"] = c2_openness[i - 1];
      Respond("c2", v1::Wave::PRE, i, a);
    }
  }
};

TEST_F(BirdsEyeTest, BelowKIsSuppressedForParticipantsButNotForTheCohortsStaff) {
  // 4 Chiyoda respondents in a pool of 13.
  auto seen = Town(Member("c2", 1), kChiyoda);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_TRUE(seen->suppressed());
  EXPECT_EQ(seen->respondents(), 0);
  EXPECT_THAT(seen->scales(), IsEmpty());
  EXPECT_THAT(seen->walls(), IsEmpty());
  EXPECT_THAT(seen->most_distinctive(), IsEmpty());
  EXPECT_EQ(seen->pool_respondents(), 13);
  EXPECT_EQ(seen->min_group_size(), kK);
  // Its own participants and staff looking without the cohort filter alike.
  EXPECT_TRUE(Town(Member("c1", 1), kChiyoda)->suppressed());
  EXPECT_TRUE(Town(Staff("c1"), kChiyoda)->suppressed());

  auto staff = Town(Staff("c1"), kChiyoda, "c1");
  ASSERT_TRUE(staff.ok()) << staff.status();
  EXPECT_FALSE(staff->suppressed());
  EXPECT_EQ(staff->respondents(), 4);
  EXPECT_EQ(staff->scales_size(), 10);
  EXPECT_EQ(ScaleOf(*staff, "mgmt-openness")->n(), 4);
  EXPECT_DOUBLE_EQ(ScaleOf(*staff, "mgmt-openness")->mean(), 2.25);

  // The cohort filter is the staff's: others, partners and services are refused.
  EXPECT_EQ(errors::Reason(Town(Member("c1", 1), kChiyoda, "c1").status()), "STAFF_ONLY");
  // Staff of another cohort are not on c1's roster: refused as for a cohort
  // that does not exist (authorise_first_test.cc).
  EXPECT_EQ(errors::Reason(Town(Staff("c2"), kChiyoda, "c1").status()), "NOT_ON_ROSTER");
  EXPECT_EQ(errors::Reason(Town(testkit::PartnerHr(kChiyoda), kChiyoda).status()), "STAFF_ONLY");
  EXPECT_EQ(errors::Reason(Town(testkit::Service("gateway"), kChiyoda).status()), "STAFF_ONLY");
  EXPECT_EQ(errors::Reason(Town(testkit::Anonymous(), kChiyoda).status()), "NOT_ON_ROSTER");
}

TEST_F(BirdsEyeTest, NothingHiddenCanBeRecoveredBySubtraction) {
  // Sapporo (5 of 13, the rest 8) is released; the others are not.
  auto sapporo = Town(Member("c1", 1), kSapporo);
  ASSERT_TRUE(sapporo.ok()) << sapporo.status();
  EXPECT_FALSE(sapporo->suppressed());
  EXPECT_EQ(sapporo->respondents(), 5);
  const v1::ScaleComparison* open = ScaleOf(*sapporo, "mgmt-openness");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->n(), 5);
  EXPECT_DOUBLE_EQ(open->mean(), 4);
  EXPECT_EQ(open->pool_n(), 13);

  // Everything a participant can get: the pool minus the released groups
  // is either nobody or at least k people, so pool_n * pool_mean minus the
  // released sums is never one small group's sum.
  int released = 0;
  for (const char* town : {kSapporo, kChiyoda, kMatsusaka, kYokohama, kOsaka}) {
    auto p = Town(Member("c1", 1), town);
    ASSERT_TRUE(p.ok()) << town << p.status();
    if (p->suppressed()) {
      EXPECT_EQ(p->respondents(), 0) << town;
      EXPECT_THAT(p->scales(), IsEmpty()) << town;
    } else {
      EXPECT_GE(p->respondents(), kK) << town;
      released += p->respondents();
    }
  }
  EXPECT_EQ(released, 5);
  const int rest = 13 - released;
  EXPECT_TRUE(rest == 0 || rest >= kK);
}

// A pool grows by closed waves only: while another cohort's wave is open,
// its answers move no aggregate anyone outside its staff sees, so nobody
// can read one answer off the difference of two queries (disclosure.h,
// "Time"). Its own staff see their cohort's open wave.
TEST_F(LensesTest, AnOpenWaveEntersThePoolWhenItCloses) {
  SetRoster("c5", {kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kChiyoda,
                   kChiyoda, kChiyoda, kChiyoda, kChiyoda});
  AllRespond("c5", v1::Wave::PRE);
  SetRoster("c6", {kMatsusaka, kChiyoda, kChiyoda});
  const absl::Time close = clock_.Now() + absl::Hours(24);
  OpenWave("c6", v1::Wave::PRE, close);
  auto before = Town(Member("c5", 1), kMatsusaka);
  ASSERT_TRUE(before.ok()) << before.status();
  Respond("c6", v1::Wave::PRE, 1, {});
  auto during = Town(Member("c5", 1), kMatsusaka);
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_EQ(during->pool_respondents(), 10);
  EXPECT_EQ(during->respondents(), before->respondents());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*before, *during));
  auto own_staff = Town(Staff("c6"), kMatsusaka, "c6");
  ASSERT_TRUE(own_staff.ok()) << own_staff.status();
  EXPECT_EQ(own_staff->pool_respondents(), 11);
  // A percentile's pool (the full rows, not the Likert projection) alike.
  auto mine = Profile(Member("c5", 1), Person("c5", 1));
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(mine->pool_size(), 10);
  clock_.Set(close);
  auto after = Town(Member("c5", 1), kMatsusaka);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->pool_respondents(), 11);
  EXPECT_EQ(Profile(Member("c5", 1), Person("c5", 1))->pool_size(), 11);
}

// A navigator on two cohorts' staff sees each cohort's part with the cohort
// filter: the unfiltered group minus both parts must not be one person.
TEST_F(LensesTest, StaffOfSeveralCohortsCannotSubtractTheirPartsTogether) {
  // Matsusaka: 5 in c10, 5 in c11, 1 in c12 (pool 10 + 10 + 5).
  std::vector<std::string> ten(5, kMatsusaka);
  ten.insert(ten.end(), 5, kChiyoda);
  SetRoster("c10", ten);
  SetRoster("c11", ten, /*also_staff=*/"c10");
  SetRoster("c12", {kMatsusaka, kChiyoda, kChiyoda, kChiyoda, kChiyoda});
  for (const char* c : {"c10", "c11", "c12"}) AllRespond(c, v1::Wave::PRE);
  // One cohort at a time leaves 6 or 10: a participant of c10 gets it.
  auto member = Town(Member("c10", 1), kMatsusaka);
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_FALSE(member->suppressed());
  EXPECT_EQ(member->respondents(), 11);
  // c10's navigator, also on c11's staff: 11 - 5 - 5 would be c12's one.
  ASSERT_TRUE(Town(Staff("c10"), kMatsusaka, "c11").ok());
  auto both = Town(Staff("c10"), kMatsusaka);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_TRUE(both->suppressed());
  EXPECT_THAT(both->scales(), IsEmpty());
  // c12's own navigator knows only c12's part: 10 remain.
  auto other = Town(Staff("c12"), kMatsusaka);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(other->suppressed());
}

TEST_F(LensesTest, GroupAtKIsStillSuppressedWhenTheRestIsBelowK) {
  // 6 Matsusaka respondents in a pool of 10: the other 4 would be the pool
  // minus Matsusaka.
  SetRoster("c3", {kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kMatsusaka, kChiyoda,
                   kChiyoda, kChiyoda, kChiyoda});
  AllRespond("c3", v1::Wave::PRE);
  auto p = Town(Member("c3", 1), kMatsusaka);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->suppressed());
  EXPECT_THAT(p->scales(), IsEmpty());
  EXPECT_TRUE(Town(Member("c3", 1), kChiyoda)->suppressed());
  auto staff = Town(Staff("c3"), kMatsusaka, "c3");
  ASSERT_TRUE(staff.ok()) << staff.status();
  EXPECT_FALSE(staff->suppressed());
  EXPECT_EQ(staff->respondents(), 6);
}

TEST_F(LensesTest, UnfilteredGroupIsSuppressedWhenACohortsStaffCouldSubtractTheirPart) {
  // Yokohama: 5 in c1 and 2 in c2 (7 of 19). c1's staff see their 5 with
  // the cohort filter; the unfiltered 7 would give away c2's 2.
  SetRoster("c1", {kYokohama, kYokohama, kYokohama, kYokohama, kYokohama, kOsaka, kOsaka, kOsaka,
                   kOsaka, kOsaka, kOsaka});
  SetRoster("c2", {kYokohama, kYokohama, kOsaka, kOsaka, kOsaka, kOsaka, kOsaka, kOsaka});
  AllRespond("c1", v1::Wave::PRE);
  AllRespond("c2", v1::Wave::PRE);
  auto p = Town(Member("c2", 3), kYokohama);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->suppressed());
  auto c1_staff = Town(Staff("c1"), kYokohama, "c1");
  ASSERT_TRUE(c1_staff.ok());
  EXPECT_EQ(c1_staff->respondents(), 5);
  auto c2_staff = Town(Staff("c2"), kYokohama, "c2");
  ASSERT_TRUE(c2_staff.ok());
  EXPECT_EQ(c2_staff->respondents(), 2);
}

TEST_F(BirdsEyeTest, ShrinkagePullsATinyGroupFurtherWithAWiderInterval) {
  auto tiny = Town(testkit::Secretariat(), kYokohama, "c1");  // 1 respondent, openness 5
  auto large = Town(testkit::Secretariat(), kSapporo, "c2");  // 5 respondents, mean 4
  ASSERT_TRUE(tiny.ok()) << tiny.status();
  ASSERT_TRUE(large.ok()) << large.status();
  const v1::ScaleComparison& t = *ScaleOf(*tiny, "mgmt-openness");
  const v1::ScaleComparison& l = *ScaleOf(*large, "mgmt-openness");
  ASSERT_EQ(t.n(), 1);
  ASSERT_EQ(l.n(), 5);
  const double pool_mean = (2 + 2 + 3 + 2 + 3 + 3 + 4 + 5 + 4 + 4 + 5 + 4 + 3) / 13.0;
  EXPECT_NEAR(t.pool_mean(), pool_mean, 1e-12);
  EXPECT_NEAR(t.standardized_difference(), (5 - pool_mean) / t.pool_sd(), 1e-12);
  // Both move toward the pool mean, the single respondent further.
  const double tiny_weight = (t.shrunk_mean() - pool_mean) / (t.mean() - pool_mean);
  const double large_weight = (l.shrunk_mean() - pool_mean) / (l.mean() - pool_mean);
  EXPECT_GT(tiny_weight, 0);
  EXPECT_LT(tiny_weight, large_weight);
  EXPECT_LT(large_weight, 1);
  EXPECT_LT(t.interval_low(), t.shrunk_mean());
  EXPECT_GT(t.interval_high(), t.shrunk_mean());
  EXPECT_GT(t.interval_high() - t.interval_low(), l.interval_high() - l.interval_low());
  EXPECT_LT(std::abs(t.shrunk_difference()), std::abs(t.standardized_difference()));
  // Openness is the only management scale that differs between towns.
  ASSERT_EQ(tiny->most_distinctive_size(), 5);
  EXPECT_EQ(tiny->most_distinctive(0), "mgmt-openness");
  // A scale nobody differs on stays at the pool mean.
  EXPECT_DOUBLE_EQ(ScaleOf(*tiny, "mgmt-speed")->shrunk_difference(), 0);
}

TEST_F(LensesTest, WallTableHidesSmallCellsAndTheirComplement) {
  // Sapporo (c2, 12): strongest walls peers 6, seniors 5, executives 1;
  // Chiyoda (c1, 10): peers 5, seniors 5.
  SetRoster("c2", std::vector<std::string>(12, kSapporo));
  SetRoster("c1", std::vector<std::string>(10, kChiyoda));
  for (int i = 1; i <= 12; ++i) {
    Respond("c2", v1::Wave::PRE, i,
            StrongestWall(i <= 6    ? "wall-peers"
                          : i <= 11 ? "wall-seniors"
                                    : "wall-executives"));
  }
  for (int i = 1; i <= 10; ++i) {
    Respond("c1", v1::Wave::PRE, i, StrongestWall(i <= 5 ? "wall-peers" : "wall-seniors"));
  }
  auto p = Town(Member("c1", 1), kSapporo);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_FALSE(p->suppressed());
  ASSERT_EQ(p->walls_size(), 4);
  // Peers shown; executives (1) hidden, and seniors (5) with it, since the
  // total less the shown cells would otherwise give the 1 away.
  EXPECT_EQ(p->walls(0).wall(), Wall::PEERS);
  EXPECT_FALSE(p->walls(0).suppressed());
  EXPECT_EQ(p->walls(0).municipality(), 6);
  EXPECT_EQ(p->walls(0).pool(), 11);
  for (int i : {1, 2}) {
    EXPECT_TRUE(p->walls(i).suppressed()) << i;
    EXPECT_EQ(p->walls(i).municipality(), 0) << i;
    EXPECT_EQ(p->walls(i).pool(), 0) << i;
  }
  EXPECT_EQ(p->walls(3).wall(), Wall::HR_EVALUATION);
  EXPECT_FALSE(p->walls(3).suppressed());
  EXPECT_EQ(p->walls(3).municipality(), 0);
  // What a reader can derive: 12 - 6 = 6 respondents over two hidden cells.
  int hidden_cells = 0;
  int shown = 0;
  for (const auto& w : p->walls()) {
    if (w.suppressed()) {
      ++hidden_cells;
    } else {
      shown += w.municipality();
    }
  }
  EXPECT_GE(hidden_cells, 2);
  EXPECT_GE(p->respondents() - shown, kK);

  auto staff = Town(Staff("c2"), kSapporo, "c2");
  ASSERT_TRUE(staff.ok());
  std::vector<int> cells;
  for (const auto& w : staff->walls()) {
    EXPECT_FALSE(w.suppressed());
    cells.push_back(w.municipality());
  }
  EXPECT_THAT(cells, ElementsAre(6, 5, 1, 0));
}

TEST_F(LensesTest, MunicipalityProfileValidatesItsInput) {
  v1::GetMunicipalityProfileRequest r;
  r.set_municipality_code("242040");  // wrong check digit
  auto bad = survey_->GetMunicipalityProfile(Member("c1", 1), r);
  ASSERT_TRUE(absl::IsInvalidArgument(bad.status()));
  auto fields = errors::GetBadRequest(bad.status());
  ASSERT_TRUE(fields.has_value());
  ASSERT_EQ(fields->field_violations_size(), 2);
  EXPECT_EQ(fields->field_violations(0).field(), "municipality_code");
  EXPECT_EQ(fields->field_violations(1).field(), "wave_kind");
  r.set_municipality_code(kMatsusaka);
  r.set_wave_kind(v1::Wave::PRE);
  r.set_instrument("instruments/nothing");
  EXPECT_TRUE(absl::IsNotFound(survey_->GetMunicipalityProfile(Member("c1", 1), r).status()));
}

// A ward of a designated city or a code that does not exist passes the
// format checks (valid check digit) but would silently match nobody (the
// roster holds the city's code): both are refused, a ward naming its city.
TEST_F(LensesTest, MunicipalityCodesAreCheckedAgainstTheNationalMaster) {
  struct Case {
    const char* code;
    const char* reason;
    const char* city;  // named in the message ("" for none)
  };
  for (const Case& c : {Case{"011011", "MUNICIPALITY_IS_WARD", "011002"},   // 札幌市中央区
                        Case{"271276", "MUNICIPALITY_IS_WARD", "271004"},   // 大阪市北区
                        Case{"013005", "MUNICIPALITY_UNKNOWN", ""},
                        Case{"243001", "MUNICIPALITY_UNKNOWN", ""}}) {
    SCOPED_TRACE(c.code);
    v1::GetMunicipalityProfileRequest profile;
    profile.set_municipality_code(c.code);
    profile.set_wave_kind(v1::Wave::PRE);
    v1::GetChangeRequest change;
    change.set_cohort("cohorts/c1");
    change.set_municipality_code(c.code);
    for (const absl::Status& s : {survey_->GetMunicipalityProfile(Member("c1", 1), profile).status(),
                                  survey_->GetChange(Staff("c1"), change).status()}) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      EXPECT_EQ(errors::Reason(s), c.reason) << s;
      auto fields = errors::GetBadRequest(s);
      ASSERT_TRUE(fields.has_value()) << s;
      EXPECT_EQ(fields->field_violations(0).field(), "municipality_code");
      if (*c.city != '\0') {
        EXPECT_NE(s.message().find(c.city), std::string::npos) << s;
      }
    }
  }
  // The city itself passes the checks.
  v1::GetMunicipalityProfileRequest city;
  city.set_municipality_code(kSapporo);
  city.set_wave_kind(v1::Wave::PRE);
  EXPECT_FALSE(
      absl::IsInvalidArgument(survey_->GetMunicipalityProfile(Member("c1", 1), city).status()));
}

// ---------------------------------------------------------------- fish's eye

// c1: p1-p4 Chiyoda, p5-p7 Matsusaka, p8 Yokohama. Self-efficacy: 3 -> 3
// for everyone but Matsusaka's 2 -> 3, 3 -> 5, 2 -> 2.
class FishsEyeTest : public LensesTest {
 protected:
  void SetUp() override {
    LensesTest::SetUp();
    SetRoster("c1", {kChiyoda, kChiyoda, kChiyoda, kChiyoda, kMatsusaka, kMatsusaka, kMatsusaka,
                     kYokohama});
    const std::map<int, std::pair<int, int>> matsusaka = {{5, {2, 3}}, {6, {3, 5}}, {7, {2, 2}}};
    for (int i = 1; i <= 8; ++i) {
      Answers pre, follow;
      auto it = matsusaka.find(i);
      if (it != matsusaka.end()) {
        pre.scales["self-efficacy"] = it->second.first;
        follow.scales["self-efficacy"] = it->second.second;
      }
      Respond("c1", v1::Wave::PRE, i, pre);
      Respond("c1", v1::Wave::FOLLOW_UP_6, i, follow);
    }
  }
};

TEST_F(FishsEyeTest, PairedChangeOfAMunicipalityByHand) {
  auto c = ChangeOf(Staff("c1"), "c1", "", kMatsusaka);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->subject(), kMatsusaka);
  EXPECT_FALSE(c->suppressed());
  const v1::ScaleChange* se = ScaleOf(*c, "self-efficacy");
  ASSERT_NE(se, nullptr);
  EXPECT_EQ(se->from(), v1::Wave::PRE);
  EXPECT_EQ(se->to(), v1::Wave::FOLLOW_UP_6);
  EXPECT_EQ(se->n(), 3);
  EXPECT_NEAR(se->mean_from(), 7.0 / 3, 1e-12);
  EXPECT_NEAR(se->mean_to(), 10.0 / 3, 1e-12);
  EXPECT_NEAR(se->mean_difference(), 1, 1e-12);
  // Differences 1, 2, 0: mean 1, sd 1, so d_z = 1.
  EXPECT_TRUE(se->has_effect_size());
  EXPECT_NEAR(se->effect_size(), 1, 1e-12);
  // Nobody changed on the walls: no spread, no effect size.
  EXPECT_FALSE(ScaleOf(*c, "wall-peers")->has_effect_size());
  EXPECT_THAT(c->years(), IsEmpty());

  // 3 paired Matsusaka respondents in a cohort of 8: not for participants.
  auto member = ChangeOf(Member("c1", 1), "c1", "", kMatsusaka);
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_TRUE(member->suppressed());
  EXPECT_THAT(member->scales(), IsEmpty());
}

TEST_F(FishsEyeTest, WholeCohortAndPersonAndYears) {
  // Other cohorts' FOLLOW_UP_6: c2 has 5 (shown), c3 3 (below k: not shown).
  SetRoster("c2", std::vector<std::string>(5, kSapporo));
  SetRoster("c3", std::vector<std::string>(3, kOsaka));
  Answers four;
  four.scales["self-efficacy"] = 4;
  AllRespond("c2", v1::Wave::FOLLOW_UP_6, four);
  AllRespond("c3", v1::Wave::FOLLOW_UP_6, four);

  auto c = ChangeOf(Member("c1", 1), "c1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->subject(), "cohorts/c1");
  EXPECT_FALSE(c->suppressed());
  const v1::ScaleChange* se = ScaleOf(*c, "self-efficacy");
  ASSERT_NE(se, nullptr);
  EXPECT_EQ(se->n(), 8);
  EXPECT_NEAR(se->mean_from(), 22.0 / 8, 1e-12);
  EXPECT_NEAR(se->mean_to(), 25.0 / 8, 1e-12);
  // Differences 0,0,0,0,1,2,0,0: sum of squared deviations 3.875 over 7.
  EXPECT_NEAR(se->effect_size(), 0.375 / std::sqrt(3.875 / 7), 1e-12);
  int c2_years = 0;
  for (const auto& y : c->years()) {
    EXPECT_EQ(y.cohort(), "cohorts/c2");
    EXPECT_EQ(y.wave_kind(), v1::Wave::FOLLOW_UP_6);
    EXPECT_EQ(y.n(), 5);
    if (y.scale_id() == "self-efficacy") {
      EXPECT_DOUBLE_EQ(y.mean(), 4);
    }
    ++c2_years;
  }
  EXPECT_EQ(c2_years, 10);

  // A person: themself and staff; n = 1 has no effect size.
  auto me = ChangeOf(Member("c1", 6), "c1", Person("c1", 6));
  ASSERT_TRUE(me.ok()) << me.status();
  const v1::ScaleChange* mine = ScaleOf(*me, "self-efficacy");
  EXPECT_EQ(mine->n(), 1);
  EXPECT_DOUBLE_EQ(mine->mean_difference(), 2);
  EXPECT_FALSE(mine->has_effect_size());
  EXPECT_THAT(me->years(), IsEmpty());
  EXPECT_EQ(errors::Reason(ChangeOf(Member("c1", 5), "c1", Person("c1", 6)).status()),
            "NOT_YOURSELF");
  EXPECT_TRUE(ChangeOf(Staff("c1"), "c1", Person("c1", 6)).ok());
  EXPECT_EQ(errors::Reason(ChangeOf(Member("c2", 1), "c1").status()), "NOT_ON_ROSTER");
}

TEST_F(FishsEyeTest, PairsAreValidated) {
  v1::GetChangeRequest r;
  r.set_cohort("cohorts/c1");
  r.set_from(v1::Wave::FOLLOW_UP_6);
  r.set_to(v1::Wave::PRE);
  EXPECT_TRUE(absl::IsInvalidArgument(survey_->GetChange(Staff("c1"), r).status()));
  r.set_from(v1::Wave::PRE);
  r.set_to(v1::Wave::FOLLOW_UP_12);
  EXPECT_TRUE(absl::IsNotFound(survey_->GetChange(Staff("c1"), r).status()));
  r.set_to(v1::Wave::FOLLOW_UP_6);
  auto ok = survey_->GetChange(Staff("c1"), r);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->scales_size(), 10);
  r.set_participant(Person("c1", 1));
  r.set_municipality_code(kChiyoda);
  EXPECT_TRUE(absl::IsInvalidArgument(survey_->GetChange(Staff("c1"), r).status()));
}

TEST_F(LensesTest, SmallCohortChangeIsForStaffOnly) {
  SetRoster("c4", {kOsaka, kOsaka, kOsaka, kOsaka});
  AllRespond("c4", v1::Wave::PRE);
  AllRespond("c4", v1::Wave::FOLLOW_UP_12);
  auto member = ChangeOf(Member("c4", 1), "c4");
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_TRUE(member->suppressed());
  EXPECT_THAT(member->scales(), IsEmpty());
  auto staff = ChangeOf(Staff("c4"), "c4");
  ASSERT_TRUE(staff.ok());
  EXPECT_FALSE(staff->suppressed());
  ASSERT_NE(ScaleOf(*staff, "self-efficacy"), nullptr);
  EXPECT_EQ(ScaleOf(*staff, "self-efficacy")->n(), 4);
  EXPECT_EQ(ScaleOf(*staff, "self-efficacy")->to(), v1::Wave::FOLLOW_UP_12);
}

// Outside the staff, every pair's change is over one set of people, those
// who answered every closed wave: else PRE means over the 6 paired with
// FOLLOW_UP_6 and over the 5 paired with FOLLOW_UP_12 would give the PRE
// scores of the sixth by subtraction (n1 * mean1 - n2 * mean2).
TEST_F(LensesTest, MembersSeeEveryPairOverOneSetOfPeople) {
  SetRoster("c7", std::vector<std::string>(10, kYokohama));
  Answers high;
  high.scales["self-efficacy"] = 5;
  for (int i = 1; i <= 10; ++i) Respond("c7", v1::Wave::PRE, i, i == 6 ? high : Answers{});
  for (int i = 1; i <= 6; ++i) Respond("c7", v1::Wave::FOLLOW_UP_6, i, {});
  for (int i = 1; i <= 5; ++i) Respond("c7", v1::Wave::FOLLOW_UP_12, i, {});

  auto member = ChangeOf(Member("c7", 1), "c7");
  ASSERT_TRUE(member.ok()) << member.status();
  // PRE -> FOLLOW_UP_6 would be over 6, one more than the common 5: left out.
  EXPECT_TRUE(member->suppressed());
  for (const v1::ScaleChange& c : member->scales()) {
    EXPECT_EQ(c.n(), 5) << c.scale_id();
    EXPECT_EQ(c.to(), v1::Wave::FOLLOW_UP_12) << c.scale_id();
  }
  ASSERT_NE(ScaleOf(*member, "self-efficacy"), nullptr);
  // The staff see both pairs, each over everyone paired.
  auto staff = ChangeOf(Staff("c7"), "c7");
  ASSERT_TRUE(staff.ok()) << staff.status();
  std::set<int> staff_n;
  for (const v1::ScaleChange& c : staff->scales()) staff_n.insert(c.n());
  EXPECT_EQ(staff_n, (std::set<int>{5, 6}));
}

// A pair is not shown outside the staff while one of its waves is open: the
// set would grow with each answer.
TEST_F(LensesTest, MembersSeeNoChangeWhileAWaveIsOpen) {
  SetRoster("c8", std::vector<std::string>(10, kYokohama));
  AllRespond("c8", v1::Wave::PRE);
  OpenWave("c8", v1::Wave::FOLLOW_UP_6, clock_.Now() + absl::Hours(24));
  for (int i = 1; i <= 9; ++i) Respond("c8", v1::Wave::FOLLOW_UP_6, i, {});
  auto member = ChangeOf(Member("c8", 1), "c8");
  ASSERT_TRUE(member.ok()) << member.status();
  EXPECT_TRUE(member->suppressed());
  EXPECT_THAT(member->scales(), IsEmpty());
  auto staff = ChangeOf(Staff("c8"), "c8");
  ASSERT_TRUE(staff.ok()) << staff.status();
  ASSERT_NE(ScaleOf(*staff, "self-efficacy"), nullptr);
  EXPECT_EQ(ScaleOf(*staff, "self-efficacy")->n(), 9);
  clock_.Set(clock_.Now() + absl::Hours(24));
  // Closed: the 9 who answered both waves, once and for all.
  auto closed = ChangeOf(Member("c8", 1), "c8");
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_FALSE(closed->suppressed());
  ASSERT_NE(ScaleOf(*closed, "self-efficacy"), nullptr);
  EXPECT_EQ(ScaleOf(*closed, "self-efficacy")->n(), 9);
}

TEST_F(LensesTest, AnonymousWavesCannotBePaired) {
  SetRoster("c1", {kOsaka, kOsaka});
  AllRespond("c1", v1::Wave::PRE);
  Respond("c1", v1::Wave::FOLLOW_UP_6, 1, {}, /*anonymous=*/true);
  EXPECT_EQ(errors::Reason(ChangeOf(Staff("c1"), "c1").status()), "ANONYMOUS_WAVE");
  v1::GetChangeRequest r;
  r.set_cohort("cohorts/c1");
  r.set_from(v1::Wave::PRE);
  r.set_to(v1::Wave::FOLLOW_UP_6);
  EXPECT_EQ(errors::Reason(survey_->GetChange(Staff("c1"), r).status()), "ANONYMOUS_WAVE");
}

// ---------------------------------------------------------------- reliability

// Cronbach's alpha by its definition, for the test's own check.
double AlphaOf(const std::vector<std::vector<double>>& rows) {
  const size_t k = rows[0].size();
  const double n = static_cast<double>(rows.size());
  auto var = [&](const std::vector<double>& x) {
    double m = 0;
    for (double v : x) m += v;
    m /= n;
    double ss = 0;
    for (double v : x) ss += (v - m) * (v - m);
    return ss / (n - 1);
  };
  double item_vars = 0;
  std::vector<double> totals(rows.size(), 0);
  for (size_t j = 0; j < k; ++j) {
    std::vector<double> col;
    for (size_t i = 0; i < rows.size(); ++i) {
      col.push_back(rows[i][j]);
      totals[i] += rows[i][j];
    }
    item_vars += var(col);
  }
  return k / (k - 1.0) * (1 - item_vars / var(totals));
}

TEST_F(LensesTest, ReliabilityWithBands) {
  SetRoster("c1", std::vector<std::string>(6, kOsaka));
  // Self-efficacy after reverse coding (item 4 is reversed).
  const std::vector<std::vector<double>> efficacy = {{1, 2, 1, 2}, {2, 2, 3, 3}, {3, 4, 3, 4},
                                                     {4, 4, 5, 4}, {5, 5, 4, 5}, {2, 3, 2, 1}};
  for (int i = 1; i <= 6; ++i) {
    Answers a;
    // Every other scale: all items agree, respondents differ (alpha 1).
    for (const v1::Scale& s : version_.scales()) a.scales[s.id()] = 1 + i % 5;
    const auto& row = efficacy[i - 1];
    for (int j = 0; j < 3; ++j) a.items[absl::StrCat("self-efficacy-", j + 1)] = row[j];
    a.items["self-efficacy-4"] = 6 - static_cast<int>(row[3]);
    Respond("c1", i % 2 == 0 ? v1::Wave::PRE : v1::Wave::FOLLOW_UP_6, i, a);
  }
  v1::GetScaleReliabilityRequest r;
  r.set_version("instruments/kaizen-pre/versions/v1");
  EXPECT_EQ(errors::Reason(survey_->GetScaleReliability(Member("c1", 1), r).status()),
            "STAFF_ONLY");
  auto rel = survey_->GetScaleReliability(Staff("c9"), r);  // any staff-role token
  ASSERT_TRUE(rel.ok()) << rel.status();
  EXPECT_EQ(rel->version(), r.version());
  ASSERT_EQ(rel->scales_size(), 10);
  for (const auto& s : rel->scales()) {
    EXPECT_EQ(s.n(), 6) << s.scale_id();  // both wave kinds
    ASSERT_TRUE(s.has_alpha()) << s.scale_id();
    if (s.scale_id() == "self-efficacy") {
      const double expected = AlphaOf(efficacy);
      EXPECT_NEAR(s.alpha(), expected, 1e-9);
      EXPECT_EQ(s.band(), expected >= 0.9 ? "excellent" : expected >= 0.8 ? "good" : "acceptable");
      ASSERT_EQ(s.items_size(), 4);
      EXPECT_EQ(s.items(3).item_id(), "self-efficacy-4");
      EXPECT_GT(s.items(0).item_total_correlation(), 0.5);
    } else {
      EXPECT_NEAR(s.alpha(), 1, 1e-9) << s.scale_id();
      EXPECT_EQ(s.band(), "excellent") << s.scale_id();
    }
  }
}

TEST_F(LensesTest, ReliabilityBelowKSaysTooFew) {
  SetRoster("c1", std::vector<std::string>(4, kOsaka));
  for (int i = 1; i <= 4; ++i) {
    Answers a;
    for (const v1::Scale& s : version_.scales()) a.scales[s.id()] = i;
    Respond("c1", v1::Wave::PRE, i, a);
  }
  v1::GetScaleReliabilityRequest r;
  r.set_version("instruments/kaizen-pre/versions/v1");
  auto rel = survey_->GetScaleReliability(testkit::Secretariat(), r);
  ASSERT_TRUE(rel.ok()) << rel.status();
  for (const auto& s : rel->scales()) {
    EXPECT_EQ(s.n(), 4);
    EXPECT_FALSE(s.has_alpha());
    EXPECT_EQ(s.band(), "too few respondents");
    EXPECT_THAT(s.items(), IsEmpty());
  }
  r.set_version("instruments/kaizen-pre/versions/v9");
  EXPECT_TRUE(absl::IsNotFound(survey_->GetScaleReliability(testkit::Secretariat(), r).status()));
}

}  // namespace
}  // namespace kaizen::survey
