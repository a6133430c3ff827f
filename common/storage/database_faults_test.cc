// Faults of the database file itself: deleted, replaced, damaged, full,
// read-only; the first-run rule; synchronous=FULL; the process-wide stats.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include <sqlite3.h>
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "common/storage/database_faults.h"
#include "common/storage/fault_vfs.h"
#include "common/storage/storage_stats.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace database_faults_test {

namespace fs = std::filesystem;

const Migrations kNotes = {"CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"};

// A fresh directory under TEST_TMPDIR, named after the running test.
std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/faults-" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

DatabaseOptions At(const std::string& path) {
  DatabaseOptions options;
  options.path = path;
  options.reader_connections = 1;
  return options;
}

std::unique_ptr<Database> MustOpen(const DatabaseOptions& options) {
  auto db = Database::Open(options, kNotes);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

absl::Status AddNote(Database& db, int bytes = 100) {
  return db.RunInTransaction([&](SQLite::Database& c) {
    SQLite::Statement insert(c, "INSERT INTO notes (body) VALUES (zeroblob(?))");
    insert.bind(1, bytes);
    insert.exec();
    return absl::OkStatus();
  });
}

absl::StatusOr<int> CountNotes(Database& db) {
  int n = -1;
  absl::Status s = db.RunReadOnly([&](SQLite::Database& c) {
    n = c.execAndGet("SELECT count(*) FROM notes").getInt();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

void ExpectFault(const absl::Status& s, absl::StatusCode code, const char* reason) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(errors::Reason(s), reason) << s;
}

// Overwrites every page but the first with a repeating byte.
void DamagePages(const std::string& path) {
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 3 * 4096u);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(4096);
  f << std::string(size - 4096, '\xA5');
}

// --- deleted or replaced while open --------------------------------------

TEST(DatabaseFaultsTest, DeletedFileRefusesTheNextWriteAndTheNextStart) {
  const std::string path = TempDir() + "/a.db";
  const StorageStatsSnapshot before = GlobalStorageStats();
  auto db = MustOpen(At(path));
  ASSERT_TRUE(AddNote(*db).ok());
  EXPECT_TRUE(db->Health().ok());

  ASSERT_EQ(::unlink(path.c_str()), 0);
  // Noticed by the write itself (before COMMIT), without a health poll.
  ExpectFault(AddNote(*db), absl::StatusCode::kUnavailable, kDatabaseMissing);
  ExpectFault(db->Health(), absl::StatusCode::kUnavailable, kDatabaseMissing);
  ExpectFault(ProcessStorageHealth(), absl::StatusCode::kUnavailable, kDatabaseMissing);
  const StorageStatsSnapshot after = GlobalStorageStats();
  EXPECT_EQ(after.missing, before.missing + 1);
  EXPECT_FALSE(after.healthy);
  // Later writes are refused at once; reads still see the open inode.
  ExpectFault(AddNote(*db), absl::StatusCode::kUnavailable, kDatabaseMissing);
  EXPECT_EQ(*CountNotes(*db), 1);
  EXPECT_EQ(GlobalStorageStats().missing, before.missing + 1);  // one transition

  db.reset();
  EXPECT_TRUE(ProcessStorageHealth().ok());
  EXPECT_TRUE(fs::exists(path + ".missing"));
  auto again = Database::Open(At(path), kNotes);
  ASSERT_FALSE(again.ok());
  ExpectFault(again.status(), absl::StatusCode::kUnavailable, kDatabaseMissing);
  EXPECT_NE(again.status().message().find("--init"), absl::string_view::npos);

  DatabaseOptions init = At(path);
  init.init = true;
  auto fresh = MustOpen(init);
  EXPECT_EQ(*CountNotes(*fresh), 0);
  EXPECT_FALSE(fs::exists(path + ".missing"));
}

TEST(DatabaseFaultsTest, DeletedDataDirectoryIsNoticedByThePollAndRefusedAtStart) {
  const std::string dir = TempDir() + "/data";
  fs::create_directories(dir);
  const std::string path = dir + "/a.db";
  auto db = MustOpen(At(path));
  ASSERT_TRUE(AddNote(*db).ok());

  fs::remove_all(dir);
  // No write needed: the health check stats the files itself.
  ExpectFault(db->Health(), absl::StatusCode::kUnavailable, kDatabaseMissing);
  ExpectFault(AddNote(*db), absl::StatusCode::kUnavailable, kDatabaseMissing);
  db.reset();

  auto again = Database::Open(At(path), kNotes);
  ASSERT_FALSE(again.ok());
  ExpectFault(again.status(), absl::StatusCode::kUnavailable, kDatabaseMissing);
  EXPECT_FALSE(fs::exists(dir));  // nothing was created
}

TEST(DatabaseFaultsTest, ReplacedFileAndDeletedWalAreMissingToo) {
  const std::string dir = TempDir();
  {
    auto db = MustOpen(At(dir + "/a.db"));
    std::ofstream(dir + "/other") << "restored from somewhere";
    fs::rename(dir + "/other", dir + "/a.db");
    ExpectFault(db->Health(), absl::StatusCode::kUnavailable, kDatabaseMissing);
  }
  {
    auto db = MustOpen(At(dir + "/b.db"));
    ASSERT_TRUE(fs::exists(dir + "/b.db-wal"));
    fs::remove(dir + "/b.db-wal");
    ExpectFault(AddNote(*db), absl::StatusCode::kUnavailable, kDatabaseMissing);
  }
}

// --- the first-run rule -------------------------------------------------------

TEST(DatabaseFaultsTest, FirstRunCreatesInAnExistingDirectoryWithOtherFiles) {
  const std::string dir = TempDir();
  std::ofstream(dir + "/internal-secret") << "x";
  std::ofstream(dir + "/other.db") << "another service's database";
  auto db = MustOpen(At(dir + "/a.db"));
  EXPECT_TRUE(AddNote(*db).ok());
}

TEST(DatabaseFaultsTest, LeftoverWalMeansTheDatabaseWasThere) {
  const std::string dir = TempDir();
  std::ofstream(dir + "/a.db-wal") << "";
  auto db = Database::Open(At(dir + "/a.db"), kNotes);
  ASSERT_FALSE(db.ok());
  ExpectFault(db.status(), absl::StatusCode::kUnavailable, kDatabaseMissing);
  EXPECT_FALSE(fs::exists(dir + "/a.db"));
}

// --- damaged pages --------------------------------------------------------------

TEST(DatabaseFaultsTest, DamagedFileIsRefusedAtStart) {
  const std::string path = TempDir() + "/a.db";
  {
    auto db = MustOpen(At(path));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(AddNote(*db, 1000).ok());
  }  // closing checkpoints the WAL into the file
  DamagePages(path);
  auto db = Database::Open(At(path), kNotes);
  ASSERT_FALSE(db.ok());
  ExpectFault(db.status(), absl::StatusCode::kDataLoss, kDatabaseCorrupt);
}

TEST(DatabaseFaultsTest, NotADatabaseIsRefusedAtStart) {
  const std::string path = TempDir() + "/a.db";
  std::ofstream(path) << std::string(8192, 'x');
  auto db = Database::Open(At(path), kNotes);
  ASSERT_FALSE(db.ok());
  ExpectFault(db.status(), absl::StatusCode::kDataLoss, kDatabaseCorrupt);
}

TEST(DatabaseFaultsTest, DamageFoundAtRunTimeTurnsHealthCorrupt) {
  const std::string path = TempDir() + "/a.db";
  const int64_t corrupt_before = GlobalStorageStats().corrupt;
  auto db = MustOpen(At(path));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(AddNote(*db, 1000).ok());
  {
    // Another connection moves everything into the file, as a checkpoint
    // eventually would, so the damage below is what readers see.
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    other.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  DamagePages(path);
  ExpectFault(CountNotes(*db).status(), absl::StatusCode::kDataLoss, kDatabaseCorrupt);
  ExpectFault(db->Health(), absl::StatusCode::kDataLoss, kDatabaseCorrupt);
  ExpectFault(AddNote(*db), absl::StatusCode::kDataLoss, kDatabaseCorrupt);
  EXPECT_EQ(GlobalStorageStats().corrupt, corrupt_before + 1);
}

// --- disk full -----------------------------------------------------------------

// SQLITE_FULL for real, hermetically: max_page_count caps the file.
absl::Status CapPages(Database& db, int pages) {
  return db.RunInTransaction([&](SQLite::Database& c) {
    c.exec("PRAGMA max_page_count = " + std::to_string(pages));
    return absl::OkStatus();
  });
}

TEST(DatabaseFaultsTest, DiskFullIsResourceExhaustedUntilAWriteSucceeds) {
  DatabaseOptions options = At(TempDir() + "/a.db");
  options.fault_recheck_interval = absl::InfiniteDuration();
  const int64_t full_before = GlobalStorageStats().disk_full;
  auto db = MustOpen(options);
  ASSERT_TRUE(CapPages(*db, 4).ok());
  ExpectFault(AddNote(*db, 64 * 1024), absl::StatusCode::kResourceExhausted, kDiskFull);
  ExpectFault(db->Health(), absl::StatusCode::kResourceExhausted, kDiskFull);
  EXPECT_EQ(GlobalStorageStats().disk_full, full_before + 1);
  EXPECT_FALSE(GlobalStorageStats().healthy);
  EXPECT_EQ(*CountNotes(*db), 0);  // rolled back; reads go on

  ASSERT_TRUE(CapPages(*db, 1000).ok());  // space again: a write succeeds
  EXPECT_TRUE(db->Health().ok());
  EXPECT_TRUE(AddNote(*db, 64 * 1024).ok());
}

TEST(DatabaseFaultsTest, DiskFullClearsAfterTheRecheckInterval) {
  DatabaseOptions options = At(TempDir() + "/a.db");
  options.fault_recheck_interval = absl::ZeroDuration();
  auto db = MustOpen(options);
  ASSERT_TRUE(CapPages(*db, 4).ok());
  ExpectFault(AddNote(*db, 64 * 1024), absl::StatusCode::kResourceExhausted, kDiskFull);
  EXPECT_TRUE(db->Health().ok());  // let traffic, and a real write, try again
}

TEST(DatabaseFaultsTest, EnospcFromTheFileSystemIsDiskFull) {
  testing::FaultVfs vfs("kaizen-enospc");
  DatabaseOptions options = At(TempDir() + "/a.db");
  options.vfs = vfs.name();
  options.fault_recheck_interval = absl::InfiniteDuration();
  auto db = MustOpen(options);
  vfs.set_write_errno(ENOSPC);
  ExpectFault(AddNote(*db), absl::StatusCode::kResourceExhausted, kDiskFull);
  vfs.set_write_errno(0);
  EXPECT_TRUE(AddNote(*db).ok());
  EXPECT_TRUE(db->Health().ok());
}

// --- read-only ---------------------------------------------------------------
// Root ignores file permissions and mounting needs privileges CI may lack, so
// the FaultVfs does what the unix VFS does on a read-only mount.

TEST(DatabaseFaultsTest, ReadOnlyFileIsRefusedAtStart) {
  const std::string path = TempDir() + "/a.db";
  MustOpen(At(path)).reset();
  testing::FaultVfs vfs("kaizen-ro-open");
  vfs.set_read_only_open(true);
  DatabaseOptions options = At(path);
  options.vfs = vfs.name();
  auto db = Database::Open(options, kNotes);
  ASSERT_FALSE(db.ok());
  ExpectFault(db.status(), absl::StatusCode::kUnavailable, kDatabaseReadOnly);
  EXPECT_NE(db.status().message().find("read-only"), absl::string_view::npos);
}

// At run time a read-only remount shows as SQLITE_IOERR (EROFS), which the
// storage layer confirms with statvfs(); SQLite's own READONLY codes too.
TEST(DatabaseFaultsTest, ReadOnlyAndFullFileSystemCodesAreClassified) {
  ExpectFault(internal::StatusFromSqlite(SQLITE_IOERR_WRITE, EROFS),
              absl::StatusCode::kUnavailable, kDatabaseReadOnly);
  ExpectFault(internal::StatusFromSqlite(SQLITE_READONLY, 0), absl::StatusCode::kUnavailable,
              kDatabaseReadOnly);
  ExpectFault(internal::StatusFromSqlite(SQLITE_IOERR_WRITE, ENOSPC),
              absl::StatusCode::kResourceExhausted, kDiskFull);
  ExpectFault(internal::StatusFromSqlite(SQLITE_READONLY_DBMOVED, 0),
              absl::StatusCode::kUnavailable, kDatabaseMissing);
  ExpectFault(internal::StatusFromSqlite(SQLITE_NOTADB, 0), absl::StatusCode::kDataLoss,
              kDatabaseCorrupt);
  ExpectFault(internal::StatusFromSqlite(SQLITE_IOERR_WRITE, EIO), absl::StatusCode::kInternal,
              "STORAGE_ERROR");
  EXPECT_FALSE(internal::OnReadOnlyFileSystem(TempDir() + "/a.db"));
}

// --- durability and counters ------------------------------------------------------

TEST(DatabaseFaultsTest, EveryConnectionIsSynchronousFull) {
  auto db = MustOpen(At(TempDir() + "/a.db"));
  int writer = -1, reader = -1;
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  writer = c.execAndGet("PRAGMA synchronous").getInt();
                  return absl::OkStatus();
                }).ok());
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  reader = c.execAndGet("PRAGMA synchronous").getInt();
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(writer, 2);  // FULL
  EXPECT_EQ(reader, 2);
}

TEST(DatabaseFaultsTest, CountsCommitsRollbacksAndErrors) {
  auto db = MustOpen(At(TempDir() + "/a.db"));
  const StorageStatsSnapshot before = GlobalStorageStats();
  ASSERT_TRUE(AddNote(*db).ok());
  EXPECT_FALSE(db->RunInTransaction([](SQLite::Database&) {
                   return absl::NotFoundError("domain");
                 }).ok());
  EXPECT_FALSE(db->RunInTransaction([](SQLite::Database& c) {
                   c.exec("SELECT * FROM no_such_table");
                   return absl::OkStatus();
                 }).ok());
  const StorageStatsSnapshot after = GlobalStorageStats();
  EXPECT_EQ(after.commits, before.commits + 1);
  EXPECT_EQ(after.rollbacks, before.rollbacks + 2);
  EXPECT_EQ(after.errors, before.errors + 1);  // the domain error is not one
  EXPECT_TRUE(after.healthy);
}

}  // namespace
}  // namespace kaizen::storage
