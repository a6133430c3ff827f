#include "common/storage/request_ids.h"

#include "common/status/errors.h"
#include "common/storage/database.h"
#include "google/type/date.pb.h"
#include "SQLiteCpp/Database.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace request_ids_test {

TEST(RequestIdsTest, NewReplayAndReuse) {
  auto db = Database::OpenInMemory({kRequestIdsTableSql});
  ASSERT_TRUE(db.ok()) << db.status();
  google::type::Date first;
  first.set_year(2022);
  google::type::Date other;
  other.set_year(2023);

  ASSERT_TRUE((*db)->RunInTransaction([&](SQLite::Database& sql) -> absl::Status {
    auto prior = LookupRequestId(sql, "scope", "r1");
    auto resolved = ResolveReplay(prior, first);
    EXPECT_TRUE(resolved.ok());
    EXPECT_FALSE(resolved->has_value());  // new
    SaveRequestId(sql, "scope", "r1", {RequestFingerprint(first), "things/1"},
                  absl::FromUnixSeconds(1));
    return absl::OkStatus();
  }).ok());

  ASSERT_TRUE((*db)->RunReadOnly([&](SQLite::Database& sql) -> absl::Status {
    auto same = ResolveReplay(LookupRequestId(sql, "scope", "r1"), first);
    EXPECT_EQ(same->value(), "things/1");
    auto reused = ResolveReplay(LookupRequestId(sql, "scope", "r1"), other);
    EXPECT_EQ(errors::Reason(reused.status()), "REQUEST_ID_REUSED");
    // Another scope (method or caller) never replays.
    EXPECT_FALSE(LookupRequestId(sql, "other-scope", "r1").has_value());
    return absl::OkStatus();
  }).ok());
}

TEST(RequestIdsTest, DeletesThoseUnderAPrefixThatAreSelected) {
  auto db = Database::OpenInMemory({kRequestIdsTableSql});
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->RunInTransaction([&](SQLite::Database& sql) -> absl::Status {
    const absl::Time t = absl::FromUnixSeconds(1);
    SaveRequestId(sql, "Create\x1fuser-a", "r1", {"f", "cohorts/c1/plans/p1"}, t);
    SaveRequestId(sql, "Create\x1fuser-b", "r2", {"f", "cohorts/c1/plans/p2"}, t);
    SaveRequestId(sql, "Create\x1fuser-a", "r3", {"f", "cohorts/c10/plans/p3"}, t);
    SaveRequestId(sql, "Create\x1fuser-a", "r4", {"f", "cohorts/c2/plans/p4"}, t);
    const int64_t deleted = DeleteRequestIds(
        sql, "cohorts/c1/", [](const std::string& scope, const std::string& resource) {
          return scope == "Create\x1fuser-a" || resource == "cohorts/c1/plans/p2";
        });
    EXPECT_EQ(deleted, 2);
    EXPECT_FALSE(LookupRequestId(sql, "Create\x1fuser-a", "r1").has_value());
    EXPECT_FALSE(LookupRequestId(sql, "Create\x1fuser-b", "r2").has_value());
    // "cohorts/c10/" is not under "cohorts/c1/"; another cohort stays.
    EXPECT_TRUE(LookupRequestId(sql, "Create\x1fuser-a", "r3").has_value());
    EXPECT_TRUE(LookupRequestId(sql, "Create\x1fuser-a", "r4").has_value());
    EXPECT_EQ(DeleteRequestIds(sql, "cohorts/c2/",
                               [](const std::string&, const std::string&) { return false; }),
              0);
    EXPECT_TRUE(LookupRequestId(sql, "Create\x1fuser-a", "r4").has_value());
    return absl::OkStatus();
  }).ok());
}

}  // namespace
}  // namespace kaizen::storage
