// bundle.json and the CSVs from the fixture: keys, sorting, BOM, codes kept
// as text, the formula-injection guard, a team plan once in JSON.
#include "absl/strings/match.h"
#include "common/status/errors.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tools/bundle/render_csv.h"
#include "tools/bundle/render_json.h"
#include "tools/bundle/test_fixture.h"

namespace kaizen::bundle {
namespace render_test {

using ::google::protobuf::Struct;

TEST(RenderJson, RecordsHaveStableSortedKeys) {
  std::string json = *RenderBundleJson(testing::FixtureBundle());
  Struct root;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &root).ok()) << json;
  EXPECT_EQ(root.fields().at("municipalityCode").string_value(), "242047");
  EXPECT_EQ(root.fields().at("createTime").string_value(), "2022-07-01T09:00:00+09:00");
  const auto& records = root.fields().at("records").list_value().values();
  std::vector<std::string> keys;
  for (const auto& r : records) keys.push_back(r.struct_value().fields().at("key").string_value());
  std::vector<std::string> want = {
      "attendance/fy2022/hanako/m1",        "attendance/fy2022/hanako/m2",
      "attendance/fy2022/taro/m1",          "person/fy2022/hanako",
      "person/fy2022/taro",                 "plan_stage/fy2022/hanako-plan/INTERIM",
      "plan_stage/fy2022/team-a/INTERIM",   "survey_profile/fy2022/hanako/follow-up-6",
      "survey_profile/fy2022/hanako/pre"};
  EXPECT_EQ(keys, want);
  // The team plan's stage: one record, both owners.
  const auto& team = records[6].struct_value().fields();
  ASSERT_EQ(team.at("participants").list_value().values_size(), 2);
  EXPECT_EQ(team.at("content").struct_value().fields().at("vision").string_value(),
            "市民が待たない市役所");
  // Same data, same bytes.
  EXPECT_EQ(json, *RenderBundleJson(testing::FixtureBundle()));
}

TEST(RenderJson, AResultThatCannotBeJsonFailsTheBundle) {
  // Never a hollow {} record in place of the content.
  BundleData data = testing::FixtureBundle();
  data.people[0].plans->mutable_plans(0)->mutable_stages(0)->mutable_content()->set_vision(
      "\xff\xfe not UTF-8");
  absl::StatusOr<std::string> json = RenderBundleJson(data);
  ASSERT_FALSE(json.ok()) << *json;
  EXPECT_EQ(errors::Reason(json.status()), "RENDER_FAILED");
  EXPECT_TRUE(absl::StrContains(json.status().message(), "plan_stage/fy2022/hanako-plan/INTERIM"))
      << json.status();
}

TEST(RenderCsv, BomCodesAsTextAndInjectionGuard) {
  BundleData data = testing::FixtureBundle();
  std::string csv = RenderAttendanceCsv(data);
  ASSERT_TRUE(absl::StartsWith(csv, "\xEF\xBB\xBF" "record_key,participant,")) << csv;
  // ExcelText's ="242047", CSV-quoted: Excel reads it back as the text 242047.
  EXPECT_TRUE(absl::StrContains(csv, ",\"=\"\"242047\"\"\",松阪市,")) << csv;
  // "=伊勢 太郎" must not reach Excel as a formula.
  EXPECT_TRUE(absl::StrContains(csv, "\"'=伊勢 太郎\"")) << csv;
  EXPECT_FALSE(absl::StrContains(csv, ",=伊勢")) << csv;
  EXPECT_TRUE(absl::StrContains(
      csv, "attendance/fy2022/hanako/m2,cohorts/fy2022/participants/hanako,松阪 花子"));
  EXPECT_TRUE(absl::StrContains(csv, "2022-05-10 13:30,LATE,遅刻\r\n")) << csv;
  EXPECT_FALSE(absl::StrContains(csv, "m0"));  // outside the period

  std::string plans = RenderPlanStagesCsv(data);
  ASSERT_TRUE(absl::StartsWith(plans, "\xEF\xBB\xBF"));
  // The team plan once per owner.
  size_t first = plans.find("plan_stage/fy2022/team-a/INTERIM");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(plans.find("plan_stage/fy2022/team-a/INTERIM", first + 1), std::string::npos);

  std::string survey = RenderSurveyProfilesCsv(data);
  // No percentile, even if a profile carried one: partners get the
  // pool-free profile.
  EXPECT_TRUE(absl::StrContains(survey, "PEERS_score,SENIORS_AND_BOSSES_score")) << survey;
  EXPECT_FALSE(absl::StrContains(survey, "percentile")) << survey;
  EXPECT_TRUE(absl::StrContains(survey, ",2.50,3.75,4.20,3.00,EXECUTIVES > SENIORS_AND_BOSSES"))
      << survey;
}

}  // namespace
}  // namespace kaizen::bundle
