// The statement cache (statement_cache.h) and the in-memory read guard
// (database.h), on real SQLite: in memory and files under TEST_TMPDIR.
#include "common/storage/statement_cache.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "common/storage/group_commit_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace statement_cache_test {

using ::testing::HasSubstr;
using group_testing::StatementsWithSql;

const Migrations kPeople = {
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "INSERT INTO people (id, name) VALUES (1, 'ada'), (2, 'grace'), (3, 'edsger')",
};
constexpr char kById[] = "SELECT name FROM people WHERE id = ?";

std::string TempDbPath() {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/cache-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

std::unique_ptr<Database> MustOpen(const std::string& path, int readers = 1) {
  DatabaseOptions options;
  options.path = path;
  options.reader_connections = readers;
  auto db = Database::Open(options, kPeople);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

// Reads person `id` through the statement cache on a reader: found or not.
bool ReadsPerson(Database& db, int id) {
  bool found = false;
  EXPECT_TRUE(db.RunReadOnly([&](SQLite::Database& c) {
                  CachedStatement q(c, kById);
                  q->bind(1, id);
                  found = q->executeStep();
                  return absl::OkStatus();
                }).ok());
  return found;
}

// Statements prepared on `c` but the transaction statements Database keeps
// (BEGIN, COMMIT, ...: connection.h TransactionStatements).
int LiveStatements(SQLite::Database& c) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(c.getHandle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(c.getHandle(), s)) {
    const std::string sql = sqlite3_sql(s);
    if (sql.rfind("BEGIN", 0) == 0 || sql == "COMMIT" || sql.rfind("SAVEPOINT", 0) == 0 ||
        sql.rfind("RELEASE", 0) == 0 || sql.rfind("ROLLBACK", 0) == 0) {
      continue;
    }
    ++n;
  }
  return n;
}

// BEGIN and COMMIT are prepared once per connection and reused, not parsed
// at every transaction (group commit's savepoints: group_commit_test).
TEST(StatementCacheTest, TransactionStatementsArePreparedOncePerConnection) {
  for (const std::string& path : {std::string(":memory:"), TempDbPath()}) {
    auto db = MustOpen(path, /*readers=*/1);
    ASSERT_NE(db, nullptr);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                      c.exec(absl::StrCat("INSERT INTO people (name) VALUES ('p", i, "')"));
                      return absl::OkStatus();
                    }).ok());
      EXPECT_TRUE(ReadsPerson(*db, 1));
    }
    ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                    EXPECT_EQ(StatementsWithSql(c, "BEGIN IMMEDIATE"), 1) << path;
                    EXPECT_EQ(StatementsWithSql(c, "COMMIT"), 1) << path;
                    return absl::OkStatus();
                  }).ok());
    ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                    EXPECT_EQ(StatementsWithSql(c, "BEGIN"), 1) << path;
                    EXPECT_EQ(StatementsWithSql(c, "COMMIT"), 1) << path;
                    return absl::OkStatus();
                  }).ok());
  }
}

TEST(StatementCacheTest, ReturnedStatementIsReusedAcrossCallsAndTransactions) {
  for (const std::string& path : {std::string(":memory:"), TempDbPath()}) {
    auto db = MustOpen(path);
    ASSERT_NE(db, nullptr);
    SQLite::Statement* first = nullptr;
    SQLite::Statement* second = nullptr;
    SQLite::Statement* third = nullptr;
    ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                    {
                      CachedStatement q(c, kById);
                      first = &*q;
                      q->bind(1, 1);
                      EXPECT_TRUE(q->executeStep());
                      EXPECT_EQ(q->getColumn(0).getString(), "ada");
                    }
                    CachedStatement q(c, kById);
                    second = &*q;
                    return absl::OkStatus();
                  }).ok());
    ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                    CachedStatement q(c, kById);
                    third = &*q;
                    q->bind(1, 2);
                    EXPECT_TRUE(q->executeStep());
                    EXPECT_EQ(q->getColumn(0).getString(), "grace");
                    return absl::OkStatus();
                  }).ok());
    EXPECT_EQ(first, second) << path;
    EXPECT_EQ(first, third) << path;
  }
}

// SQLite re-compiles a statement at every new binding of a parameter that a
// partial index's condition compares with a literal, unless the query
// planner's stability guarantee is on (connection.cc): a cached statement
// would be parsed and planned again at every use (it was, for the waiting
// list's place: 12 % of the enrollment server's CPU per create).
TEST(StatementCacheTest, RebindingDoesNotRecompileAStatement) {
  const Migrations schema = {
      "CREATE TABLE apps (id INTEGER PRIMARY KEY, cohort TEXT NOT NULL, state INTEGER NOT NULL, "
      "due INTEGER)",
      "CREATE INDEX apps_offered ON apps (cohort, due) WHERE state = 4",
      "INSERT INTO apps (cohort, state, due) VALUES ('a', 4, 10), ('a', 2, NULL), ('b', 4, 20)",
  };
  constexpr char kInState[] = "SELECT COUNT(*) FROM apps WHERE cohort = ?1 AND state = ?2";
  for (const std::string& path : {std::string(":memory:"), TempDbPath()}) {
    DatabaseOptions options;
    options.path = path;
    auto db = Database::Open(options, schema);
    ASSERT_TRUE(db.ok()) << db.status();
    for (bool write : {false, true}) {
      auto fn = [&](SQLite::Database& c) {
        for (int i = 0; i < 6; ++i) {
          CachedStatement q(c, kInState);
          q->bind(1, i % 2 == 0 ? "a" : "b");
          q->bind(2, i % 3 == 0 ? 4 : 2);
          EXPECT_TRUE(q->executeStep());
          EXPECT_EQ(q->getColumn(0).getInt(), i % 3 != 0 ? (i % 2 == 0 ? 1 : 0) : 1) << i;
        }
        int found = 0;
        for (sqlite3_stmt* s = sqlite3_next_stmt(c.getHandle(), nullptr); s != nullptr;
             s = sqlite3_next_stmt(c.getHandle(), s)) {
          if (std::string(sqlite3_sql(s)) != kInState) continue;
          ++found;
          EXPECT_EQ(sqlite3_stmt_status(s, SQLITE_STMTSTATUS_REPREPARE, 0), 0) << path;
        }
        EXPECT_EQ(found, 1) << path;
        return absl::OkStatus();
      };
      absl::Status status = write ? (*db)->RunInTransaction(fn) : (*db)->RunReadOnly(fn);
      ASSERT_TRUE(status.ok()) << status;
    }
  }
}

// SQLite's memory statistics take a process-wide mutex around every
// allocation; the storage library turns them off before SQLite starts
// (database.cc), so nothing is counted.
TEST(StatementCacheTest, SqliteKeepsNoMemoryStatistics) {
  auto db = MustOpen(":memory:");
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(ReadsPerson(*db, 3));
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

TEST(StatementCacheTest, NextBorrowerGetsAResetStatementWithoutBindings) {
  auto db = MustOpen(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  {
                    // Left in the middle of its rows, bindings set.
                    CachedStatement q(c, "SELECT id FROM people WHERE id >= ? ORDER BY id");
                    q->bind(1, 2);
                    EXPECT_TRUE(q->executeStep());
                    EXPECT_EQ(q->getColumn(0).getInt(), 2);
                  }
                  CachedStatement q(c, "SELECT id FROM people WHERE id >= ? ORDER BY id");
                  // Unbound parameters are NULL: `id >= NULL` matches nothing.
                  EXPECT_FALSE(q->executeStep());
                  q->reset();
                  q->bind(1, 1);
                  // From the first row again, not where the last borrower left.
                  EXPECT_TRUE(q->executeStep());
                  EXPECT_EQ(q->getColumn(0).getInt(), 1);
                  return absl::OkStatus();
                }).ok());
}

TEST(StatementCacheTest, NestedBorrowOfTheSameSqlGetsItsOwnStatement) {
  auto db = MustOpen(":memory:");
  ASSERT_NE(db, nullptr);
  constexpr char kAll[] = "SELECT id FROM people ORDER BY id";
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  SQLite::Statement* outer_ptr = nullptr;
                  std::vector<std::string> pairs;
                  {
                    CachedStatement outer(c, kAll);
                    outer_ptr = &*outer;
                    while (outer->executeStep()) {
                      CachedStatement inner(c, kAll);
                      EXPECT_NE(&*inner, &*outer);
                      while (inner->executeStep()) {
                        pairs.push_back(absl::StrCat(outer->getColumn(0).getInt(), ":",
                                                     inner->getColumn(0).getInt()));
                      }
                    }
                  }
                  EXPECT_EQ(pairs.size(), 9u);  // both loops saw every row
                  EXPECT_EQ(pairs.front(), "1:1");
                  EXPECT_EQ(pairs.back(), "3:3");
                  CachedStatement again(c, kAll);
                  EXPECT_EQ(&*again, outer_ptr);  // the cached one, not the nested one
                  return absl::OkStatus();
                }).ok());
}

TEST(StatementCacheTest, PlainConnectionPreparesPerBorrower) {
  SQLite::Database plain(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  plain.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)");
  for (int i = 0; i < 2; ++i) {
    CachedStatement q(plain, "SELECT x FROM t");
    ASSERT_TRUE(q->executeStep());
    EXPECT_EQ(q->getColumn(0).getInt(), 7);
  }
  EXPECT_EQ(LiveStatements(plain), 0);  // nothing kept
}

TEST(StatementCacheTest, DatabaseConnectionOutsideFnIsNotCached) {
  // Only the connection Database handed to the running fn has its cache
  // found; another connection inside fn prepares per borrower.
  auto db = MustOpen(":memory:");
  ASSERT_NE(db, nullptr);
  SQLite::Database other(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database&) {
                  { CachedStatement q(other, "SELECT 1"); EXPECT_TRUE(q->executeStep()); }
                  EXPECT_EQ(LiveStatements(other), 0);
                  return absl::OkStatus();
                }).ok());
}

TEST(StatementCacheTest, SurvivesSchemaChanges) {
  auto db = MustOpen(TempDbPath());
  ASSERT_NE(db, nullptr);
  int columns = 0;
  auto select_all = [&](SQLite::Database& c) {
    CachedStatement q(c, "SELECT * FROM people WHERE id = 1");
    EXPECT_TRUE(q->executeStep());
    columns = q->getColumnCount();
    return absl::OkStatus();
  };
  auto insert = [&](SQLite::Database& c, int id) {
    CachedStatement q(c, "INSERT INTO people (id, name) VALUES (?, 'x')");
    q->bind(1, id);
    q->exec();
    return absl::OkStatus();
  };
  ASSERT_TRUE(db->RunInTransaction(select_all).ok());
  EXPECT_EQ(columns, 2);
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) { return insert(c, 10); }).ok());
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  c.exec("ALTER TABLE people ADD COLUMN email TEXT");
                  // Dropped and recreated under the cached INSERT.
                  c.exec("CREATE TABLE tmp AS SELECT * FROM people; DROP TABLE people;"
                         "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                         " email TEXT); INSERT INTO people SELECT * FROM tmp; DROP TABLE tmp");
                  return absl::OkStatus();
                }).ok());
  // SQLite re-prepares both; the one whose columns changed is replaced.
  ASSERT_TRUE(db->RunInTransaction(select_all).ok());
  ASSERT_TRUE(db->RunInTransaction(select_all).ok());
  EXPECT_EQ(columns, 3);
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) { return insert(c, 11); }).ok());
  int count = 0;
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  count = c.execAndGet("SELECT count(*) FROM people").getInt();
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(count, 5);
}

TEST(StatementCacheTest, KeepsAtMostTheBound) {
  auto db = MustOpen(":memory:");
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  for (int i = 0; i < kMaxCachedStatements + 10; ++i) {
                    CachedStatement q(c, absl::StrCat("SELECT ", i));
                    EXPECT_TRUE(q->executeStep());
                    EXPECT_EQ(q->getColumn(0).getInt(), i);
                  }
                  EXPECT_EQ(LiveStatements(c), kMaxCachedStatements);
                  // Past the bound a statement is still served, and freed.
                  { CachedStatement q(c, "SELECT 'new'"); EXPECT_TRUE(q->executeStep()); }
                  EXPECT_EQ(LiveStatements(c), kMaxCachedStatements);
                  return absl::OkStatus();
                }).ok());
}

TEST(StatementCacheTest, CachedStatementsAreFinalizedBeforeTheConnectionCloses) {
  const std::string path = TempDbPath();
  {
    auto db = MustOpen(path, /*readers=*/2);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                    CachedStatement q(c, "INSERT INTO people (name) VALUES ('x')");
                    q->exec();
                    return absl::OkStatus();
                  }).ok());
    EXPECT_TRUE(ReadsPerson(*db, 1));
  }
  // The last connection to close checkpoints and deletes the WAL; a
  // connection with live statements would not close at all.
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

// --- The read guard of the shared in-memory connection ----------------------

TEST(ReadGuardTest, ReadsRunNoPragma) {
  auto db = MustOpen(":memory:");
  ASSERT_NE(db, nullptr);
  std::vector<std::string> sql;
  auto trace = [](unsigned, void* ctx, void* stmt, void*) {
    static_cast<std::vector<std::string>*>(ctx)->push_back(
        sqlite3_sql(static_cast<sqlite3_stmt*>(stmt)));
    return 0;
  };
  sqlite3* handle = nullptr;
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  handle = c.getHandle();
                  sqlite3_trace_v2(handle, SQLITE_TRACE_STMT, trace, &sql);
                  return absl::OkStatus();
                }).ok());
  sql.clear();
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  CachedStatement q(c, kById);
                  q->bind(1, 3);
                  EXPECT_TRUE(q->executeStep());
                  return absl::OkStatus();
                }).ok());
  EXPECT_THAT(sql, ::testing::ElementsAre("BEGIN", kById, "COMMIT"));
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  sqlite3_trace_v2(c.getHandle(), 0, nullptr, nullptr);
                  return absl::OkStatus();
                }).ok());
}

TEST(ReadGuardTest, WritesInsideRunReadOnlyFailLikeOnAReader) {
  auto db = MustOpen(":memory:");
  ASSERT_NE(db, nullptr);
  constexpr char kInsert[] = "INSERT INTO people (name) VALUES ('mallory')";
  // Cached while writing, so it is not prepared again inside the read.
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  CachedStatement q(c, kInsert);
                  q->exec();
                  return absl::OkStatus();
                }).ok());
  const std::vector<std::function<void(SQLite::Database&)>> writes = {
      [&](SQLite::Database& c) { CachedStatement q(c, kInsert); q->exec(); },
      [](SQLite::Database& c) { c.exec("DELETE FROM people"); },
      [](SQLite::Database& c) { c.exec("CREATE TABLE evil (x)"); },
      [](SQLite::Database& c) { c.exec("PRAGMA user_version = 99"); },
  };
  for (const auto& write : writes) {
    absl::Status status = db->RunReadOnly([&](SQLite::Database& c) {
      write(c);
      return absl::OkStatus();
    });
    EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
    EXPECT_EQ(errors::Reason(status), "STORAGE_ERROR");
    EXPECT_THAT(std::string(status.message()), HasSubstr("SQLITE_READONLY"));
  }
  int people = 0;
  int version = 0;
  std::vector<std::string> names;
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                people = c.execAndGet("SELECT count(*) FROM people").getInt();
                version = c.execAndGet("PRAGMA user_version").getInt();
                SQLite::Statement info(c, "PRAGMA table_info(people)");
                while (info.executeStep()) names.push_back(info.getColumn(1).getString());
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(people, 4);
  EXPECT_EQ(version, 2);
  EXPECT_THAT(names, ::testing::ElementsAre("id", "name"));
  // Writable again for transactions, the cached INSERT included.
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  CachedStatement q(c, kInsert);
                  q->exec();
                  c.exec("CREATE TABLE fine (x)");
                  return absl::OkStatus();
                }).ok());
}

}  // namespace
}  // namespace kaizen::storage
