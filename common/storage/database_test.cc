#include "common/storage/database.h"

#include <fstream>
#include <iterator>

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace database_test {

using ::testing::HasSubstr;
using ::testing::Not;

const Migrations kPeople = {
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
};

// A fresh file under TEST_TMPDIR, named after the running test.
std::string TempDbPath() {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  return path;
}

DatabaseOptions FileOptions(const std::string& path) {
  DatabaseOptions options;
  options.path = path;
  return options;
}

std::unique_ptr<Database> MustOpen(const DatabaseOptions& options,
                                   const Migrations& migrations) {
  auto db = Database::Open(options, migrations);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

absl::Status Insert(SQLite::Database& db, const std::string& name) {
  SQLite::Statement insert(db, "INSERT INTO people (name) VALUES (?)");
  insert.bind(1, name);
  insert.exec();
  return absl::OkStatus();
}

int QueryInt(SQLite::Database& db, const std::string& sql) {
  return db.execAndGet(sql).getInt();
}

int CountPeople(Database& db) {
  int count = -1;
  absl::Status status = db.RunReadOnly([&](SQLite::Database& c) {
    count = QueryInt(c, "SELECT COUNT(*) FROM people");
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  return count;
}

void ExpectStorageError(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ(errors::Reason(status), "STORAGE_ERROR") << status;
}

// --- Migrations -------------------------------------------------------------

TEST(DatabaseTest, AppliesMigrationsInOrder) {
  // Each step only works on top of the previous one.
  const Migrations migrations = {
      "CREATE TABLE t (a INTEGER)",
      "ALTER TABLE t ADD COLUMN b INTEGER",
      "INSERT INTO t (a, b) VALUES (1, 2)",
  };
  auto db = MustOpen(DatabaseOptions{}, migrations);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version(), 3);
  ASSERT_TRUE(db->RunReadOnly([](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "PRAGMA user_version"), 3);
                  EXPECT_EQ(QueryInt(c, "SELECT a + b FROM t"), 3);
                  return absl::OkStatus();
                }).ok());
}

TEST(DatabaseTest, NoMigrationsMeansVersionZero) {
  auto db = Database::OpenInMemory({});
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->schema_version(), 0);
}

TEST(DatabaseTest, MigratesAnOldDatabaseKeepingItsData) {
  const std::string path = TempDbPath();
  {
    auto db = MustOpen(FileOptions(path), kPeople);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(db->schema_version(), 1);
    ASSERT_TRUE(db->RunInTransaction(
                      [](SQLite::Database& c) { return Insert(c, "ada"); })
                    .ok());
  }
  Migrations newer = kPeople;
  newer.push_back("ALTER TABLE people ADD COLUMN email TEXT");
  newer.push_back("CREATE TABLE teams (id INTEGER PRIMARY KEY)");
  auto db = MustOpen(FileOptions(path), newer);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version(), 3);
  ASSERT_TRUE(db->RunReadOnly([](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "PRAGMA user_version"), 3);
                  EXPECT_EQ(c.execAndGet("SELECT name FROM people").getString(),
                            "ada");
                  EXPECT_EQ(QueryInt(c, "SELECT COUNT(email) FROM people"), 0);
                  EXPECT_TRUE(c.tableExists("teams"));
                  return absl::OkStatus();
                }).ok());
}

TEST(DatabaseTest, RefusesADatabaseNewerThanTheCode) {
  const std::string path = TempDbPath();
  const Migrations three = {"CREATE TABLE a (x)", "CREATE TABLE b (x)",
                            "CREATE TABLE c (x)"};
  ASSERT_NE(MustOpen(FileOptions(path), three), nullptr);

  auto old_binary = Database::Open(FileOptions(path), {three[0]});
  ASSERT_FALSE(old_binary.ok());
  EXPECT_EQ(old_binary.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(old_binary.status()), "SCHEMA_TOO_NEW");
  EXPECT_THAT(std::string(old_binary.status().message()),
              HasSubstr("version 3"));
  EXPECT_THAT(std::string(old_binary.status().message()), HasSubstr("(1)"));

  // Refusing changed nothing.
  auto db = MustOpen(FileOptions(path), three);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version(), 3);
}

TEST(DatabaseTest, FailedMigrationIsRolledBack) {
  const std::string path = TempDbPath();
  ASSERT_NE(MustOpen(FileOptions(path), kPeople), nullptr);

  // The first statement succeeds and must be undone with the second.
  Migrations broken = kPeople;
  broken.push_back(
      "CREATE TABLE teams (id INTEGER); INSERT INTO no_such_table VALUES (1)");
  auto failed = Database::Open(FileOptions(path), broken);
  ASSERT_FALSE(failed.ok());
  ExpectStorageError(failed.status());
  EXPECT_THAT(std::string(failed.status().message()),
              Not(HasSubstr("no_such_table")));

  auto db = MustOpen(FileOptions(path), kPeople);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version(), 1);
  ASSERT_TRUE(db->RunReadOnly([](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "PRAGMA user_version"), 1);
                  EXPECT_FALSE(c.tableExists("teams"));
                  return absl::OkStatus();
                }).ok());
}

TEST(DatabaseTest, UnopenableFileIsStorageError) {
  // The "directory" is a regular file: neither it nor the database can be made.
  const std::string not_a_dir = TempDbPath() + "-file";
  std::ofstream(not_a_dir) << "x";
  DatabaseOptions options = FileOptions(not_a_dir + "/x.db");
  options.init = true;  // else the first-run rule refuses before trying
  auto db = Database::Open(options, kPeople);
  ASSERT_FALSE(db.ok());
  ExpectStorageError(db.status());
}

TEST(DatabaseTest, CreatesAMissingDataDirectoryOnlyWhenInit) {
  DatabaseOptions options = FileOptions(TempDbPath() + "/new/data/dir/x.db");
  auto refused = Database::Open(options, kPeople);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(errors::Reason(refused.status()), kDatabaseMissing);
  options.init = true;
  auto db = Database::Open(options, kPeople);
  ASSERT_TRUE(db.ok()) << db.status();
}

// --- RunInTransaction -------------------------------------------------------

TEST(DatabaseTest, CommitsWhenFnReturnsOk) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  return Insert(c, "ada");
                }).ok());
  EXPECT_EQ(CountPeople(*db), 1);
}

TEST(DatabaseTest, RollsBackWhenFnReturnsAnError) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  absl::Status status = db->RunInTransaction([](SQLite::Database& c) {
    Insert(c, "ada").IgnoreError();
    return errors::FailedPrecondition("NOPE", "changed my mind");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(status), "NOPE");
  EXPECT_EQ(CountPeople(*db), 0);
}

TEST(DatabaseTest, RollsBackWhenFnThrows) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  absl::Status status = db->RunInTransaction([](SQLite::Database& c) {
    Insert(c, "ada").IgnoreError();
    throw std::runtime_error("secret detail");
    return absl::OkStatus();
  });
  ExpectStorageError(status);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret")));
  EXPECT_EQ(CountPeople(*db), 0);
  // No transaction was left open on the connection.
  EXPECT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  return Insert(c, "bob");
                }).ok());
  EXPECT_EQ(CountPeople(*db), 1);
}

TEST(DatabaseTest, UniqueViolationIsAlreadyExistsWithoutSql) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  return Insert(c, "ada");
                }).ok());
  absl::Status status = db->RunInTransaction([](SQLite::Database& c) {
    Insert(c, "bob").IgnoreError();  // Rolled back with the failure below.
    return Insert(c, "ada");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(status), "ALREADY_EXISTS");
  EXPECT_EQ(status.message(), "a record with the same key already exists");
  for (const char* leak : {"INSERT", "people", "name", "ada", "UNIQUE"}) {
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(leak)));
  }
  EXPECT_EQ(CountPeople(*db), 1);
}

TEST(DatabaseTest, DuplicatePrimaryKeyIsAlreadyExists) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  absl::Status status = db->RunInTransaction([](SQLite::Database& c) {
    c.exec("INSERT INTO people (id, name) VALUES (7, 'ada')");
    c.exec("INSERT INTO people (id, name) VALUES (7, 'bob')");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(CountPeople(*db), 0);
}

TEST(DatabaseTest, OtherConstraintsAreFailedPrecondition) {
  auto db = MustOpen(
      DatabaseOptions{},
      {"CREATE TABLE parent (id INTEGER PRIMARY KEY)",
       "CREATE TABLE child (id INTEGER PRIMARY KEY, note TEXT NOT NULL,"
       " qty INTEGER CHECK (qty > 0), parent_id INTEGER REFERENCES parent(id))"});
  ASSERT_NE(db, nullptr);
  // The foreign key case also proves PRAGMA foreign_keys is on.
  for (const char* sql : {
           "INSERT INTO child (note, qty) VALUES (NULL, 1)",
           "INSERT INTO child (note, qty) VALUES ('x', 0)",
           "INSERT INTO child (note, qty, parent_id) VALUES ('x', 1, 42)",
       }) {
    absl::Status status = db->RunInTransaction([&](SQLite::Database& c) {
      c.exec(sql);
      return absl::OkStatus();
    });
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << sql;
    EXPECT_EQ(errors::Reason(status), "CONSTRAINT_VIOLATION") << sql;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("child")));
  }
}

TEST(DatabaseTest, SqlErrorIsStorageErrorWithoutSql) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  absl::Status status = db->RunInTransaction([](SQLite::Database& c) {
    c.exec("SELECT secret_column FROM people");
    return absl::OkStatus();
  });
  ExpectStorageError(status);
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret")));
  EXPECT_THAT(std::string(status.message()), HasSubstr("SQLITE_ERROR"));
}

TEST(DatabaseTest, StatusFromExceptionMapsCodes) {
  const absl::Status busy =
      StatusFromException(SQLite::Exception("SELECT secret", SQLITE_BUSY));
  EXPECT_EQ(busy.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(errors::Reason(busy), "DATABASE_BUSY");
  EXPECT_THAT(std::string(busy.message()), Not(HasSubstr("secret")));

  const absl::Status locked =
      StatusFromException(SQLite::Exception("x", SQLITE_LOCKED));
  EXPECT_EQ(errors::Reason(locked), "DATABASE_BUSY");

  const absl::Status constraint =
      StatusFromException(SQLite::Exception("x", SQLITE_CONSTRAINT));
  EXPECT_EQ(errors::Reason(constraint), "CONSTRAINT_VIOLATION");

  const absl::Status io =
      StatusFromException(SQLite::Exception("INSERT secret", SQLITE_IOERR));
  ExpectStorageError(io);
  EXPECT_THAT(std::string(io.message()), HasSubstr("SQLITE_IOERR"));
  EXPECT_THAT(std::string(io.message()), Not(HasSubstr("secret")));

  const absl::Status other =
      StatusFromException(std::logic_error("value 'secret'"));
  ExpectStorageError(other);
  EXPECT_THAT(std::string(other.message()), Not(HasSubstr("secret")));
}

TEST(DatabaseTest, WriterPastTheBusyTimeoutGetsAborted) {
  const std::string path = TempDbPath();
  DatabaseOptions options = FileOptions(path);
  options.busy_timeout = absl::Milliseconds(50);
  auto db = MustOpen(options, kPeople);
  ASSERT_NE(db, nullptr);

  // Another connection (as another process would) holds the write lock.
  SQLite::Database other(path, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  absl::Status status = db->RunInTransaction([](SQLite::Database& c) {
    return Insert(c, "ada");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(errors::Reason(status), "DATABASE_BUSY");

  other.exec("ROLLBACK");
  EXPECT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  return Insert(c, "ada");
                }).ok());
}

TEST(DatabaseTest, ConcurrentWritersOnTwoConnectionsLoseNoUpdate) {
  const std::string path = TempDbPath();
  DatabaseOptions options = FileOptions(path);
  options.busy_timeout = absl::Seconds(30);  // Generous for loaded CI hosts.
  const Migrations migrations = {
      "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)",
  };
  // Two Database objects: in-process mutexes cannot serialise them, only
  // SQLite's locking (BEGIN IMMEDIATE) can.
  std::unique_ptr<Database> dbs[] = {MustOpen(options, migrations),
                                     MustOpen(options, migrations)};
  ASSERT_NE(dbs[0], nullptr);
  ASSERT_NE(dbs[1], nullptr);

  constexpr int kThreads = 8;
  constexpr int kIncrements = 50;
  absl::Notification start;
  std::vector<absl::Status> failures[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Database& db = *dbs[t % 2];
      start.WaitForNotification();
      for (int i = 0; i < kIncrements; ++i) {
        // Read, then write back: a lost update would show in the total.
        absl::Status status = db.RunInTransaction([](SQLite::Database& c) {
          const int n = QueryInt(c, "SELECT n FROM counter");
          SQLite::Statement update(c, "UPDATE counter SET n = ?");
          update.bind(1, n + 1);
          update.exec();
          return absl::OkStatus();
        });
        if (!status.ok()) failures[t].push_back(status);
      }
    });
  }
  start.Notify();
  for (std::thread& thread : threads) thread.join();

  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(failures[t].empty()) << "thread " << t << ": "
                                     << failures[t].front();
  }
  for (auto& db : dbs) {
    ASSERT_TRUE(db->RunReadOnly([](SQLite::Database& c) {
                    EXPECT_EQ(QueryInt(c, "SELECT n FROM counter"),
                              kThreads * kIncrements);
                    return absl::OkStatus();
                  }).ok());
  }
}

// --- RunReadOnly ------------------------------------------------------------

TEST(DatabaseTest, ReadOnlySeesCommittedDataInMemory) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(CountPeople(*db), 0);
  ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  return Insert(c, "ada");
                }).ok());
  EXPECT_EQ(CountPeople(*db), 1);
}

TEST(DatabaseTest, ReadOnlySeesCommittedButNotUncommittedData) {
  auto db = MustOpen(FileOptions(TempDbPath()), kPeople);
  ASSERT_NE(db, nullptr);
  absl::Notification inserted, counted;
  std::thread writer([&] {
    EXPECT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                    EXPECT_TRUE(Insert(c, "ada").ok());
                    inserted.Notify();
                    // Stay uncommitted until the reader has looked.
                    EXPECT_TRUE(
                        counted.WaitForNotificationWithTimeout(absl::Seconds(30)));
                    return absl::OkStatus();
                  }).ok());
  });
  ASSERT_TRUE(inserted.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(CountPeople(*db), 0);
  counted.Notify();
  writer.join();
  EXPECT_EQ(CountPeople(*db), 1);
}

TEST(DatabaseTest, ReadOnlyKeepsOneSnapshotWhileAWriterCommits) {
  auto db = MustOpen(FileOptions(TempDbPath()), kPeople);
  ASSERT_NE(db, nullptr);
  absl::Notification first_read, committed;
  std::thread writer([&] {
    ASSERT_TRUE(first_read.WaitForNotificationWithTimeout(absl::Seconds(30)));
    EXPECT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                    return Insert(c, "ada");
                  }).ok());
    committed.Notify();
  });
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM people"), 0);
                  first_read.Notify();
                  EXPECT_TRUE(committed.WaitForNotificationWithTimeout(
                      absl::Seconds(30)));
                  EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM people"), 0);
                  return absl::OkStatus();
                }).ok());
  writer.join();
  EXPECT_EQ(CountPeople(*db), 1);
}

TEST(DatabaseTest, ReadOnlyRejectsWrites) {
  const std::string path = TempDbPath();
  for (const DatabaseOptions& options : {DatabaseOptions{}, FileOptions(path)}) {
    auto db = MustOpen(options, kPeople);
    ASSERT_NE(db, nullptr);
    absl::Status status = db->RunReadOnly([](SQLite::Database& c) {
      return Insert(c, "ada");
    });
    ExpectStorageError(status);
    EXPECT_THAT(std::string(status.message()), HasSubstr("SQLITE_READONLY"));
    EXPECT_EQ(CountPeople(*db), 0) << options.path;
    // The connection is writable again for transactions.
    EXPECT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                    return Insert(c, "ada");
                  }).ok())
        << options.path;
  }
}

TEST(DatabaseTest, ManyReadersShareASmallPool) {
  DatabaseOptions options = FileOptions(TempDbPath());
  options.reader_connections = 2;
  auto db = MustOpen(options, kPeople);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  return Insert(c, "ada");
                }).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) EXPECT_EQ(CountPeople(*db), 1);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

// --- Deleted data does not stay readable in the files -------------------------

// The whole content of `path` ("" if it does not exist).
std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(DatabaseTest, EveryConnectionKeepsTemporaryDataInMemory) {
  auto db = MustOpen(FileOptions(TempDbPath()), kPeople);
  ASSERT_NE(db, nullptr);
  static constexpr int kMemory = 2;  // PRAGMA temp_store: 0 default, 1 file, 2 memory
  ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "PRAGMA temp_store"), kMemory);
                  return absl::OkStatus();
                }).ok());
  ASSERT_TRUE(db->RunReadOnly([](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "PRAGMA temp_store"), kMemory);
                  return absl::OkStatus();
                }).ok());
}

// DatabaseOptions::page_size applies to a file Open creates; an existing
// file keeps the page size it was written with (and its data).
TEST(DatabaseTest, ANewFileGetsThePageSizeAnExistingOneKeepsItsOwn) {
  const std::string path = TempDbPath();
  auto page_size = [](Database& db) {
    int size = -1;
    EXPECT_TRUE(db.RunReadOnly([&](SQLite::Database& c) {
                    size = QueryInt(c, "PRAGMA page_size");
                    return absl::OkStatus();
                  }).ok());
    return size;
  };
  DatabaseOptions options = FileOptions(path);
  options.page_size = 2048;
  {
    auto db = MustOpen(options, kPeople);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(page_size(*db), 2048);
    ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) { return Insert(c, "佐藤"); }).ok());
  }
  options.page_size = 8192;
  auto again = MustOpen(options, kPeople);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(page_size(*again), 2048);
  EXPECT_EQ(CountPeople(*again), 1);
  auto other = MustOpen(FileOptions(TempDbPath() + "-default"), kPeople);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(page_size(*other), 4096);
}

TEST(DatabaseTest, EveryConnectionZeroesDeletedContent) {
  auto db = MustOpen(FileOptions(TempDbPath()), kPeople);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "PRAGMA secure_delete"), 1);
                  return absl::OkStatus();
                }).ok());
  ASSERT_TRUE(db->RunReadOnly([](SQLite::Database& c) {
                  EXPECT_EQ(QueryInt(c, "PRAGMA secure_delete"), 1);
                  return absl::OkStatus();
                }).ok());
}

TEST(DatabaseTest, AfterDeleteAndCheckpointTheFilesHoldNoTraceOfTheRow) {
  const std::string path = TempDbPath();
  auto db = MustOpen(FileOptions(path), kPeople);
  ASSERT_NE(db, nullptr);
  // Distinctive, and long enough not to occur by chance.
  const std::string secret = "Purge-Me-Kaizen-7f3a9c Yamada Taro 090-1234-5678";
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  RETURN_IF_ERROR(Insert(c, "someone else"));
                  return Insert(c, secret);
                }).ok());
  // The test can see it: it is in the WAL (or the file) once committed.
  ASSERT_NE((FileBytes(path) + FileBytes(path + "-wal")).find(secret), std::string::npos);
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  SQLite::Statement del(c, "DELETE FROM people WHERE name = ?");
                  del.bind(1, secret);
                  EXPECT_EQ(del.exec(), 1);
                  return absl::OkStatus();
                }).ok());
  // Committed, but the WAL still holds the page as it was before.
  EXPECT_NE((FileBytes(path) + FileBytes(path + "-wal")).find(secret), std::string::npos);

  ASSERT_TRUE(db->CheckpointAndTruncateWal().ok());
  EXPECT_EQ(FileBytes(path).find(secret), std::string::npos);
  EXPECT_EQ(FileBytes(path + "-wal").find(secret), std::string::npos);
  EXPECT_EQ(FileBytes(path + "-wal").size(), 0u);
  // The rest is intact, and the database keeps working.
  EXPECT_EQ(CountPeople(*db), 1);
  EXPECT_TRUE(db->RunInTransaction([](SQLite::Database& c) { return Insert(c, "ada"); }).ok());
  EXPECT_EQ(CountPeople(*db), 2);
}

TEST(DatabaseTest, CheckpointInMemoryIsANoOp) {
  auto db = MustOpen(DatabaseOptions{}, kPeople);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->CheckpointAndTruncateWal().ok());
}

TEST(DatabaseTest, CheckpointBlockedByAReaderIsBusyAndCanBeRetried) {
  DatabaseOptions options = FileOptions(TempDbPath());
  options.busy_timeout = absl::Milliseconds(50);
  auto db = MustOpen(options, kPeople);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) { return Insert(c, "ada"); }).ok());
  absl::Notification reading, checked;
  std::thread reader([&] {
    EXPECT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                    EXPECT_EQ(QueryInt(c, "SELECT COUNT(*) FROM people"), 1);
                    reading.Notify();
                    EXPECT_TRUE(checked.WaitForNotificationWithTimeout(absl::Seconds(30)));
                    return absl::OkStatus();
                  }).ok());
  });
  ASSERT_TRUE(reading.WaitForNotificationWithTimeout(absl::Seconds(30)));
  // A commit after the reader's snapshot: its frames cannot all be
  // checkpointed while the reader holds the older one.
  ASSERT_TRUE(db->RunInTransaction([](SQLite::Database& c) { return Insert(c, "bob"); }).ok());
  absl::Status busy = db->CheckpointAndTruncateWal();
  checked.Notify();
  reader.join();
  EXPECT_EQ(busy.code(), absl::StatusCode::kAborted) << busy;
  EXPECT_EQ(errors::Reason(busy), "DATABASE_BUSY");
  EXPECT_TRUE(db->CheckpointAndTruncateWal().ok());
}

}  // namespace
}  // namespace kaizen::storage
