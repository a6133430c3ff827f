// The catalog and README.md list the same reasons, and the factories carry
// their code, reason and field.
#include "services/survey/survey_errors.h"

#include <set>
#include <string>

#include "common/status/errors.h"
#include "common/testing/readme.h"
#include "gtest/gtest.h"

namespace kaizen::survey {
namespace survey_errors_test {

using Code = absl::StatusCode;

void Expect(const absl::Status& s, Code code, absl::string_view reason,
            absl::string_view field = "") {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(errors::Reason(s), reason) << s;
  if (!field.empty()) {
    auto bad = errors::GetBadRequest(s);
    ASSERT_TRUE(bad.has_value()) << s;
    ASSERT_EQ(bad->field_violations_size(), 1);
    EXPECT_EQ(bad->field_violations(0).field(), field);
  }
}

TEST(SurveyErrorsTest, FactoriesCarryTheirCodeReasonAndField) {
  Expect(InvalidField("wave.kind", "x"), Code::kInvalidArgument, kInvalidField, "wave.kind");
  Expect(InvalidInstrument("version.items[0].text", "x"), Code::kInvalidArgument,
         kInvalidInstrument, "version.items[0].text");
  Expect(ItemIdChanged("version.items[2]"), Code::kInvalidArgument, kItemIdChanged,
         "version.items[2]");
  Expect(InvalidAnswer("answers[wall-peers-1]", "x"), Code::kInvalidArgument, kInvalidAnswer,
         "answers[wall-peers-1]");
  Expect(AnswerRequired("answers[wall-peers-1]"), Code::kInvalidArgument, kAnswerRequired,
         "answers[wall-peers-1]");
  Expect(ResponseKeyRequired(), Code::kInvalidArgument, kResponseKeyRequired, "response_key");
  Expect(InvalidRule("rules.rules[0].expression", "x"), Code::kInvalidArgument, kInvalidRule,
         "rules.rules[0].expression");
  Expect(MunicipalityIsWard("municipality_code", "011011", "札幌市", "011002"),
         Code::kInvalidArgument, kMunicipalityIsWard, "municipality_code");
  Expect(MunicipalityUnknown("municipality_code", "013005"), Code::kInvalidArgument,
         kMunicipalityUnknown, "municipality_code");
  Expect(VersionPublished(), Code::kFailedPrecondition, kVersionPublished);
  Expect(VersionNotPublished("v"), Code::kFailedPrecondition, kVersionNotPublished);
  Expect(DraftExists("v"), Code::kFailedPrecondition, kDraftExists);
  Expect(MeetingNotScheduled("m"), Code::kFailedPrecondition, kMeetingNotScheduled);
  Expect(WaveNotOpen(absl::UnixEpoch(), absl::UnixEpoch()), Code::kFailedPrecondition,
         kWaveNotOpen);
  Expect(AnonymityLocked(), Code::kFailedPrecondition, kAnonymityLocked);
  Expect(AnonymousWave(), Code::kFailedPrecondition, kAnonymousWave);
  Expect(CohortPurged(), Code::kFailedPrecondition, kCohortPurged);
  Expect(ParticipantErased(), Code::kFailedPrecondition, kParticipantErased);
  Expect(AlreadyResponded(), Code::kAlreadyExists, kAlreadyResponded);
  Expect(CallerNotOnRoster(), Code::kPermissionDenied, kNotOnRoster);
  Expect(NotAParticipant(), Code::kPermissionDenied, kNotAParticipant);
  Expect(SecretariatOnly("x"), Code::kPermissionDenied, kSecretariatOnly);
  Expect(StaffOnly("x"), Code::kPermissionDenied, kStaffOnly);
  Expect(NotYourself(), Code::kPermissionDenied, kNotYourself);
}

TEST(SurveyErrorsTest, WaveNotOpenSaysWhenInTokyoTime) {
  // 2022-07-24 00:00 UTC = 09:00 JST.
  EXPECT_NE(WaveNotOpen(absl::FromUnixSeconds(1658620800), absl::FromUnixSeconds(1658620800))
                .message()
                .find("2022-07-24 09:00"),
            absl::string_view::npos);
}

TEST(SurveyErrorsTest, ReasonsAreUnique) {
  std::set<absl::string_view> seen;
  for (const auto* list : {&ErrorReasons(), &SharedReasons()}) {
    for (absl::string_view r : *list) EXPECT_TRUE(seen.insert(r).second) << r;
  }
}

TEST(SurveyErrorsTest, ReadmeListsExactlyTheCatalog) {
  auto readme = testkit::ReadRunfile("services/survey/README.md");
  ASSERT_TRUE(readme.ok()) << readme.status();
  auto section = testkit::MarkdownSection(*readme, "## Error reasons");
  ASSERT_TRUE(section.ok()) << section.status();
  std::set<std::string> expected(ErrorReasons().begin(), ErrorReasons().end());
  expected.insert(SharedReasons().begin(), SharedReasons().end());
  EXPECT_EQ(testkit::BacktickedReasons(*section), expected);
}

}  // namespace
}  // namespace kaizen::survey
