// The WAL write buffer (wal_buffer_vfs.h) under Database: fewer writes, every
// commit visible to other connections at once, a full disk failing only the
// commit it hit, nothing buffered unless synchronous is FULL, and a process
// killed in the middle of commits losing no acknowledged one.
#include "common/storage/wal_buffer_vfs.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "common/storage/fault_vfs.h"
#include "common/testing/child_process.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace wal_buffer_vfs_test {

const Migrations kRows = {"CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"};

DatabaseOptions FileOptions(const std::string& path, const std::string& vfs = "") {
  DatabaseOptions options;
  options.path = path;
  options.vfs = vfs;
  options.checkpoint_pages = 0;  // SQLite's own checkpoints: fewer moving parts
  // SQLite's default page cache, so the transactions of a few MB here spill
  // frames to the WAL before COMMIT (the paths that matter most).
  options.writer_cache_kib = 2000;
  return options;
}

std::unique_ptr<Database> MustOpen(const DatabaseOptions& options) {
  auto db = Database::Open(options, kRows);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

// One transaction of `count` rows of `size` random bytes (random, so a page
// that never reached the file cannot read back as what was written).
absl::Status Insert(Database& db, int64_t first_id, int count, int size) {
  return db.RunInTransaction([&](SQLite::Database& c) {
    SQLite::Statement insert(c, "INSERT INTO rows (id, body) VALUES (?1, randomblob(?2))");
    for (int i = 0; i < count; ++i) {
      insert.bind(1, static_cast<int64_t>(first_id + i));
      insert.bind(2, size);
      insert.exec();
      insert.reset();
    }
    return absl::OkStatus();
  });
}

// A plain SQLite connection through the default VFS: another process's view.
class RawReader {
 public:
  explicit RawReader(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~RawReader() { sqlite3_close(db_); }
  int64_t Int(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    int64_t value = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
  }
  std::string Text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    std::string value = "(no row)";
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string IntegrityCheck(const std::string& path) {
  RawReader reader(path);
  return reader.Text("PRAGMA integrity_check");
}

// Once every connection of the test is closed: the file passes SQLite's
// integrity check and holds `rows` rows.
void ExpectIntactWithRows(const std::string& path, int64_t rows) {
  RawReader reader(path);
  EXPECT_EQ(reader.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(reader.Int("SELECT COUNT(*) FROM rows"), rows);
}

TEST(WalBufferVfsTest, ACommitReachesTheWalInAFewLargeWrites) {
  testing::FaultVfs vfs("walbuf-count");
  for (const bool buffered : {true, false}) {
    SCOPED_TRACE(buffered ? "buffered" : "unbuffered");
    DatabaseOptions options = FileOptions(testkit::NewTempPath("count", "db"), vfs.name());
    options.buffer_wal_writes = buffered;
    auto db = MustOpen(options);
    ASSERT_NE(db, nullptr);
    const int64_t before = vfs.wal_writes();
    // 100 rows of 3,000 bytes: ~100 leaf pages, each a frame of 24 + 4,096
    // bytes (~412 KB of WAL), which SQLite writes with two calls per frame.
    ASSERT_TRUE(Insert(*db, 1, 100, 3000).ok());
    const int64_t writes = vfs.wal_writes() - before;
    if (buffered) {
      EXPECT_LE(writes, 6) << "~412 KB in pieces of " << internal::kWalBufferPiece;
    } else {
      EXPECT_GE(writes, 200);
    }
  }
}

// Every commit must be readable by another connection (here the default VFS,
// as another process would see it) as soon as RunInTransaction returns: the
// frames are in the file before SQLite publishes them. Transactions of every
// size: one row, a few pages, more than the page cache (SQLite spills frames
// to the WAL before COMMIT), and more than the buffer's limit.
TEST(WalBufferVfsTest, EveryCommitIsVisibleToAnotherConnectionAtOnce) {
  const std::string path = testkit::NewTempPath("visible", "db");
  auto db = MustOpen(FileOptions(path));
  ASSERT_NE(db, nullptr);
  RawReader reader(path);
  int64_t rows = 0;
  int64_t bytes = 0;
  const std::vector<std::pair<int, int>> shapes = {{1, 100}, {5, 4000}, {1, 20},
                                                   {800, 3000}, {2, 10}, {40, 60000}};
  for (int round = 0; round < 60; ++round) {
    auto [count, size] = shapes[round % shapes.size()];
    if (round == 31) std::tie(count, size) = std::pair{3000, 3000};  // > kWalBufferLimit
    ASSERT_TRUE(Insert(*db, rows + 1, count, size).ok()) << "round " << round;
    rows += count;
    bytes += static_cast<int64_t>(count) * size;
    ASSERT_EQ(reader.Int("SELECT COUNT(*) FROM rows"), rows) << "round " << round;
    ASSERT_EQ(reader.Int("SELECT SUM(LENGTH(body)) FROM rows"), bytes) << "round " << round;
    if (round % 10 == 9) ASSERT_EQ(reader.Text("PRAGMA integrity_check"), "ok") << round;
  }
  int64_t own = -1;
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  own = c.execAndGet("SELECT COUNT(*) FROM rows").getInt64();
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(own, rows);
}

// A transaction larger than the page cache writes (spills) frames before it
// fails; they must never be read as committed, and the next commits, which
// SQLite writes over them, must be whole.
TEST(WalBufferVfsTest, ARolledBackTransactionLeavesNothingBehind) {
  const std::string path = testkit::NewTempPath("rollback", "db");
  {
    auto db = MustOpen(FileOptions(path));
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(Insert(*db, 1, 10, 500).ok());
    const absl::Status failed = db->RunInTransaction([](SQLite::Database& c) {
      SQLite::Statement insert(c, "INSERT INTO rows (id, body) VALUES (?1, randomblob(3000))");
      for (int i = 0; i < 1500; ++i) {  // ~4.5 MB: more than the 2 MB page cache
        insert.bind(1, 1000 + i);
        insert.exec();
        insert.reset();
      }
      return absl::AbortedError("changed my mind");
    });
    ASSERT_EQ(failed.code(), absl::StatusCode::kAborted);
    RawReader reader(path);
    EXPECT_EQ(reader.Int("SELECT COUNT(*) FROM rows"), 10);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(Insert(*db, 11 + 3 * i, 3, 2000).ok());
    EXPECT_EQ(reader.Int("SELECT COUNT(*) FROM rows"), 25);
    EXPECT_EQ(reader.Int("SELECT MAX(id) FROM rows"), 25);
    EXPECT_EQ(reader.Text("PRAGMA integrity_check"), "ok");
  }
  ExpectIntactWithRows(path, 25);
}

// The bytes of a commit reach the disk only at its sync: a full disk there
// must fail that commit (DISK_FULL, nothing of it kept) and nothing else.
TEST(WalBufferVfsTest, ADiskFullAtCommitFailsThatCommitOnly) {
  testing::FaultVfs vfs("walbuf-full");
  const std::string path = testkit::NewTempPath("full", "db");
  {
    auto db = MustOpen(FileOptions(path, vfs.name()));
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(Insert(*db, 1, 20, 3000).ok());
    vfs.set_write_errno(ENOSPC);
    const absl::Status full = Insert(*db, 21, 20, 3000);
    EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
    EXPECT_EQ(errors::Reason(full), kDiskFull) << full;
    vfs.set_write_errno(0);
    ASSERT_TRUE(Insert(*db, 41, 20, 3000).ok());
    RawReader reader(path);
    EXPECT_EQ(reader.Int("SELECT COUNT(*) FROM rows"), 40);
    EXPECT_EQ(reader.Int("SELECT COUNT(*) FROM rows WHERE id BETWEEN 21 AND 40"), 0);
  }
  ExpectIntactWithRows(path, 40);
}

// Raw connections through the shim over a FaultVfs (to count WAL writes).
class RawWriter {
 public:
  RawWriter(testing::FaultVfs& vfs, const std::string& uri) : vfs_(vfs) {
    EXPECT_EQ(sqlite3_open_v2(uri.c_str(), &db_,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                              internal::WalBufferVfs(vfs.name()).c_str()),
              SQLITE_OK);
    Exec("PRAGMA journal_mode = WAL");
    Exec("PRAGMA synchronous = FULL");
    Exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  }
  ~RawWriter() { Close(); }
  sqlite3* db() { return db_; }
  int Close() {
    const int rc = sqlite3_close(db_);
    db_ = nullptr;
    return rc;
  }
  void Exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db_);
  }
  // WAL writes of one commit of `rows` rows of 3,000 bytes.
  int64_t Commit(int rows) {
    const int64_t before = vfs_.wal_writes();
    Exec("BEGIN");
    for (int i = 0; i < rows; ++i) {
      Exec("INSERT INTO rows (id, body) VALUES (" + std::to_string(next_++) +
           ", randomblob(3000))");
    }
    Exec("COMMIT");
    return vfs_.wal_writes() - before;
  }
  int64_t rows() const { return next_ - 1; }

 private:
  testing::FaultVfs& vfs_;
  sqlite3* db_ = nullptr;
  int64_t next_ = 1;
};

// Under synchronous = NORMAL SQLite publishes a commit without syncing the
// WAL, so the shim must not hold its frames back: it buffers only once
// EnableWalBuffer read back FULL or EXTRA, and stops at any later change of
// the level (SQLite announces a PRAGMA before deciding to apply it: a FULL
// refused inside a transaction must not turn buffering on).
TEST(WalBufferVfsTest, OnlyAConnectionReadBackAsFullIsBuffered) {
  testing::FaultVfs vfs("walbuf-sync");
  const std::string path = testkit::NewTempPath("sync", "db");
  RawWriter writer(vfs, path);
  sqlite3* db = writer.db();
  auto run = [&](const std::string& sql) {
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  };
  RawReader reader(path);
  auto commit_writes = [&]() {
    const int64_t writes = writer.Commit(50);
    EXPECT_EQ(reader.Int("SELECT COUNT(*) FROM rows"), writer.rows());
    return writes;
  };
  for (const char* level : {"NORMAL", "OFF", "1"}) {
    writer.Exec(std::string("PRAGMA synchronous = ") + level);
    EXPECT_FALSE(internal::EnableWalBuffer(db)) << level;
    EXPECT_GE(commit_writes(), 100) << level;
  }
  // Set but not read back: not buffered.
  writer.Exec("PRAGMA synchronous = FULL");
  EXPECT_GE(commit_writes(), 100) << "FULL without EnableWalBuffer";
  for (const char* level : {"FULL", "extra", "2"}) {
    writer.Exec(std::string("PRAGMA synchronous = ") + level);
    EXPECT_TRUE(internal::EnableWalBuffer(db)) << level;
    EXPECT_LE(commit_writes(), 4) << level;
  }
  writer.Exec("PRAGMA synchronous = NORMAL");
  EXPECT_GE(commit_writes(), 100) << "lowered again";
  // Refused: SQLite stays NORMAL, and so does the shim.
  writer.Exec("BEGIN");
  EXPECT_NE(run("PRAGMA synchronous = FULL"), SQLITE_OK);
  writer.Exec("COMMIT");
  EXPECT_FALSE(internal::EnableWalBuffer(db));
  EXPECT_GE(commit_writes(), 100) << "after a refused FULL";
  ASSERT_EQ(writer.Close(), SQLITE_OK);
  EXPECT_EQ(IntegrityCheck(path), "ok");
}

// Without SQLITE_IOCAP_POWERSAFE_OVERWRITE SQLite pads each commit to a
// sector boundary and writes the last padding frame's tail after the sync:
// committed bytes a buffer would still hold when the write lock goes. Such a
// WAL is written as SQLite writes it. Found by review (`?psow=0`: 7 of 35
// rows recovered from a crash copy, a short read for another connection).
TEST(WalBufferVfsTest, AWalPaddedToSectorsIsNotBuffered) {
  testing::FaultVfs vfs("walbuf-psow");
  const std::string path = testkit::NewTempPath("psow", "db");
  {
    RawWriter writer(vfs, "file:" + path + "?psow=0");
    EXPECT_TRUE(internal::EnableWalBuffer(writer.db()));
    RawReader reader(path);
    for (int i = 0; i < 5; ++i) {
      EXPECT_GE(writer.Commit(7), 14) << "two writes per frame, as SQLite makes them";
      ASSERT_EQ(reader.Int("SELECT COUNT(*) FROM rows"), writer.rows());
    }
    EXPECT_EQ(reader.Text("PRAGMA integrity_check"), "ok");
  }
  ExpectIntactWithRows(path, 35);
}

// After `PRAGMA locking_mode = EXCLUSIVE` and back, SQLite skips the shared
// WAL write lock (where a rolled-back transaction's buffer is dropped) until
// a later write, while `PRAGMA locking_mode` already reads "normal": once
// the locking mode was set, the connection is never buffered again. Found
// by review.
TEST(WalBufferVfsTest, AfterALockingModeChangeNothingIsBuffered) {
  testing::FaultVfs vfs("walbuf-locking");
  const std::string path = testkit::NewTempPath("locking", "db");
  RawWriter writer(vfs, path);
  ASSERT_TRUE(internal::EnableWalBuffer(writer.db()));
  EXPECT_LE(writer.Commit(50), 4);
  writer.Exec("PRAGMA locking_mode = EXCLUSIVE");
  EXPECT_GE(writer.Commit(50), 100);
  writer.Exec("PRAGMA locking_mode = NORMAL");
  EXPECT_FALSE(internal::EnableWalBuffer(writer.db()));
  EXPECT_GE(writer.Commit(50), 100);
}

// A transaction that spilled frames into the buffer and rolled back, right
// after the WAL was emptied (so the rollback reads nothing back): those
// bytes must be dropped with the write lock, or the writer's next write
// would put them on top of what another writer (kaizen_outbox, another
// process) committed meanwhile at the same place in the WAL. Found by
// review: the file was left "not a database".
TEST(WalBufferVfsTest, ARolledBackSpillNeverLandsOnAnotherWritersCommit) {
  const std::string path = testkit::NewTempPath("stale", "db");
  auto a = MustOpen(FileOptions(path));
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(Insert(*a, 1, 50, 3000).ok());
  ASSERT_TRUE(a->CheckpointAndTruncateWal().ok());
  const absl::Status failed = a->RunInTransaction([](SQLite::Database& c) {
    SQLite::Statement insert(c, "INSERT INTO rows (id, body) VALUES (?1, randomblob(3000))");
    for (int i = 0; i < 1500; ++i) {  // ~4.5 MB: more than the page cache
      insert.bind(1, 1000 + i);
      insert.exec();
      insert.reset();
    }
    return absl::InvalidArgumentError("refused after the writes");
  });
  ASSERT_EQ(failed.code(), absl::StatusCode::kInvalidArgument);
  {
    auto b = MustOpen(FileOptions(path));
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(Insert(*b, 5000, 30, 3000).ok());
  }
  ASSERT_TRUE(Insert(*a, 9000, 1, 100).ok());
  a.reset();
  ExpectIntactWithRows(path, 81);
}

// Group commit: caller 1 spills frames into the buffer; caller 2's UPDATE
// (with a statement journal) reads, which writes the buffer out, and the
// disk is full just then. SQLite rolls back only caller 2's statement and
// would go on to COMMIT caller 1 without the bytes that were dropped; the
// failure must stay until the transaction ends, so caller 1 fails too and
// nothing is acknowledged that is not in the file. Found by review.
TEST(WalBufferVfsTest, ADiskFullWhileAReadFlushesFailsTheWholeTransaction) {
  testing::FaultVfs vfs("walbuf-read-full");
  const std::string path = testkit::NewTempPath("readfull", "db");
  auto db = MustOpen(FileOptions(path, vfs.name()));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(Insert(*db, 1, 50, 3000).ok());
  absl::Notification release;
  std::thread leader([&] {
    EXPECT_TRUE(db->RunInTransaction([&](SQLite::Database&) {
                    release.WaitForNotification();
                    return absl::OkStatus();
                  }).ok());
  });
  db->WaitForPendingWritersForTest(1);
  absl::Status spiller;
  absl::Status reader;
  std::thread t1([&] { spiller = Insert(*db, 1000, 1500, 3000); });
  db->WaitForPendingWritersForTest(2);
  std::thread t2([&] {
    reader = db->RunInTransaction([&](SQLite::Database& c) {
      vfs.set_write_errno(ENOSPC);
      struct Room {
        testing::FaultVfs& vfs;
        ~Room() { vfs.set_write_errno(0); }  // space again before COMMIT
      } room{vfs};
      c.exec("UPDATE rows SET body = zeroblob(10) WHERE id <= 50");
      return absl::OkStatus();
    });
  });
  db->WaitForPendingWritersForTest(3);
  release.Notify();
  leader.join();
  t1.join();
  t2.join();
  EXPECT_EQ(reader.code(), absl::StatusCode::kResourceExhausted) << reader;
  RawReader raw(path);
  EXPECT_EQ(raw.Text("PRAGMA integrity_check"), "ok");
  if (spiller.ok()) {
    EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM rows WHERE id >= 1000"), 1500) << "acknowledged";
  } else {
    EXPECT_EQ(errors::Reason(spiller), kDiskFull) << spiller;
    EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM rows WHERE id >= 1000"), 0);
  }
  ASSERT_TRUE(Insert(*db, 4000, 5, 3000).ok()) << "the database works on";
  db.reset();
  ExpectIntactWithRows(path, spiller.ok() ? 1555 : 55);
}

// A child process commits from four threads (group commits of several
// callers) and reports each id once RunInTransaction returned OK; it is
// killed with SIGKILL at a random point, repeatedly, on the same file. Every
// reported id must be there afterwards, and the file must pass SQLite's
// integrity check.
TEST(WalBufferVfsTest, AKilledProcessLosesNoAcknowledgedCommit) {
  const std::string path = testkit::NewTempPath("kill", "db");
  std::set<int64_t> acknowledged;
  uint32_t seed = 12345;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const int64_t first = 1 + round * 1000000;
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      auto db = Database::Open(FileOptions(path), kRows);
      if (!db.ok()) _exit(3);
      std::atomic<int64_t> next{first};
      std::vector<std::thread> writers;
      for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&] {
          while (true) {
            const int64_t id = next.fetch_add(1);
            // Two to six pages per commit.
            if (!Insert(**db, id, 1, 5000 + static_cast<int>(id % 4) * 4000).ok()) _exit(4);
            if (write(fds[1], &id, sizeof(id)) != sizeof(id)) _exit(5);
          }
        });
      }
      for (std::thread& w : writers) w.join();
      _exit(0);
    }
    close(fds[1]);
    seed = seed * 1103515245 + 12345;
    const int wait_for = 50 + static_cast<int>((seed >> 8) % 400);
    int64_t id = 0;
    int read_ids = 0;
    std::set<int64_t> this_round;
    while (read_ids < wait_for && read(fds[0], &id, sizeof(id)) == sizeof(id)) {
      this_round.insert(id);
      ++read_ids;
    }
    ASSERT_EQ(read_ids, wait_for) << "the child stopped early";
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << status;
    // Whatever the child wrote before it died was acknowledged.
    while (read(fds[0], &id, sizeof(id)) == sizeof(id)) this_round.insert(id);
    close(fds[0]);
    acknowledged.insert(this_round.begin(), this_round.end());

    ASSERT_EQ(IntegrityCheck(path), "ok") << "round " << round;
    RawReader reader(path);
    std::set<int64_t> present;
    for (int64_t want : acknowledged) {
      const std::string sql = "SELECT COUNT(*) FROM rows WHERE id = " + std::to_string(want);
      if (reader.Int(sql.c_str()) == 1) present.insert(want);
    }
    ASSERT_EQ(present.size(), acknowledged.size())
        << "round " << round << ": an acknowledged commit was lost";
  }
  EXPECT_GT(acknowledged.size(), 300u);
}

}  // namespace
}  // namespace kaizen::storage
