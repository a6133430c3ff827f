// Backup and restore on real SQLite files in the test's temporary directory,
// with the service's own Database as the writer.
#include "common/storage/backup.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace backup_test {

const Migrations& TestMigrations() {
  static const Migrations* m = new Migrations{
      "CREATE TABLE ledger (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);"
      "CREATE TABLE totals (k INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
      "INSERT INTO totals VALUES (1, 0);"};
  return *m;
}

// A fresh directory per test.
std::string TempDir(const std::string& name) {
  const char* root = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(root == nullptr ? "/tmp" : root, "/", name, "-", getpid());
  if (std::system(absl::StrCat("rm -rf '", dir, "' && mkdir -p '", dir, "'").c_str()) != 0) {
    ADD_FAILURE() << "cannot make " << dir;
  }
  return dir;
}

std::unique_ptr<Database> OpenDb(const std::string& path) {
  DatabaseOptions options;
  options.path = path;
  auto db = Database::Open(options, TestMigrations());
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

// One row in the ledger and the total bumped, in one transaction: a copy
// is consistent exactly when rows == total.
absl::Status AddRow(Database& db) {
  return db.RunInTransaction([](SQLite::Database& c) -> absl::Status {
    SQLite::Statement insert(c, "INSERT INTO ledger (payload) VALUES (zeroblob(300))");
    insert.exec();
    c.exec("UPDATE totals SET n = n + 1 WHERE k = 1");
    return absl::OkStatus();
  });
}

void Fill(Database& db, int rows) {
  ASSERT_TRUE(db.RunInTransaction([rows](SQLite::Database& c) -> absl::Status {
                  for (int i = 0; i < rows; ++i) {
                    c.exec("INSERT INTO ledger (payload) VALUES (zeroblob(300))");
                  }
                  c.exec(absl::StrCat("UPDATE totals SET n = n + ", rows, " WHERE k = 1"));
                  return absl::OkStatus();
                }).ok());
}

struct Counts {
  int64_t rows = -1;
  int64_t total = -2;
};

Counts Read(const std::string& path) {
  SQLite::Database c(path, SQLite::OPEN_READONLY);
  Counts counts;
  counts.rows = c.execAndGet("SELECT count(*) FROM ledger").getInt64();
  counts.total = c.execAndGet("SELECT n FROM totals WHERE k = 1").getInt64();
  return counts;
}

void Overwrite(const std::string& path, long offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

const absl::Time kNow = absl::FromUnixSeconds(1796000000);  // 2026-11-30T00:53:20Z

TEST(BackupTest, CopyIsOneConsistentSnapshotWhileAWriterGoesOn) {
  const std::string dir = TempDir("online");
  std::unique_ptr<Database> db = OpenDb(dir + "/svc.db");
  ASSERT_NE(db, nullptr);
  Fill(*db, 2000);

  absl::Mutex mu;
  int commits = 0;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop.load()) {
      ASSERT_TRUE(AddRow(*db).ok());
      absl::MutexLock lock(&mu);
      ++commits;
    }
  });

  BackupOptions options;
  options.pages_per_step = 8;
  int steps_seen = 0;
  bool writer_ran_mid_copy = false;
  options.on_step = [&](int remaining, int total) {
    ++steps_seen;
    EXPECT_LE(remaining, total);
    if (steps_seen != 2) return;
    // Mid-copy: the writer must be able to commit several transactions while
    // the copy holds its snapshot (WAL: readers never block the writer).
    absl::MutexLock lock(&mu);
    const int target = commits + 5;
    auto reached = [&commits, target] { return commits >= target; };
    writer_ran_mid_copy = mu.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30));
  };
  absl::StatusOr<BackupResult> result = BackupDatabase(dir + "/svc.db", dir + "/copy.db", options);
  stop = true;
  writer.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(writer_ran_mid_copy);
  EXPECT_GT(result->steps, 10);  // really copied in chunks
  EXPECT_EQ(result->pages, result->bytes / 4096);
  EXPECT_EQ(result->user_version, 1);

  absl::StatusOr<VerifyResult> verified = VerifyDatabase(dir + "/copy.db");
  ASSERT_TRUE(verified.ok()) << verified.status();
  const Counts copy = Read(dir + "/copy.db");
  EXPECT_EQ(copy.rows, copy.total);  // no half transaction
  EXPECT_GE(copy.rows, 2000);
  EXPECT_EQ(verified->table_rows.at("ledger"), copy.rows);
  db.reset();
  const Counts live = Read(dir + "/svc.db");
  EXPECT_GE(live.rows, copy.rows + 5);  // the writes made during the copy are not in it
  // A self-contained file: rollback-journal mode, no -wal beside it, no
  // temporary left behind.
  EXPECT_FALSE(Exists(dir + "/copy.db-wal"));
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/copy.db.tmp-", getpid())));
  std::ifstream f(dir + "/copy.db", std::ios::binary);
  char header[20];
  f.read(header, sizeof(header));
  EXPECT_EQ(header[18], 1);  // file format 1: legacy (rollback) journal
}

TEST(BackupTest, DestroyRestoreDataBack) {
  const std::string dir = TempDir("restore");
  {
    std::unique_ptr<Database> db = OpenDb(dir + "/svc.db");
    ASSERT_NE(db, nullptr);
    Fill(*db, 500);
  }
  ASSERT_TRUE(BackupDatabase(dir + "/svc.db", dir + "/b.db").ok());
  // Destroy the original: garbage over the whole header and first pages.
  Overwrite(dir + "/svc.db", 0, std::string(3 * 4096, '\x5a'));
  EXPECT_EQ(VerifyDatabase(dir + "/svc.db").status().code(), absl::StatusCode::kDataLoss);

  RestoreOptions options;
  options.now = kNow;
  absl::StatusOr<RestoreResult> restored = RestoreDatabase(dir + "/b.db", dir + "/svc.db", options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->verified.table_rows.at("ledger"), 500);
  const std::string replaced = dir + "/svc.db.replaced-20261130T005320Z";
  EXPECT_EQ(restored->replaced_path, replaced);
  EXPECT_TRUE(Exists(replaced));  // the destroyed file, kept for the record
  const Counts back = Read(dir + "/svc.db");
  EXPECT_EQ(back.rows, 500);
  EXPECT_EQ(back.total, 500);
  // The service opens it again (WAL, migrations already applied).
  std::unique_ptr<Database> reopened = OpenDb(dir + "/svc.db");
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->schema_version(), 1);
  EXPECT_TRUE(AddRow(*reopened).ok());
  reopened.reset();
  EXPECT_TRUE(VerifyDatabase(dir + "/svc.db").ok());

  // The same restore at the same time again would overwrite the kept file.
  EXPECT_EQ(errors::Reason(RestoreDatabase(dir + "/b.db", dir + "/svc.db", options).status()),
            kBackupTargetExists);
}

TEST(BackupTest, RestoreOntoADeletedDatabaseAndWithForce) {
  const std::string dir = TempDir("deleted");
  {
    std::unique_ptr<Database> db = OpenDb(dir + "/svc.db");
    ASSERT_NE(db, nullptr);
    Fill(*db, 50);
  }
  ASSERT_TRUE(BackupDatabase(dir + "/svc.db", dir + "/b.db").ok());
  ASSERT_EQ(std::remove((dir + "/svc.db").c_str()), 0);
  RestoreOptions options;
  absl::StatusOr<RestoreResult> restored = RestoreDatabase(dir + "/b.db", dir + "/svc.db", options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->replaced_path, "");
  EXPECT_EQ(Read(dir + "/svc.db").rows, 50);

  options.force = true;
  restored = RestoreDatabase(dir + "/b.db", dir + "/svc.db", options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->replaced_path, "");
  EXPECT_FALSE(Exists(dir + "/svc.db.replaced-19700101T000000Z"));
  EXPECT_EQ(Read(dir + "/svc.db").rows, 50);
}

TEST(BackupTest, CorruptedBackupIsRefusedAndTheTargetUntouched) {
  const std::string dir = TempDir("corrupt");
  {
    std::unique_ptr<Database> db = OpenDb(dir + "/svc.db");
    ASSERT_NE(db, nullptr);
    Fill(*db, 1000);
  }
  ASSERT_TRUE(BackupDatabase(dir + "/svc.db", dir + "/b.db").ok());
  // Damage pages in the middle of the ledger's b-tree, header intact.
  ASSERT_EQ(std::system(absl::StrCat("cp '", dir, "/b.db' '", dir, "/bad.db'").c_str()), 0);
  Overwrite(dir + "/bad.db", 20 * 4096, std::string(2 * 4096, '\xff'));
  // And one cut short.
  ASSERT_EQ(
      std::system(absl::StrCat("head -c 40000 '", dir, "/b.db' > '", dir, "/short.db'").c_str()),
      0);
  std::ofstream(dir + "/text.db") << "not a database at all\n";

  for (const char* name : {"/bad.db", "/short.db", "/text.db"}) {
    absl::StatusOr<RestoreResult> r = RestoreDatabase(dir + name, dir + "/svc.db", {});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << name << " " << r.status();
    EXPECT_EQ(errors::Reason(r.status()), kBackupCorrupt) << name;
  }
  EXPECT_EQ(Read(dir + "/svc.db").rows, 1000);
  EXPECT_TRUE(VerifyDatabase(dir + "/svc.db").ok());
  EXPECT_FALSE(Exists(absl::StrCat(dir, "/svc.db.restore-tmp-", getpid())));
  // A damaged source gives no backup file either.
  EXPECT_EQ(errors::Reason(BackupDatabase(dir + "/bad.db", dir + "/x.db").status()),
            kBackupCorrupt);
  EXPECT_FALSE(Exists(dir + "/x.db"));
}

TEST(BackupTest, RestoreIsRefusedWhileTheDatabaseIsOpen) {
  const std::string dir = TempDir("inuse");
  std::unique_ptr<Database> db = OpenDb(dir + "/svc.db");
  ASSERT_NE(db, nullptr);
  Fill(*db, 10);
  ASSERT_TRUE(BackupDatabase(dir + "/svc.db", dir + "/b.db").ok());
  // Idle: no transaction running, only open connections.
  absl::Status s = RestoreDatabase(dir + "/b.db", dir + "/svc.db", {}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(errors::Reason(s), kDatabaseInUse);
  EXPECT_EQ(errors::Reason(CheckNotInUse(dir + "/svc.db")), kDatabaseInUse);
  db.reset();
  EXPECT_TRUE(CheckNotInUse(dir + "/svc.db").ok());
  EXPECT_TRUE(RestoreDatabase(dir + "/b.db", dir + "/svc.db", {}).ok());
}

TEST(BackupTest, TheDatabaseStaysLockedFromTheCheckUntilTheRename) {
  const std::string dir = TempDir("locked");
  {
    std::unique_ptr<Database> db = OpenDb(dir + "/svc.db");
    ASSERT_NE(db, nullptr);
    Fill(*db, 100);
  }
  ASSERT_TRUE(BackupDatabase(dir + "/svc.db", dir + "/b.db").ok());
  RestoreOptions options;
  options.now = kNow;
  options.copy.pages_per_step = 1;
  int steps = 0;
  int unlocked = 0;
  // A service starting mid-copy must find the database in use, not write
  // rows the rename then moves aside.
  options.copy.on_step = [&](int, int) {
    ++steps;
    if (CheckNotInUse(dir + "/svc.db").ok()) ++unlocked;
  };
  absl::StatusOr<RestoreResult> restored = RestoreDatabase(dir + "/b.db", dir + "/svc.db", options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_GT(steps, 1);
  EXPECT_EQ(unlocked, 0);
  // Released after the rename: the service can open the restored database,
  // and the replaced one is whole on its own.
  EXPECT_TRUE(CheckNotInUse(dir + "/svc.db").ok());
  std::unique_ptr<Database> reopened = OpenDb(dir + "/svc.db");
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(AddRow(*reopened).ok());
  EXPECT_EQ(Read(restored->replaced_path).rows, 100);
  EXPECT_TRUE(VerifyDatabase(restored->replaced_path).ok());
}

TEST(BackupTest, ArgumentsAreCheckedBeforeAnythingIsWritten) {
  const std::string dir = TempDir("args");
  {
    std::unique_ptr<Database> db = OpenDb(dir + "/svc.db");
    ASSERT_NE(db, nullptr);
  }
  absl::Status s = BackupDatabase(dir + "/none.db", dir + "/b.db").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(errors::Reason(s), kBackupSourceMissing);
  s = BackupDatabase(dir + "/svc.db", dir + "/no/such/dir/b.db").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(s), kBackupDirMissing);
  ASSERT_TRUE(BackupDatabase(dir + "/svc.db", dir + "/b.db").ok());
  s = BackupDatabase(dir + "/svc.db", dir + "/b.db").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(s), kBackupTargetExists);
  s = RestoreDatabase(dir + "/svc.db", dir + "/./svc.db", {}).status();
  EXPECT_EQ(errors::Reason(s), kBackupSameFile);
  s = RestoreDatabase(dir + "/none.db", dir + "/svc.db", {}).status();
  EXPECT_EQ(errors::Reason(s), kBackupSourceMissing);
  EXPECT_EQ(errors::Reason(VerifyDatabase(dir + "/none.db").status()), kBackupSourceMissing);
}

TEST(BackupTest, FileNamesCarryTheUtcTime) {
  EXPECT_EQ(BackupFileName("/data/enrollment.db", kNow), "enrollment-20261130T005320Z.db");
  EXPECT_EQ(BackupFileName("plans", kNow), "plans-20261130T005320Z.db");
  EXPECT_EQ(BackupFileName("/data/.hidden", kNow), ".hidden-20261130T005320Z.db");
}

}  // namespace
}  // namespace kaizen::storage
