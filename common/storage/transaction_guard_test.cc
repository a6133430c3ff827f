// The guard that keeps fn away from the transaction Database runs it in
// (Connection::InstallGuard): while fn runs, BEGIN, COMMIT, ROLLBACK and
// every SAVEPOINT statement are refused, so a fn cannot make group commit
// report wrong statuses to its neighbours; and a savepoint that cannot be
// released compromises the whole transaction (database.h, RunInTransaction).
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/database.h"
#include "common/storage/group_commit_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace transaction_guard_test {

using group_testing::Has;
using group_testing::Insert;
using group_testing::Inserts;
using group_testing::kSchema;
using group_testing::MustOpen;
using group_testing::Outcome;
using group_testing::RunBatch;
using group_testing::TempOptions;
using ::testing::HasSubstr;

// Runs `sql` on `c`; true when the guard refused it (SQLITE_AUTH).
bool Refused(SQLite::Database& c, const char* sql) {
  try {
    c.exec(sql);
  } catch (const SQLite::Exception& e) {
    return e.getErrorCode() == SQLITE_AUTH;
  }
  return false;
}

void ExpectRefusedByGuard(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ(errors::Reason(status), "STORAGE_ERROR");
  EXPECT_THAT(std::string(status.message()), HasSubstr("SQLITE_AUTH"));
}

TEST(TransactionGuardTest, FnCannotOpenTheBatchSavepointSoItsFailedWritesGo) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  bool refused = false;
  std::vector<Outcome> out = RunBatch(
      *db, Inserts("leader"),
      {[&](SQLite::Database& c) -> absl::Status {
         Insert(c, "x").IgnoreError();
         refused = Refused(c, "SAVEPOINT kaizen_write");  // the batch's own name
         Insert(c, "y").IgnoreError();
         return absl::InvalidArgumentError("refused");
       },
       Inserts("z")});
  EXPECT_TRUE(refused);
  EXPECT_TRUE(out[0].status.ok()) << out[0].status;
  EXPECT_EQ(out[1].status, absl::InvalidArgumentError("refused"));
  EXPECT_TRUE(out[2].status.ok()) << out[2].status;
  EXPECT_FALSE(Has(*db, "x"));  // the failed caller's writes are never committed
  EXPECT_FALSE(Has(*db, "y"));
  EXPECT_TRUE(Has(*db, "leader") && Has(*db, "z"));
}

TEST(TransactionGuardTest, FnCommittingFailsAloneAndTheNeighbourIsToldTheTruth) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  std::vector<Outcome> out = RunBatch(*db, Inserts("leader"),
                                      {Inserts("a"),
                                       [](SQLite::Database& c) -> absl::Status {
                                         Insert(c, "b").IgnoreError();
                                         c.exec("COMMIT");  // throws: refused
                                         return absl::OkStatus();
                                       },
                                       Inserts("c")});
  EXPECT_TRUE(out[1].status.ok()) << out[1].status;
  ExpectRefusedByGuard(out[2].status);
  EXPECT_TRUE(out[3].status.ok()) << out[3].status;
  EXPECT_TRUE(Has(*db, "a"));
  EXPECT_FALSE(Has(*db, "b"));
  EXPECT_TRUE(Has(*db, "c"));
}

TEST(TransactionGuardTest, FnRollingBackAndBeginningAgainLosesNoNeighbour) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  int refusals = 0;
  std::vector<Outcome> out = RunBatch(*db, Inserts("leader"),
                                      {Inserts("a"),
                                       [&](SQLite::Database& c) -> absl::Status {
                                         refusals += Refused(c, "ROLLBACK");
                                         refusals += Refused(c, "BEGIN IMMEDIATE");
                                         refusals += Refused(c, "END");
                                         refusals += Refused(c, "ROLLBACK TO kaizen_write");
                                         refusals += Refused(c, "RELEASE kaizen_write");
                                         return Insert(c, "b");
                                       },
                                       Inserts("c")});
  EXPECT_EQ(refusals, 5);
  for (const Outcome& o : out) EXPECT_TRUE(o.status.ok()) << o.status;
  EXPECT_TRUE(Has(*db, "a") && Has(*db, "b") && Has(*db, "c"));
}

TEST(TransactionGuardTest, LoneCallerCannotCommitEarly) {
  for (const char* path : {"file", ":memory:"}) {
    SCOPED_TRACE(path);
    DatabaseOptions options = TempOptions();
    if (std::string(path) == ":memory:") options.path = path;
    auto db = MustOpen(options);
    ASSERT_NE(db, nullptr);
    absl::Status status = db->RunInTransaction([](SQLite::Database& c) -> absl::Status {
      RETURN_IF_ERROR(Insert(c, "solo"));
      c.exec("COMMIT");
      return absl::OkStatus();
    });
    ExpectRefusedByGuard(status);
    EXPECT_FALSE(Has(*db, "solo"));  // told an error: nothing committed
    // Reads cannot end their snapshot either.
    status = db->RunReadOnly([](SQLite::Database& c) {
      c.exec("COMMIT");
      return absl::OkStatus();
    });
    EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
    // The connection is sound afterwards.
    EXPECT_TRUE(db->RunInTransaction(Inserts("after")).ok());
    EXPECT_TRUE(Has(*db, "after"));
  }
}

TEST(TransactionGuardTest, MigrationsAndCheckpointsAreNotAffected) {
  // DDL (a trigger's BEGIN ... END is no transaction statement), data and
  // PRAGMA user_version, each step in its own transaction.
  const Migrations schema = {
      kSchema[0],
      "CREATE TABLE log (name TEXT);"
      "CREATE TRIGGER people_log AFTER INSERT ON people BEGIN "
      "INSERT INTO log VALUES (new.name); END;",
  };
  auto opened = Database::Open(TempOptions(), schema);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Database& db = **opened;
  EXPECT_EQ(db.schema_version(), 2);
  ASSERT_TRUE(db.RunInTransaction(Inserts("a")).ok());
  int logged = 0;
  ASSERT_TRUE(db.RunReadOnly([&](SQLite::Database& c) {
                  logged = c.execAndGet("SELECT count(*) FROM log").getInt();
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(logged, 1);
  EXPECT_TRUE(db.CheckpointAndTruncateWal().ok());
}

// A savepoint SQLite will not release (a write statement fn left running)
// compromises the transaction: everything is rolled back, the callers
// before it are told so, and every status matches what was committed.
TEST(TransactionGuardTest, UnreleasableSavepointRollsBackTheWholeTransaction) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  std::unique_ptr<SQLite::Statement> held;
  std::vector<std::string> names = {"leader", "a", "h", "c"};
  std::vector<Outcome> out = RunBatch(
      *db, Inserts("leader"),
      {Inserts("a"),
       [&](SQLite::Database& c) -> absl::Status {
         held = std::make_unique<SQLite::Statement>(
             c, "INSERT INTO people (name) VALUES ('h'), ('h2') RETURNING name");
         held->executeStep();  // one row of two: the INSERT is still running
         return absl::OkStatus();
       },
       Inserts("c")});
  held.reset();
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_FALSE(out[1].status.ok()) << "its transaction was rolled back";
  EXPECT_FALSE(out[2].status.ok());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(out[i].status.ok(), Has(*db, names[i])) << names[i] << ": " << out[i].status;
  }
  EXPECT_FALSE(Has(*db, "h2"));
  EXPECT_TRUE(db->RunInTransaction(Inserts("after")).ok());
}

}  // namespace
}  // namespace kaizen::storage
