#include "common/storage/resource_table.h"

#include "common/status/errors.h"
#include "common/storage/database.h"
#include "google/type/date.pb.h"
#include "SQLiteCpp/Database.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace resource_table_test {

using google::type::Date;

TEST(ResourceTableTest, NamesSplitIntoParentAndCollection) {
  EXPECT_EQ(ParentOf("cohorts/c/meetings/m1"), "cohorts/c");
  EXPECT_EQ(CollectionOf("cohorts/c/meetings/m1"), "meetings");
  EXPECT_EQ(ParentOf("cohorts/c"), "");
  EXPECT_EQ(CollectionOf("cohorts/c"), "cohorts");
  EXPECT_EQ(ParentOf("cohorts/c/meetings/m1/poll/p"), "cohorts/c/meetings/m1");
}

TEST(ResourceTableTest, InsertGetUpdateListInCreationOrder) {
  auto db = Database::OpenInMemory({kResourcesTableSql});
  ASSERT_TRUE(db.ok());
  absl::Status s = (*db)->RunInTransaction([](SQLite::Database& sql) -> absl::Status {
    for (const char* id : {"m2", "m1", "m3"}) {
      Resource<Date> r;
      r.name = std::string("cohorts/c/meetings/") + id;
      r.message.set_day(id[1] - '0');
      EXPECT_TRUE(InsertResource(sql, "Meeting", &r).ok());
      EXPECT_GT(r.seq, 0);
    }
    Resource<Date> other;
    other.name = "cohorts/d/meetings/m1";
    EXPECT_TRUE(InsertResource(sql, "Meeting", &other).ok());
    Resource<Date> dup;
    dup.name = "cohorts/c/meetings/m1";
    EXPECT_EQ(InsertResource(sql, "Meeting", &dup).code(), absl::StatusCode::kAlreadyExists);

    auto got = GetResource<Date>(sql, "Meeting", "cohorts/c/meetings/m3");
    EXPECT_TRUE(got.ok());
    got->message.set_year(2022);
    got->revision = 2;
    EXPECT_TRUE(UpdateResource(sql, "Meeting", *got).ok());

    auto list = ListResources<Date>(sql, "cohorts/c", "meetings");
    EXPECT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[0].name, "cohorts/c/meetings/m2");
    EXPECT_EQ((*list)[2].message.year(), 2022);
    EXPECT_EQ((*list)[2].revision, 2);

    auto missing = GetResource<Date>(sql, "Meeting", "cohorts/c/meetings/m9");
    EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(errors::GetResourceInfo(missing.status())->resource_name(),
              "cohorts/c/meetings/m9");
    Resource<Date> ghost;
    ghost.name = "cohorts/c/meetings/m9";
    EXPECT_EQ(UpdateResource(sql, "Meeting", ghost).code(), absl::StatusCode::kNotFound);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
}

}  // namespace
}  // namespace kaizen::storage
