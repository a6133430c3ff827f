#include "tools/bundle/model.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/bundle/test_fixture.h"

namespace kaizen::bundle {
namespace model_test {

namespace ev1 = enrollment::v1;

ev1::Change Upsert(const std::string& id, const std::string& code, bool attendance,
                   ev1::Participant::State state = ev1::Participant::ACTIVE) {
  ev1::Change c;
  c.set_kind(ev1::Change::UPSERTED);
  c.set_participant("cohorts/c1/participants/" + id);
  c.set_municipality_code(code);
  c.set_municipality_name("松阪市");
  c.set_state(state);
  c.mutable_consent()->set_share_attendance(attendance);
  c.set_display_name("name-" + id);
  return c;
}

TEST(PeopleFromFeed, LatestUpsertWinsAndFiltersApply) {
  std::vector<ev1::Change> feed;
  feed.push_back(Upsert("b", "242047", false));  // later consents
  feed.push_back(Upsert("a", "242047", true));
  feed.push_back(Upsert("other", "242012", true));  // another town
  feed.push_back(Upsert("gone", "242047", true));
  ev1::Change deleted;
  deleted.set_kind(ev1::Change::DELETED);
  deleted.set_participant("cohorts/c1/participants/gone");
  feed.push_back(deleted);
  feed.push_back(Upsert("quit", "242047", true, ev1::Participant::CANCELLED));
  feed.push_back(Upsert("none", "242047", false));  // shares nothing
  feed.push_back(Upsert("b", "242047", true));
  ev1::Change unknown_kind = Upsert("a", "242047", false);
  unknown_kind.set_kind(static_cast<ev1::Change::Kind>(7));  // e.g. a result change
  feed.push_back(unknown_kind);
  ev1::Change bad = Upsert("x", "242047", true);
  bad.set_participant("not/a/participant");
  feed.push_back(bad);

  std::vector<Person> people = PeopleFromFeed(feed, "242047");
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[0].participant, "cohorts/c1/participants/a");
  EXPECT_EQ(people[0].cohort_id, "c1");
  EXPECT_EQ(people[0].participant_id, "a");
  EXPECT_TRUE(people[0].share_attendance);
  EXPECT_EQ(people[1].participant, "cohorts/c1/participants/b");
}

TEST(PeopleFromFeed, RevocationAfterConsentDropsThePerson) {
  std::vector<ev1::Change> feed = {Upsert("a", "242047", true), Upsert("a", "242047", false)};
  EXPECT_TRUE(PeopleFromFeed(feed, "242047").empty());
}

TEST(Period, TokyoDaysBothIncluded) {
  Period p{absl::CivilDay(2022, 4, 1), absl::CivilDay(2022, 4, 30)};
  // 2022-03-31T15:00Z = 2022-04-01 00:00 JST.
  EXPECT_TRUE(p.Contains(absl::FromUnixSeconds(1648738800)));
  EXPECT_FALSE(p.Contains(absl::FromUnixSeconds(1648738800 - 1)));
  // 2022-04-30 23:59:59 JST in, 2022-05-01 00:00 JST out.
  EXPECT_TRUE(p.Contains(absl::FromUnixSeconds(1651330799)));
  EXPECT_FALSE(p.Contains(absl::FromUnixSeconds(1651330800)));
}

TEST(Period, CutsAttendanceAndRecomputesTheRate) {
  Period p{absl::CivilDay(2022, 4, 1), absl::CivilDay(2023, 3, 31)};
  auto a = AttendanceInPeriod(testing::HanakoAttendance(), p);
  ASSERT_EQ(a.meetings_size(), 2);  // m0 (the evening before) is out
  EXPECT_EQ(a.meetings(0).meeting(), "cohorts/fy2022/meetings/m1");
  EXPECT_EQ(a.held(), 2);
  EXPECT_EQ(a.attended(), 2);
  EXPECT_EQ(a.late(), 1);
  EXPECT_DOUBLE_EQ(a.rate(), 1.0);
  EXPECT_EQ(AttendanceInPeriod(a, {absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 1, 2)})
                .rate(),
            0.0);
}

TEST(Period, CutsPlansAndSurvey) {
  Period p{absl::CivilDay(2022, 4, 1), absl::CivilDay(2023, 3, 31)};
  auto plans = PlanStagesInPeriod(testing::HanakoPlans(), p);
  ASSERT_EQ(plans.plans_size(), 2);
  EXPECT_EQ(plans.plans(0).stages_size(), 1);  // FINAL (2023-04-02) is out
  Period only_april{absl::CivilDay(2022, 4, 1), absl::CivilDay(2022, 4, 30)};
  EXPECT_EQ(PlanStagesInPeriod(testing::HanakoPlans(), only_april).plans_size(), 0);
  auto survey = SurveyInPeriod(testing::HanakoSurvey(), only_april);
  ASSERT_EQ(survey.waves_size(), 1);
  EXPECT_EQ(survey.shared_text_size(), 1);
  Period autumn{absl::CivilDay(2022, 10, 1), absl::CivilDay(2022, 10, 31)};
  survey = SurveyInPeriod(testing::HanakoSurvey(), autumn);
  ASSERT_EQ(survey.waves_size(), 1);
  EXPECT_EQ(survey.shared_text_size(), 0);  // the text belongs to the pre wave
}

TEST(Model, ParseDayAndBundleIds) {
  EXPECT_TRUE(ParseDay("2022-04-01", "from").ok());
  EXPECT_FALSE(ParseDay("2023-02-30", "from").ok());
  EXPECT_FALSE(ParseDay("2022-4-1", "from").ok());
  EXPECT_FALSE(ParseDay("", "from").ok());
  EXPECT_TRUE(IsValidBundleId("242047-20220401_x.y"));
  EXPECT_FALSE(IsValidBundleId(""));
  EXPECT_FALSE(IsValidBundleId("a/b"));
  EXPECT_FALSE(IsValidBundleId(std::string(65, 'a')));
}

TEST(Model, RecordKeys) {
  Person p;
  p.cohort_id = "fy2022";
  p.participant_id = "hanako";
  EXPECT_EQ(PersonKey(p), "person/fy2022/hanako");
  EXPECT_EQ(AttendanceKey(p, "cohorts/fy2022/meetings/m1"), "attendance/fy2022/hanako/m1");
  EXPECT_EQ(PlanStageKey("cohorts/fy2022/plans/team-a", plans::v1::FOLLOW_UP),
            "plan_stage/fy2022/team-a/FOLLOW_UP");
  EXPECT_EQ(SurveyKey(p, "cohorts/fy2022/waves/pre"), "survey_profile/fy2022/hanako/pre");
}

}  // namespace
}  // namespace kaizen::bundle

namespace kaizen::bundle {
namespace model_test {

constexpr char kRlo[] = "\xE2\x80\xAE";  // U+202E RIGHT-TO-LEFT OVERRIDE

TEST(Bidi, ControlsAreStrippedFromStringsAndWholeMessages) {
  EXPECT_EQ(StripBidiControls("a\xE2\x80\x8E" "b\xE2\x80\x8F" "c\xE2\x80\xAA" "d\xE2\x80\xAE"
                              "e\xE2\x81\xA6" "f\xE2\x81\xA9" "g"),
            "abcdefg");
  // Neighbours of the ranges and other text stay: U+2010 hyphen, U+2065, 松.
  EXPECT_EQ(StripBidiControls("\xE2\x80\x90\xE2\x81\xA5松 花子"), "\xE2\x80\x90\xE2\x81\xA5松 花子");
  EXPECT_EQ(StripBidiControls("\xE2\x80"), "\xE2\x80");  // truncated: kept as is

  scheduling::v1::SharedAttendance a = testing::HanakoAttendance();
  a.mutable_meetings(1)->set_title(absl::StrCat("第1回", kRlo, "席出"));
  survey::v1::SharedSurveyProfile s = testing::HanakoSurvey();
  s.mutable_shared_text(0)->set_text(absl::StrCat(kRlo, "窓口"));
  StripBidiControls(&a);
  StripBidiControls(&s);
  EXPECT_EQ(a.meetings(1).title(), "第1回席出");
  EXPECT_EQ(s.shared_text(0).text(), "窓口");

  std::vector<enrollment::v1::Change> feed = {Upsert("a", "242047", true)};
  feed[0].set_display_name(absl::StrCat("松阪", kRlo, " 花子"));
  std::vector<Person> people = PeopleFromFeed(feed, "242047");
  ASSERT_EQ(people.size(), 1u);
  EXPECT_EQ(people[0].display_name, "松阪 花子");
}

TEST(Period, NothingLeftAfterTheCutMeansNoResults) {
  PersonResults r;
  EXPECT_FALSE(HasResultsInPeriod(r));
  Period later{absl::CivilDay(2030, 1, 1), absl::CivilDay(2030, 12, 31)};
  r.attendance = AttendanceInPeriod(testing::HanakoAttendance(), later);
  r.plans = PlanStagesInPeriod(testing::HanakoPlans(), later);
  r.survey = SurveyInPeriod(testing::HanakoSurvey(), later);
  EXPECT_FALSE(HasResultsInPeriod(r));
  Period fy2022{absl::CivilDay(2022, 4, 1), absl::CivilDay(2023, 3, 31)};
  r.survey = SurveyInPeriod(testing::HanakoSurvey(), fy2022);
  EXPECT_TRUE(HasResultsInPeriod(r));
}

}  // namespace
}  // namespace kaizen::bundle
