#include "common/storage/request_ids.h"

#include "common/status/errors.h"
#include "common/storage/database.h"
#include "google/type/date.pb.h"
#include "SQLiteCpp/Database.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace {

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

}  // namespace
}  // namespace kaizen::storage
