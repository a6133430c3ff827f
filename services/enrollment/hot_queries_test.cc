// The queries every application write runs read index ranges, not a
// cohort's whole table: their plans against the migrated schema (an
// application write got ~10x slower per thousand applications while these
// walked the cohort; docs/benchmarks.md "Performance").
#include <string>

#include "absl/strings/match.h"
#include "common/notify/outbox.h"
#include "common/storage/query_plan_testing.h"
#include "gtest/gtest.h"
#include "services/enrollment/application_sql.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/participant_sql.h"
#include "services/enrollment/usage_sql.h"

namespace kaizen::enrollment {
namespace hot_queries_test {

// The plan of `sql` on the schema every migration makes.
std::string Plan(const std::string& sql) {
  return storage::testing::QueryPlan(EnrollmentStore::Migrations(), sql);
}

TEST(HotQueriesTest, WaitingListCountsReadApplicationsByState) {
  for (const char* sql : {application_sql::kCountInStateSql, application_sql::kWaitlistPlaceSql}) {
    const std::string plan = Plan(sql);
    EXPECT_TRUE(absl::StrContains(plan, "COVERING INDEX applications_by_state")) << plan;
    EXPECT_FALSE(absl::StrContains(plan, "SCAN applications")) << plan;
  }
  // The newest arrival's place, and an arrival's max_waitlist check, read
  // the counter (migration 14) by its key.
  const std::string place = Plan(application_sql::kWaitlistPlaceSql);
  EXPECT_TRUE(absl::StrContains(place, "SEARCH cohort_waiting USING PRIMARY KEY")) << place;
  const std::string waiting = Plan(usage_sql::kWaitingSql);
  EXPECT_TRUE(absl::StrContains(waiting, "SEARCH cohort_waiting")) << waiting;
}

TEST(HotQueriesTest, StaffListReadsTheStaffIndex) {
  const std::string plan = Plan(participant_sql::kListStaffSql);
  EXPECT_TRUE(absl::StrContains(plan, "participants_staff")) << plan;
  EXPECT_FALSE(absl::StrContains(plan, "SCAN participants")) << plan;
}

TEST(HotQueriesTest, SupersededMailsAreFoundByTheSubjectIndex) {
  const std::string plan = Plan(notify::kDeleteForSql);
  EXPECT_TRUE(absl::StrContains(plan, "outbox_subject")) << plan;
  EXPECT_FALSE(absl::StrContains(plan, "SCAN outbox")) << plan;
}

}  // namespace
}  // namespace kaizen::enrollment
