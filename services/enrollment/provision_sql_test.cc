// The provision list's SQL (provision_sql.h) is built from the filters that
// are set, so SQLite answers a filter from its index instead of scanning
// every record kept for three years or more.
#include "services/enrollment/provision_sql.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "common/storage/query_plan_testing.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment::provision_sql {
namespace provision_sql_test {

// The plan of the list query on the provision schema.
std::string Plan(const ProvisionFilter& filter, int64_t position, bool oldest_first) {
  return storage::testing::QueryPlan({kSchema, kSchemaV6}, ListSql(filter, position, oldest_first));
}

TEST(ProvisionSqlTest, TheParticipantFilterUsesItsIndex) {
  ProvisionFilter f;
  f.participant = "cohorts/c/participants/p";
  for (bool oldest_first : {false, true}) {
    for (int64_t position : {0, 42}) {
      const std::string plan = Plan(f, position, oldest_first);
      EXPECT_TRUE(absl::StrContains(plan, "provision_records_by_participant")) << plan;
      EXPECT_FALSE(absl::StrContains(plan, "SCAN provision_records\n")) << plan;
    }
  }
}

TEST(ProvisionSqlTest, TheMunicipalityFilterUsesItsIndex) {
  ProvisionFilter f;
  f.municipality_code = "242047";
  f.start_time = absl::FromUnixSeconds(1);
  const std::string plan = Plan(f, 0, false);
  EXPECT_TRUE(absl::StrContains(plan, "provision_records_by_municipality")) << plan;
}

TEST(ProvisionSqlTest, OnlyTheFiltersThatAreSetAppear) {
  ProvisionFilter none;
  const std::string all = ListSql(none, 0, false);
  EXPECT_FALSE(absl::StrContains(all, "participant")) << all;
  EXPECT_FALSE(absl::StrContains(all, "municipality_code")) << all;
  EXPECT_FALSE(absl::StrContains(all, "time_micros")) << all;
  EXPECT_FALSE(absl::StrContains(all, "?6")) << all;
  EXPECT_TRUE(absl::StrContains(ListSql(none, 5, false), "seq < ?6"));
  EXPECT_TRUE(absl::StrContains(ListSql(none, 0, true), "seq > ?6"));
}

}  // namespace
}  // namespace kaizen::enrollment::provision_sql
