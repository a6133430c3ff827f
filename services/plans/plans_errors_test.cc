// The catalog and README.md list the same reasons, and the factories carry
// their code, reason and field.
#include "services/plans/plans_errors.h"

#include <set>
#include <string>

#include "common/status/errors.h"
#include "common/testing/readme.h"
#include "gtest/gtest.h"

namespace kaizen::plans {
namespace plans_errors_test {

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

TEST(PlansErrorsTest, AnUnknownMaskPathIsShownShortAndPrintable) {
  const std::string message(
      UpdateMaskInvalid(std::string(500, 'a') + "\n\xe6\x94\xb9").message());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find(std::string(65, 'a')), std::string::npos);
  EXPECT_NE(message.find(std::string(64, 'a') + "..."), std::string::npos);
  EXPECT_NE(std::string(UpdateMaskInvalid("owners").message()).find("'owners'"),
            std::string::npos);
}

TEST(PlansErrorsTest, FactoriesCarryTheirCodeReasonAndField) {
  Expect(InvalidField("plan.title", "x"), Code::kInvalidArgument, kInvalidField, "plan.title");
  Expect(UpdateMaskInvalid("owners"), Code::kInvalidArgument, kUpdateMaskInvalid,
         "update_mask.paths");
  Expect(DuplicateId("plan.draft.actions[1].id"), Code::kInvalidArgument, kDuplicateId,
         "plan.draft.actions[1].id");
  Expect(UnknownAction("entry.action_id"), Code::kInvalidArgument, kUnknownAction,
         "entry.action_id");
  Expect(DateInFuture("entry.date"), Code::kInvalidArgument, kDateInFuture, "entry.date");
  Expect(LateReasonRequired(), Code::kInvalidArgument, kLateReasonRequired, "late_reason");
  Expect(PersonNotOnRoster("plan.owners[0]"), Code::kInvalidArgument, kNotOnRoster,
         "plan.owners[0]");
  Expect(CallerNotOnRoster(), Code::kPermissionDenied, kNotOnRoster);
  Expect(NothingToCommit(), Code::kFailedPrecondition, kNothingToCommit);
  Expect(StageLocked("INTERIM", absl::FromUnixSeconds(1671321600)), Code::kFailedPrecondition,
         kStageLocked);
  Expect(StageMeetingNotScheduled("FINAL", "cohorts/c/meetings/m8"), Code::kFailedPrecondition,
         kStageMeetingNotScheduled);
  Expect(StageOutOfOrder("FINAL"), Code::kFailedPrecondition, kStageOutOfOrder);
  Expect(AlreadyResolved(), Code::kFailedPrecondition, kAlreadyResolved);
  Expect(NotResolved(), Code::kFailedPrecondition, kNotResolved);
  Expect(CohortPurged(), Code::kFailedPrecondition, kCohortPurged);
  Expect(ParticipantErased(), Code::kFailedPrecondition, kParticipantErased);
  Expect(OrganiserOnly("x"), Code::kPermissionDenied, kOrganiserOnly);
  Expect(NotPlanOwner("x"), Code::kPermissionDenied, kNotPlanOwner);
  Expect(StaffOnly("x"), Code::kPermissionDenied, kStaffOnly);
}

TEST(PlansErrorsTest, StageLockedSaysWhenInTokyoTime) {
  // 2022-12-18 00:00 UTC = 09:00 JST.
  EXPECT_NE(StageLocked("INTERIM", absl::FromUnixSeconds(1671321600)).message().find(
                "2022-12-18 09:00"),
            absl::string_view::npos);
}

TEST(PlansErrorsTest, ReasonsAreUnique) {
  std::set<absl::string_view> seen;
  for (const auto* list : {&ErrorReasons(), &SharedReasons()}) {
    for (absl::string_view r : *list) EXPECT_TRUE(seen.insert(r).second) << r;
  }
}

TEST(PlansErrorsTest, ReadmeListsExactlyTheCatalog) {
  auto readme = testkit::ReadRunfile("services/plans/README.md");
  ASSERT_TRUE(readme.ok()) << readme.status();
  auto section = testkit::MarkdownSection(*readme, "## Error reasons");
  ASSERT_TRUE(section.ok()) << section.status();
  std::set<std::string> expected(ErrorReasons().begin(), ErrorReasons().end());
  expected.insert(SharedReasons().begin(), SharedReasons().end());
  EXPECT_EQ(testkit::BacktickedReasons(*section), expected);
}

}  // namespace
}  // namespace kaizen::plans
