#include "tools/bench/raw_commit.h"

#include <sqlite3.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace kaizen::bench {
namespace raw_commit_test {

std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

std::string Query(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string out;
  sqlite3_exec(
      db, sql,
      [](void* o, int, char** values, char**) {
        *static_cast<std::string*>(o) = values[0] != nullptr ? values[0] : "";
        return 0;
      },
      &out, nullptr);
  sqlite3_close(db);
  return out;
}

TEST(RawCommit, EveryCountedCommitIsARowInAWalDatabase) {
  const std::string path = TmpDir() + "/raw-commit-test.db";
  auto r = MeasureRawCommits(path, /*warmup_seconds=*/0, /*seconds=*/0.05);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->commits, 0);
  EXPECT_GE(r->seconds, 0.05);
  EXPECT_NEAR(r->per_second(), r->commits / r->seconds, 1e-9);
  EXPECT_EQ(Query(path, "SELECT COUNT(*) FROM raw_commit"), std::to_string(r->commits));
  EXPECT_EQ(Query(path, "PRAGMA journal_mode"), "wal");
}

TEST(RawCommit, AnUnwritablePathIsAnError) {
  auto r = MeasureRawCommits("/nonexistent-dir/raw.db", 0, 0.01);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("open /nonexistent-dir/raw.db"), std::string::npos)
      << r.status();
}

}  // namespace
}  // namespace kaizen::bench
