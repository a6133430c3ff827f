#include "common/status/violations.h"

#include "gtest/gtest.h"

namespace kaizen::errors {
namespace violations_test {

TEST(ViolationsTest, OkUntilSomethingFails) {
  Violations v;
  v.Check(absl::OkStatus());
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(v.Result().ok());
}

TEST(ViolationsTest, CollectsEveryFieldAndKeepsTheFirstReason) {
  Violations v;
  v.Check(InvalidField("plan.title", "is too long", "TEXT_TOO_LONG"));
  v.Add("plan.draft.actions[0].id", "is used twice");
  const absl::Status s = v.Result();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(s), "TEXT_TOO_LONG");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "plan.title");
  EXPECT_EQ(bad->field_violations(1).field(), "plan.draft.actions[0].id");
}

}  // namespace
}  // namespace kaizen::errors
