// The queries every application write runs read index ranges, not a
// cohort's whole table: their plans against the migrated schema (an
// application write got ~10x slower per thousand applications while these
// walked the cohort; docs/benchmarks.md "Performance").
#include <string>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/notify/outbox.h"
#include "common/storage/database.h"
#include "gtest/gtest.h"
#include "services/enrollment/application_sql.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/participant_sql.h"
#include "services/enrollment/usage_sql.h"

namespace kaizen::enrollment {
namespace {

// The detail lines of EXPLAIN QUERY PLAN of `sql` on the schema every
// migration makes, joined by newlines, on a connection set up as the
// service's are (storage::Database: the planner's settings change plans).
std::string Plan(const std::string& sql) {
  storage::DatabaseOptions options;
  options.path = ":memory:";
  auto db = storage::Database::Open(options, EnrollmentStore::Migrations());
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return "";
  std::string plan;
  // The writer's transaction: EXPLAIN of a DELETE is refused on a reader.
  const absl::Status status = (*db)->RunInTransaction([&](SQLite::Database& c) {
    SQLite::Statement explain(c, "EXPLAIN QUERY PLAN " + sql);
    while (explain.executeStep()) absl::StrAppend(&plan, explain.getColumn(3).getString(), "\n");
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  return plan;
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
