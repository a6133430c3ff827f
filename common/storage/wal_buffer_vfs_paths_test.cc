// The WAL write buffer (wal_buffer_vfs.h) on SQLite's less common paths, one
// buffered connection each: savepoints, every checkpoint mode, a WAL restart,
// journal mode switches, VACUUM, ATTACH, the backup API and a full disk at
// the 8 MiB flush. Each test checks what another connection sees AND what a
// crash would leave (a copy of the files, recovered by SQLite from the WAL's
// checksums), so bytes that never reached the file cannot hide in a cache.
#include <sqlite3.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/storage/fault_vfs.h"
#include "common/storage/wal_buffer_vfs.h"
#include "common/testing/child_process.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace wal_buffer_vfs_paths_test {

// A raw connection ("" = the default VFS: another process's view).
class Conn {
 public:
  Conn(const std::string& path, const std::string& vfs,
       int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, flags, vfs.empty() ? nullptr : vfs.c_str()),
              SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Conn() { sqlite3_close(db_); }
  sqlite3* db() const { return db_; }
  int Exec(const std::string& sql) {
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
    return rc;
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return std::string("error: ") + sqlite3_errmsg(db_);
    }
    std::string value = "(no row)";
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    } else {
      value = std::string("error: ") + sqlite3_errmsg(db_);
    }
    sqlite3_finalize(stmt);
    return value;
  }
  int64_t Count(const std::string& where = "1") {
    return std::stoll("0" + Text("SELECT COUNT(*) FROM t WHERE " + where));
  }

 private:
  sqlite3* db_ = nullptr;
};

// "(a..b)" as rows of `value`.
std::string Series(int64_t a, int64_t b) {
  return "(WITH RECURSIVE s(value) AS (SELECT " + std::to_string(a) +
         " UNION ALL SELECT value + 1 FROM s WHERE value < " + std::to_string(b) +
         ") SELECT value FROM s)";
}
// Rows a..b of 3,000 random bytes (random: a page that never reached the
// file cannot read back as what was written).
std::string InsertRows(int64_t a, int64_t b, const std::string& table = "t") {
  return "INSERT INTO " + table + " SELECT value, randomblob(3000) FROM " + Series(a, b);
}

// A buffered writer through the shim over a FaultVfs (to count WAL writes
// and fill the disk), set up as Connection does, with the rows table.
class BufferedTest : public ::testing::Test {
 protected:
  BufferedTest() : vfs_("walbuf-paths"), path_(testkit::NewTempPath("paths", "db")) {}
  void SetUp() override {
    writer_ = std::make_unique<Conn>(path_, internal::WalBufferVfs(vfs_.name()));
    Conn& w = *writer_;
    w.Exec("PRAGMA journal_mode = WAL");
    w.Exec("PRAGMA synchronous = FULL");
    w.Exec("PRAGMA wal_autocheckpoint = 0");
    ASSERT_TRUE(internal::EnableWalBuffer(w.db()));
    w.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
    ExpectBuffered(1, 100);
  }
  // Commits rows a..b and proves they were coalesced: ~b-a frames take two
  // write calls each unbuffered, a handful buffered.
  void ExpectBuffered(int64_t a, int64_t b) {
    const int64_t before = vfs_.wal_writes();
    writer_->Exec(InsertRows(a, b));
    EXPECT_LT(vfs_.wal_writes() - before, (b - a + 1) / 2) << "not buffered";
  }
  // What a crash now would leave: db + WAL copied and opened afresh (SQLite
  // recovers the WAL, keeping only checksummed, committed frames).
  void ExpectCrashCopyHas(int64_t rows) {
    const std::string copy = testkit::NewTempPath("paths-crash", "db");
    std::filesystem::copy_file(path_, copy);
    if (std::filesystem::exists(path_ + "-wal")) {
      std::filesystem::copy_file(path_ + "-wal", copy + "-wal");
    }
    Conn c(copy, "");
    EXPECT_EQ(c.Text("PRAGMA integrity_check"), "ok") << "crash copy";
    EXPECT_EQ(c.Count(), rows) << "crash copy";
  }
  // Another connection sees exactly `rows`, the file is intact, and so is
  // what a crash would leave.
  void ExpectEverywhere(int64_t rows) {
    Conn other(path_, "");
    EXPECT_EQ(other.Text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(other.Count(), rows);
    ExpectCrashCopyHas(rows);
  }

  testing::FaultVfs vfs_;
  const std::string path_;
  std::unique_ptr<Conn> writer_;
};

// A savepoint rolled back after its frames spilled (cache of 20 pages), then
// pages written again before COMMIT: SQLite re-reads spilled pages from the
// WAL (each read must write the buffer out first), reuses the rolled-back
// offsets, and commits only the surviving changes.
TEST_F(BufferedTest, SavepointRollbackAfterASpillThenRewrites) {
  Conn& w = *writer_;
  w.Exec("PRAGMA cache_size = 20");
  w.Exec("BEGIN");
  w.Exec(InsertRows(1000, 1199));
  w.Exec("SAVEPOINT s");
  w.Exec(InsertRows(2000, 2199));
  w.Exec("UPDATE t SET body = randomblob(3000) WHERE id BETWEEN 1000 AND 1099");
  w.Exec("ROLLBACK TO s");
  w.Exec("RELEASE s");
  w.Exec("UPDATE t SET body = randomblob(2000) WHERE id >= 1050");
  w.Exec("COMMIT");
  ExpectEverywhere(300);
  Conn other(path_, "");
  EXPECT_EQ(other.Count("length(body) = 2000"), 150);
}

// Every checkpoint mode on the writer's own connection, each followed by a
// commit (after RESTART and TRUNCATE it starts the WAL over at offset 0, with
// a new header).
TEST_F(BufferedTest, EveryCheckpointModeThenWrites) {
  int64_t rows = 100;
  for (const char* mode : {"RESTART", "TRUNCATE", "PASSIVE", "FULL"}) {
    SCOPED_TRACE(mode);
    writer_->Exec(std::string("PRAGMA wal_checkpoint(") + mode + ")");
    ExpectBuffered(rows + 1, rows + 50);
    rows += 50;
    ExpectEverywhere(rows);
  }
}

// Another connection checkpoints the whole WAL, so the writer's next
// transaction starts it over (header at 0, frames from 32) and spills there,
// then rolls back; the undo reads the database file, not the WAL, so nothing
// flushes the buffer before the other connection commits over those offsets.
// The writer's next read of the WAL must not write the rolled-back frames.
TEST_F(BufferedTest, AnotherConnectionsCheckpointThenARolledBackRestart) {
  Conn other(path_, "");
  other.Exec("PRAGMA synchronous = FULL");
  ASSERT_EQ(other.Text("PRAGMA wal_checkpoint(PASSIVE)"), "0");
  writer_->Exec("PRAGMA cache_size = 20");
  writer_->Exec("BEGIN");
  writer_->Exec(InsertRows(1000, 1299));
  writer_->Exec("ROLLBACK");
  other.Exec(InsertRows(5000, 5029));
  EXPECT_EQ(writer_->Count(), 130);  // reads the WAL: a stale buffer would land now
  ExpectEverywhere(130);
  ExpectBuffered(131, 180);  // and the writer's own restart after a checkpoint
  ExpectEverywhere(180);
}

// WAL -> DELETE -> WAL closes the WAL file and opens a new one: the main
// file's link to it is redone, so buffering, and the drop of a rolled-back
// spill at the write lock's release, work on the new file as on the first
// (same sequence as above, the WAL emptied by the writer's TRUNCATE).
TEST_F(BufferedTest, JournalModeRoundTripRelinksTheWal) {
  Conn& w = *writer_;
  EXPECT_EQ(w.Text("PRAGMA journal_mode = DELETE"), "delete");
  w.Exec(InsertRows(101, 120));
  EXPECT_EQ(w.Text("PRAGMA journal_mode = WAL"), "wal");
  ExpectBuffered(121, 220);
  EXPECT_EQ(w.Text("PRAGMA wal_checkpoint(TRUNCATE)"), "0");
  w.Exec("PRAGMA cache_size = 20");
  w.Exec("BEGIN");
  w.Exec(InsertRows(1000, 1299));
  w.Exec("ROLLBACK");
  Conn other(path_, "");
  other.Exec("PRAGMA synchronous = FULL");
  other.Exec(InsertRows(5000, 5029));
  EXPECT_EQ(w.Count(), 250);
  ExpectEverywhere(250);
}

// VACUUM rewrites every page through the WAL, twice (after deletes too).
TEST_F(BufferedTest, Vacuum) {
  Conn& w = *writer_;
  w.Exec("VACUUM");
  w.Exec("DELETE FROM t WHERE id % 3 = 0");
  w.Exec("VACUUM");
  ExpectEverywhere(67);
}

// An attached database (not buffered: EnableWalBuffer covers main only) in
// one transaction with the buffered main: both commit, both whole.
TEST_F(BufferedTest, AttachedDatabaseInTheSameTransaction) {
  const std::string aux = testkit::NewTempPath("paths-aux", "db");
  Conn& w = *writer_;
  w.Exec("ATTACH '" + aux + "' AS aux");
  w.Exec("PRAGMA aux.journal_mode = WAL");
  w.Exec("PRAGMA aux.synchronous = FULL");
  w.Exec("CREATE TABLE aux.u (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  w.Exec("BEGIN; " + InsertRows(1, 300, "aux.u") + "; " + InsertRows(1000, 1299) + "; COMMIT");
  ExpectEverywhere(400);
  Conn other(aux, "");
  EXPECT_EQ(other.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(other.Text("SELECT COUNT(*) FROM u"), "300");
}

// The backup API both ways: out of the database while the buffered writer
// commits between steps (the backup restarts and copies the new state), and
// into a buffered database (the destination's pages go through its WAL).
TEST_F(BufferedTest, BackupApiBothDirections) {
  Conn source(path_, "");
  const std::string out = testkit::NewTempPath("paths-out", "db");
  Conn to(out, "");
  sqlite3_backup* backup = sqlite3_backup_init(to.db(), "main", source.db(), "main");
  ASSERT_NE(backup, nullptr);
  int64_t rows = 100;
  while (sqlite3_backup_step(backup, 5) == SQLITE_OK) {
    if (rows < 150) {
      ExpectBuffered(rows + 1, rows + 10);
      rows += 10;
    }
  }
  ASSERT_EQ(sqlite3_backup_finish(backup), SQLITE_OK);
  EXPECT_EQ(to.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(to.Count(), rows);

  const std::string in = testkit::NewTempPath("paths-in", "db");
  {
    Conn dest(in, internal::WalBufferVfs(vfs_.name()));
    dest.Exec("PRAGMA journal_mode = WAL");
    dest.Exec("PRAGMA synchronous = FULL");
    ASSERT_TRUE(internal::EnableWalBuffer(dest.db()));
    backup = sqlite3_backup_init(dest.db(), "main", writer_->db(), "main");
    ASSERT_NE(backup, nullptr);
    ASSERT_EQ(sqlite3_backup_step(backup, -1), SQLITE_DONE);
    ASSERT_EQ(sqlite3_backup_finish(backup), SQLITE_OK);
    Conn other(in, "");
    EXPECT_EQ(other.Text("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(other.Count(), rows);
  }
  Conn reopened(in, "");
  EXPECT_EQ(reopened.Count(), rows);
}

// A commit of ~12 MB with a cache big enough that nothing spills: its frames
// are all written at COMMIT, so the buffer reaches 8 MiB and is written out
// there, onto a full disk. That commit fails as a full disk (not corrupt),
// leaves nothing, and the failure is over with it: the next commit works.
TEST_F(BufferedTest, DiskFullAtTheLimitFlushFailsThatCommitOnly) {
  Conn& w = *writer_;
  w.Exec("PRAGMA cache_size = -40000");
  vfs_.set_write_errno(ENOSPC);
  const int rc = sqlite3_exec(w.db(), InsertRows(1000, 4999).c_str(), nullptr, nullptr, nullptr);
  vfs_.set_write_errno(0);
  EXPECT_EQ(rc, SQLITE_FULL) << sqlite3_errmsg(w.db());
  EXPECT_EQ(sqlite3_get_autocommit(w.db()), 1);
  ExpectBuffered(101, 150);
  ExpectEverywhere(150);
}

}  // namespace
}  // namespace kaizen::storage
