// The read guard (Connection::InstallGuard): inside RunReadOnly, SQL that
// writes is refused the same way on the shared in-memory connection and on
// the read-only connections of a file database; everything that only reads
// (table-valued functions included, on a fresh connection) runs.
#include <sqlite3.h>

#include <string>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "common/storage/group_commit_testing.h"
#include "common/util/no_wait.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace read_guard_test {

using group_testing::Has;
using group_testing::Inserts;
using group_testing::MustOpen;
using group_testing::TempOptions;
using ::testing::HasSubstr;

// A fresh database of each kind: the in-memory one and a file.
std::vector<std::unique_ptr<Database>> Fresh() {
  std::vector<std::unique_ptr<Database>> dbs;
  DatabaseOptions memory;
  memory.path = ":memory:";
  dbs.push_back(MustOpen(memory));
  dbs.push_back(MustOpen(TempOptions()));
  return dbs;
}

absl::Status Read(Database& db, const char* sql) {
  return db.RunReadOnly([&](SQLite::Database& c) {
    SQLite::Statement q(c, sql);
    if (!q.executeStep()) return absl::NotFoundError("no row");
    return absl::OkStatus();
  });
}

TEST(ReadGuardTest, FirstReadOfAConnectionMayUseTableValuedFunctions) {
  for (const char* sql : {"SELECT value FROM json_each('[1,2]')",
                          "SELECT name FROM pragma_table_info('people')",
                          "SELECT count(*) FROM pragma_index_list('people')",
                          "PRAGMA table_info(people)", "PRAGMA user_version",
                          "PRAGMA foreign_keys", "PRAGMA quick_check"}) {
    // A new database per statement: each is the connection's first read.
    std::vector<std::unique_ptr<Database>> dbs = Fresh();
    for (auto& db : dbs) {
      ASSERT_NE(db, nullptr);
      absl::Status status = Read(*db, sql);
      EXPECT_TRUE(status.ok()) << sql << ": " << status;
    }
  }
}

TEST(ReadGuardTest, WritesAndActingPragmasAreRefusedAlikeInMemoryAndOnFile) {
  std::vector<std::unique_ptr<Database>> dbs = Fresh();
  ASSERT_TRUE(dbs[0] != nullptr && dbs[1] != nullptr);
  for (auto& db : dbs) ASSERT_TRUE(db->RunInTransaction(Inserts("kept")).ok());
  for (const char* sql : {
           "INSERT INTO people (name) VALUES ('mallory')", "DELETE FROM people",
           "UPDATE people SET name = 'x'", "CREATE TABLE evil (x)", "DROP TABLE people",
           "CREATE TEMP TABLE scratch (x)", "CREATE TEMP VIEW v AS SELECT 1",
           "CREATE INDEX i ON people (name)", "ALTER TABLE people ADD COLUMN y",
           "ANALYZE", "REINDEX", "ATTACH ':memory:' AS other", "PRAGMA user_version = 99",
           "PRAGMA foreign_keys = OFF", "PRAGMA optimize", "PRAGMA incremental_vacuum",
           "PRAGMA wal_checkpoint", "PRAGMA shrink_memory", "PRAGMA writable_schema = ON"}) {
    std::vector<absl::Status> statuses;
    for (auto& db : dbs) {
      statuses.push_back(db->RunReadOnly([&](SQLite::Database& c) {
        c.exec(sql);
        return absl::OkStatus();
      }));
    }
    for (const absl::Status& status : statuses) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << sql << ": " << status;
      EXPECT_EQ(errors::Reason(status), "STORAGE_ERROR") << sql;
    }
    EXPECT_EQ(statuses[0], statuses[1]) << sql << ": memory and file differ";
    EXPECT_THAT(std::string(statuses[0].message()), HasSubstr("SQLITE_READONLY")) << sql;
  }
  for (auto& db : dbs) {
    EXPECT_TRUE(Has(*db, "kept"));
    EXPECT_TRUE(Read(*db, "SELECT count(*) FROM people").ok());
    // Writable again for transactions.
    EXPECT_TRUE(db->RunInTransaction(Inserts("later")).ok());
    EXPECT_TRUE(Has(*db, "later"));
  }
}

// A thread that may not wait (an inline read on gRPC's thread) is not made
// to: with its connection taken, RunReadOnly is UNAVAILABLE at once and the
// scope says so; anywhere else the same read waits and succeeds.
TEST(ReadGuardTest, NoWaitScopeGivesUpWhenTheConnectionIsTaken) {
  for (const bool memory : {false, true}) {
    DatabaseOptions options = TempOptions();
    if (memory) options.path = ":memory:";
    options.reader_connections = 1;
    std::unique_ptr<Database> db = MustOpen(options);
    ASSERT_NE(db, nullptr);
    absl::Notification holding, release;
    // The only reader (the shared connection, for a write, in memory) held.
    std::thread holder([&] {
      auto hold = [&](SQLite::Database&) {
        holding.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      };
      const absl::Status held = memory ? db->RunInTransaction(hold) : db->RunReadOnly(hold);
      EXPECT_TRUE(held.ok()) << held;
    });
    holding.WaitForNotification();
    {
      util::NoWaitScope scope;
      EXPECT_FALSE(util::MayWait());
      const absl::Status busy = Read(*db, "SELECT 1");
      EXPECT_EQ(busy.code(), absl::StatusCode::kUnavailable) << busy;
      EXPECT_TRUE(scope.refused());
    }
    EXPECT_TRUE(util::MayWait());
    absl::Status waited;
    std::thread reader([&] { waited = Read(*db, "SELECT 1"); });  // waits for the holder
    release.Notify();
    reader.join();
    holder.join();
    EXPECT_TRUE(waited.ok()) << waited;
    {
      util::NoWaitScope scope;  // a free connection: read as usual
      EXPECT_TRUE(Read(*db, "SELECT 1").ok());
      EXPECT_FALSE(scope.refused());
    }
  }
}

}  // namespace
}  // namespace kaizen::storage
