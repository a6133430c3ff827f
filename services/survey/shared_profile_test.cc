// GetSharedSurveyProfile on the domain over in-memory SQLite, with the real
// SharedReadGate over a fake roster (consent per person) and a fake
// provision recorder: who may read whose profile, what leaves, and the
// provision record a partner pull leaves.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/testing/principals.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/survey/survey.h"
#include "services/survey/survey_test_util.h"

namespace kaizen::survey {
namespace shared_profile_test {

using namespace ::kaizen::survey::testing;  // NOLINT
using ::google::protobuf::util::MessageDifferencer;
using ::kaizen::testkit::PartnerHr;

constexpr char kMatsusaka[] = "242047";  // 松阪市: p1-p3 and the navigator
constexpr char kChiyoda[] = "131016";    // 千代田区: p4-p6
constexpr char kWallText[] = "課長に提案しても「前例がない」と言われて止まってしまう。";
constexpr char kWishText[] = "窓口の待ち時間を半分にしたい。住民アンケートも自分たちで集計したい。";
constexpr char kMethod[] = "/kaizen.survey.v1.SurveyService/GetSharedSurveyProfile";

class SharedProfileTest : public SurveyTest {
 protected:
  void SetUp() override {
    SurveyTest::SetUp();
    if (HasFatalFailure()) return;
    // Kana names; p1 and p4 consent to share their survey profile, p2 and
    // p3 do not (p3 shares attendance only); the navigator consents too but
    // is staff, not a participant.
    ev1::Roster roster = Roster();
    const char* names[] = {"みち びかれ", "あど ばいざ", "まつさか はなこ", "いせ たろう",
                           "つ じろう",   "ちよだ さぶろう", "かんだ しろう", "くだん ごろう"};
    for (int i = 0; i < roster.entries_size(); ++i) {
      ev1::Roster::Entry* e = roster.mutable_entries(i);
      e->set_display_name(names[i]);
      const std::string& p = e->participant();
      if (p == Person("p1") || p == Person("p4") || p == Person("navigator")) {
        e->mutable_consent()->set_share_survey_profile(true);
      }
      if (p == Person("p3")) e->mutable_consent()->set_share_attendance(true);
    }
    roster_.SetRoster(roster);
  }

  // Person `n` saves (and submits) `wave`: every Likert item `value`, the
  // wall text sent to the employer or not (share_with_employer), and a wish
  // shared with aggregates and the corpus only (share_text), never with the
  // employer.
  absl::Status Save(const v1::Wave& wave, int n, int value, bool share_wall, bool submit = true) {
    return SaveRequest(n, SaveOf(wave, value, share_wall, submit));
  }
  v1::SaveResponseRequest SaveOf(const v1::Wave& wave, int value, bool share_wall,
                                 bool submit = true) {
    v1::SaveResponseRequest save;
    save.set_parent(wave.name());
    *save.mutable_answers() = FullAnswers(Builtin(), value);
    v1::Answer* wall = save.add_answers();
    wall->set_item_id("free-wall-now");
    wall->set_text(kWallText);
    wall->set_share_with_employer(share_wall);
    v1::Answer* wish = save.add_answers();
    wish->set_item_id("free-wish");
    wish->set_text(kWishText);
    wish->set_share_text(true);
    save.set_submit(submit);
    return save;
  }
  absl::Status SaveRequest(int n, const v1::SaveResponseRequest& save) {
    return survey_->SaveResponse(Participant(n), save).status();
  }
  // Moves person `id` to `town` on the roster (a corrected or changed employer).
  void MoveTo(const std::string& id, const std::string& town) {
    auto roster = roster_.GetRoster(kCohort);
    ASSERT_TRUE(roster.ok()) << roster.status();
    ev1::Roster changed = *roster;
    for (auto& e : *changed.mutable_entries()) {
      if (e.participant() == Person(id)) e.set_municipality_code(town);
    }
    roster_.SetRoster(changed);
  }

  absl::StatusOr<v1::SharedSurveyProfile> Get(const Principal& caller, const std::string& who,
                                              const std::string& bundle = "") {
    v1::GetSharedSurveyProfileRequest r;
    r.set_participant(who);
    r.set_bundle(bundle);
    return survey_->GetSharedSurveyProfile(caller, r);
  }

  // Everyone of the cohort submits the PRE wave (a pool of six, so
  // GetPersonProfile has percentiles); p1 shares the wall text.
  v1::Wave EveryoneAnswers() {
    v1::Wave wave = MakeWave(v1::Wave::PRE);
    for (int n = 1; n <= 6; ++n) {
      EXPECT_TRUE(Save(wave, n, 1 + n % 5, /*share_wall=*/n == 1).ok()) << n;
    }
    return wave;
  }
};

TEST_F(SharedProfileTest, APartnerGetsItsConsentingEmployeesOwnProfileAndARecord) {
  EveryoneAnswers();
  auto shared = Get(PartnerHr(kMatsusaka), Person("p1"), "bundle-2022.06_a");
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->participant(), Person("p1"));
  ASSERT_EQ(shared->waves_size(), 1);
  const auto& wave = shared->waves(0);
  EXPECT_EQ(wave.wave(), "cohorts/fy2022/waves/pre");
  EXPECT_EQ(wave.wave_kind(), v1::Wave::PRE);
  EXPECT_EQ(wave.submit_time().seconds(), absl::ToUnixSeconds(Tokyo(2022, 6, 15, 10)));

  // The insect's eye as GetPersonProfile computes it, minus what is derived
  // from other people's answers (percentiles and the pool's size).
  // Once the wave has closed: a pool counts closed waves only.
  clock_.Set(Tokyo(2022, 7, 25, 10));
  v1::GetPersonProfileRequest own;
  own.set_participant(Person("p1"));
  own.set_wave("pre");
  auto full = survey_->GetPersonProfile(Participant(1), own);
  ASSERT_TRUE(full.ok()) << full.status();
  bool had_percentile = false;
  for (auto& s : *full->mutable_scales()) {
    had_percentile |= s.has_percentile();
    s.clear_has_percentile();
    s.clear_percentile();
  }
  ASSERT_TRUE(had_percentile) << "the fixture should give GetPersonProfile percentiles";
  EXPECT_EQ(full->pool_size(), 6);
  full->clear_pool_size();
  EXPECT_TRUE(MessageDifferencer::Equals(wave.profile(), *full))
      << wave.profile().DebugString() << "\nvs\n" << full->DebugString();
  EXPECT_GT(wave.profile().scales_size(), 0);
  EXPECT_GT(wave.profile().walls_ranked_size(), 0);

  // Only the text p1 agreed to send to the employer; never the wish, which
  // is marked share_text (aggregates and the corpus) only.
  ASSERT_EQ(shared->shared_text_size(), 1);
  EXPECT_EQ(shared->shared_text(0).wave(), "cohorts/fy2022/waves/pre");
  EXPECT_EQ(shared->shared_text(0).item_id(), "free-wall-now");
  EXPECT_NE(shared->shared_text(0).question().find("壁"), std::string::npos);
  EXPECT_EQ(shared->shared_text(0).text(), kWallText);
  EXPECT_EQ(shared->DebugString().find("窓口の待ち時間"), std::string::npos);

  // Nothing of another person: no other participant's name anywhere.
  for (const char* other : {"p2", "p3", "p4", "p5", "p6"}) {
    EXPECT_EQ(shared->DebugString().find(Person(other)), std::string::npos) << other;
  }

  // One provision record: recipient, person, consent category, items,
  // method and bundle.
  const auto requests = provisions_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests[0];
  EXPECT_EQ(req.recipient().subject(), "hr-242047");
  EXPECT_EQ(req.recipient().municipality_code(), kMatsusaka);
  EXPECT_EQ(req.method(), kMethod);
  EXPECT_EQ(req.bundle(), "bundle-2022.06_a");
  ASSERT_EQ(req.items_size(), 1);
  EXPECT_EQ(req.items(0).participant(), Person("p1"));
  EXPECT_EQ(req.items(0).category(), kaizen::type::SHARE_SURVEY_PROFILE);
  EXPECT_EQ(std::vector<std::string>(req.items(0).data_items().begin(),
                                     req.items(0).data_items().end()),
            (std::vector<std::string>{"survey.profile", "survey.shared_text"}));
}

TEST_F(SharedProfileTest, WithoutSharedTextTheRecordNamesTheProfileOnly) {
  v1::Wave wave = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(wave, 1, 4, /*share_wall=*/false).ok());
  auto shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->waves_size(), 1);
  EXPECT_EQ(shared->shared_text_size(), 0);
  EXPECT_EQ(shared->DebugString().find("前例"), std::string::npos);
  const auto requests = provisions_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& items = requests[0].items(0).data_items();
  EXPECT_EQ(std::vector<std::string>(items.begin(), items.end()),
            std::vector<std::string>{"survey.profile"});

  // Sharing it later (a new save) makes it part of the next pull.
  ASSERT_TRUE(Save(wave, 1, 4, /*share_wall=*/true).ok());
  shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  ASSERT_EQ(shared->shared_text_size(), 1);
  EXPECT_EQ(shared->shared_text(0).text(), kWallText);
}

// share_text is the consent to aggregates and the reference corpus, not to
// the employer (APPI: consent per purpose): alone, it releases nothing.
TEST_F(SharedProfileTest, ShareTextAloneSendsNothingToTheEmployer) {
  v1::Wave wave = MakeWave(v1::Wave::PRE);
  v1::SaveResponseRequest save = SaveOf(wave, 4, /*share_wall=*/false);
  for (auto& a : *save.mutable_answers()) {
    if (a.item_id() == "free-wall-now") a.set_share_text(true);
  }
  ASSERT_TRUE(SaveRequest(1, save).ok());
  for (const Principal& caller : {PartnerHr(kMatsusaka), Secretariat(), Participant(1)}) {
    auto shared = Get(caller, Person("p1"));
    ASSERT_TRUE(shared.ok()) << shared.status();
    EXPECT_EQ(shared->waves_size(), 1) << caller.DebugString();
    EXPECT_EQ(shared->shared_text_size(), 0) << caller.DebugString();
    EXPECT_EQ(shared->DebugString().find("前例"), std::string::npos);
    EXPECT_EQ(shared->DebugString().find("窓口"), std::string::npos);
  }
  const auto requests = provisions_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& items = requests[0].items(0).data_items();
  EXPECT_EQ(std::vector<std::string>(items.begin(), items.end()),
            std::vector<std::string>{"survey.profile"});
}

TEST_F(SharedProfileTest, TheEmployerFlagIsCheckedAndStoredApartFromShareText) {
  v1::Wave wave = MakeWave(v1::Wave::PRE);
  // Only for FREE_TEXT answers, exactly like share_text.
  for (const char* item : {"mgmt-speed-1", "profile-department"}) {
    v1::SaveResponseRequest bad = SaveOf(wave, 4, /*share_wall=*/true);
    for (auto& a : *bad.mutable_answers()) {
      if (a.item_id() == item) a.set_share_with_employer(true);
    }
    absl::Status s = SaveRequest(1, bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << item << s;
    EXPECT_EQ(errors::Reason(s), "INVALID_ANSWER") << item;
    auto violations = errors::GetBadRequest(s);
    ASSERT_TRUE(violations.has_value()) << s;
    ASSERT_EQ(violations->field_violations_size(), 1);
    EXPECT_EQ(violations->field_violations(0).field(), absl::StrCat("answers[", item, "]"));
    EXPECT_NE(violations->field_violations(0).description().find("share_with_employer"),
              std::string::npos);
  }
  v1::GetMyResponseRequest mine;
  mine.set_parent(wave.name());
  EXPECT_TRUE(absl::IsNotFound(survey_->GetMyResponse(Participant(1), mine).status()));

  ASSERT_TRUE(Save(wave, 1, 4, /*share_wall=*/true).ok());
  auto stored = survey_->GetMyResponse(Participant(1), mine);
  ASSERT_TRUE(stored.ok()) << stored.status();
  int texts = 0;
  for (const v1::Answer& a : stored->answers()) {
    if (a.item_id() == "free-wall-now") {
      ++texts;
      EXPECT_TRUE(a.share_with_employer());
      EXPECT_FALSE(a.share_text());
    } else if (a.item_id() == "free-wish") {
      ++texts;
      EXPECT_FALSE(a.share_with_employer());
      EXPECT_TRUE(a.share_text());
    } else {
      EXPECT_FALSE(a.share_with_employer()) << a.item_id();
    }
  }
  EXPECT_EQ(texts, 2);
}

TEST_F(SharedProfileTest, WithdrawingTheEmployerFlagHidesTheTextFromTheNextPull) {
  v1::Wave wave = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(wave, 1, 4, /*share_wall=*/true).ok());
  auto shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->shared_text_size(), 1);
  ASSERT_TRUE(Save(wave, 1, 4, /*share_wall=*/false).ok());
  shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->waves_size(), 1);
  EXPECT_EQ(shared->shared_text_size(), 0);
  const auto requests = provisions_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto& items = requests[1].items(0).data_items();
  EXPECT_EQ(std::vector<std::string>(items.begin(), items.end()),
            std::vector<std::string>{"survey.profile"});
}

// Results go to the person's current employer for this participation (their
// roster entry's municipality), and only responses given while employed
// there: a response keeps the municipality it was saved under.
TEST_F(SharedProfileTest, OnlyResponsesGivenUnderTheCurrentEmployerAreReleased) {
  v1::Wave pre = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(pre, 1, 2, /*share_wall=*/true).ok());
  MoveTo("p1", kChiyoda);

  // The former employer's key sees nothing any more.
  absl::Status s = Get(PartnerHr(kMatsusaka), Person("p1")).status();
  EXPECT_EQ(errors::Reason(s), "NOT_SHARED_WITH_PARTNER") << s;
  // The new employer does not receive what was answered at the old one:
  // nothing provided, so no record.
  auto shared = Get(PartnerHr(kChiyoda), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->waves_size(), 0);
  EXPECT_EQ(shared->shared_text_size(), 0);
  EXPECT_TRUE(provisions_.requests().empty());
  // The person and the secretariat see what a partner would.
  for (const Principal& caller : {Secretariat(), Participant(1)}) {
    auto view = Get(caller, Person("p1"));
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*view, *shared)) << view->DebugString();
  }

  // A response given while at the new employer is theirs.
  clock_.Set(Tokyo(2023, 6, 1, 10));
  v1::Wave follow = MakeWave(v1::Wave::FOLLOW_UP_6);
  ASSERT_TRUE(Save(follow, 1, 5, /*share_wall=*/true).ok());
  shared = Get(PartnerHr(kChiyoda), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  ASSERT_EQ(shared->waves_size(), 1);
  EXPECT_EQ(shared->waves(0).wave_kind(), v1::Wave::FOLLOW_UP_6);
  ASSERT_EQ(shared->shared_text_size(), 1);
  EXPECT_EQ(shared->shared_text(0).wave(), follow.name());
  ASSERT_EQ(provisions_.requests().size(), 1u);
  EXPECT_EQ(provisions_.requests()[0].recipient().municipality_code(), kChiyoda);
}

TEST_F(SharedProfileTest, APartnerSeesNobodyElseAndLearnsNothingFromTheRefusal) {
  EveryoneAnswers();
  const Principal matsusaka = PartnerHr(kMatsusaka);
  struct Case {
    std::string what;
    Principal caller;
    std::string person;
  };
  const std::vector<Case> cases = {
      {"another town's consenting employee", matsusaka, Person("p4")},
      {"own employee without consent", matsusaka, Person("p2")},
      {"own employee sharing attendance only", matsusaka, Person("p3")},
      {"own staff member (navigator)", matsusaka, Person("navigator")},
      {"unknown person", matsusaka, Person("p99")},
      {"unknown cohort", matsusaka, "cohorts/fy2099/participants/p1"},
      {"another town's key for p1", PartnerHr(kChiyoda), Person("p1")},
  };
  absl::Status first;
  for (const Case& c : cases) {
    absl::Status s = Get(c.caller, c.person).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << c.what << ": " << s;
    EXPECT_EQ(errors::Reason(s), "NOT_SHARED_WITH_PARTNER") << c.what;
    if (first.ok()) first = s;
    EXPECT_EQ(s.message(), first.message()) << c.what;
  }
  EXPECT_TRUE(provisions_.requests().empty());
  // The other town's key does see its own consenting employee.
  EXPECT_TRUE(Get(PartnerHr(kChiyoda), Person("p4")).ok());
}

TEST_F(SharedProfileTest, ConsentRevokedBeforeTheRecordProvidesNothing) {
  EveryoneAnswers();
  // The roster still says yes; enrollment refuses in the record's
  // transaction (consent withdrawn in between).
  provisions_.Refuse(Person("p1"), kaizen::type::SHARE_SURVEY_PROFILE);
  auto shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  EXPECT_EQ(shared.status().code(), absl::StatusCode::kPermissionDenied) << shared.status();
  EXPECT_EQ(errors::Reason(shared.status()), "NOT_SHARED_WITH_PARTNER");
  EXPECT_EQ(provisions_.requests().size(), 1u);  // asked, refused
}

TEST_F(SharedProfileTest, EnrollmentDownMeansUnavailableAndNothingLeaves) {
  EveryoneAnswers();
  roster_.SetUnavailable(true);
  absl::Status s = Get(PartnerHr(kMatsusaka), Person("p1")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(errors::Reason(s), "ENROLLMENT_UNAVAILABLE");
  roster_.SetUnavailable(false);

  // The roster answered but the record cannot be written: no answer either.
  provisions_.SetUnavailable(true);
  s = Get(PartnerHr(kMatsusaka), Person("p1")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(errors::Reason(s), "ENROLLMENT_UNAVAILABLE");
  EXPECT_TRUE(provisions_.requests().empty());
}

TEST_F(SharedProfileTest, TheSecretariatAndThePersonReadItWithoutARecord) {
  EveryoneAnswers();
  auto by_secretariat = Get(Secretariat(), Person("p1"));
  ASSERT_TRUE(by_secretariat.ok()) << by_secretariat.status();
  auto by_self = Get(Participant(1), Person("p1"));
  ASSERT_TRUE(by_self.ok()) << by_self.status();
  // The same view a partner gets: the person can check what would leave.
  auto by_partner = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(by_partner.ok()) << by_partner.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*by_self, *by_partner));
  EXPECT_TRUE(MessageDifferencer::Equals(*by_secretariat, *by_partner));
  EXPECT_EQ(provisions_.requests().size(), 1u);  // the partner's only

  // The person may read their own even without consent (p2).
  EXPECT_TRUE(Get(Participant(2), Person("p2")).ok());
}

TEST_F(SharedProfileTest, OtherPeopleAndServicesAreRefused) {
  EveryoneAnswers();
  for (const Principal& caller :
       {Participant(2), Navigator(), Advisor(), Stranger(), ::kaizen::testkit::Service("plans"),
        ::kaizen::testkit::Anonymous()}) {
    absl::Status s = Get(caller, Person("p1")).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << caller.DebugString() << s;
    EXPECT_EQ(errors::Reason(s), "OWN_RESULTS_ONLY") << caller.DebugString();
  }
  // Unknown people and cohorts answer alike for them.
  EXPECT_EQ(errors::Reason(Get(Participant(2), Person("p99")).status()), "OWN_RESULTS_ONLY");
  EXPECT_EQ(errors::Reason(Get(Participant(2), "cohorts/fy2099/participants/p2").status()),
            "OWN_RESULTS_ONLY");
  EXPECT_TRUE(provisions_.requests().empty());
}

TEST_F(SharedProfileTest, NothingSubmittedIsAnEmptyAnswerWithoutARecord) {
  // No wave yet.
  auto shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->participant(), Person("p1"));
  EXPECT_EQ(shared->waves_size(), 0);
  EXPECT_EQ(shared->shared_text_size(), 0);
  // A draft (even with shared text) is nobody's profile yet.
  v1::Wave wave = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(wave, 1, 4, /*share_wall=*/true, /*submit=*/false).ok());
  shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->waves_size(), 0);
  EXPECT_EQ(shared->shared_text_size(), 0);
  EXPECT_TRUE(provisions_.requests().empty());
}

TEST_F(SharedProfileTest, AnonymousWavesAreNeverPartOfIt) {
  v1::Wave wave = MakeWave(v1::Wave::PRE, /*anonymous=*/true);
  ASSERT_TRUE(Save(wave, 1, 4, /*share_wall=*/true).ok());
  auto shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->waves_size(), 0);
  EXPECT_EQ(shared->shared_text_size(), 0);
  EXPECT_TRUE(provisions_.requests().empty());
}

TEST_F(SharedProfileTest, WavesComeOldestFirst) {
  v1::Wave pre = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(pre, 1, 2, /*share_wall=*/true).ok());
  clock_.Set(Tokyo(2023, 6, 1, 10));  // FOLLOW_UP_6 opens 30 days before meeting 7
  v1::Wave follow = MakeWave(v1::Wave::FOLLOW_UP_6);
  ASSERT_TRUE(Save(follow, 1, 5, /*share_wall=*/false).ok());
  auto shared = Get(PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  ASSERT_EQ(shared->waves_size(), 2);
  EXPECT_EQ(shared->waves(0).wave_kind(), v1::Wave::PRE);
  EXPECT_EQ(shared->waves(1).wave_kind(), v1::Wave::FOLLOW_UP_6);
  EXPECT_EQ(shared->waves(1).wave(), "cohorts/fy2022/waves/follow-up-6");
  EXPECT_LT(shared->waves(0).submit_time().seconds(), shared->waves(1).submit_time().seconds());
  // Shared text of the PRE wave only (not shared in the follow-up).
  ASSERT_EQ(shared->shared_text_size(), 1);
  EXPECT_EQ(shared->shared_text(0).wave(), "cohorts/fy2022/waves/pre");
}

TEST_F(SharedProfileTest, BadNamesAndBundlesAreRefusedBeforeAnythingIsRead) {
  const int before = roster_.calls();
  absl::Status s = Get(PartnerHr(kMatsusaka), "participants/p1").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  auto bad = errors::GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "participant");

  s = Get(PartnerHr(kMatsusaka), Person("p1"), "束 1").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  bad = errors::GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "bundle");
  EXPECT_EQ(roster_.calls(), before);
}

}  // namespace
}  // namespace kaizen::survey
