// The background checkpoint (checkpointer.h) through Database: the WAL is
// copied into the database file by the thread, and an explicit
// CheckpointAndTruncateWal never collides with it.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "common/status/errors.h"
#include "common/storage/checkpointer.h"
#include "common/storage/connection.h"
#include "common/storage/database.h"
#include "common/storage/fault_vfs.h"
#include "common/storage/storage_stats.h"
#include "common/testing/child_process.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace checkpointer_test {

const Migrations kBlobs = {"CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"};
constexpr int kPageSize = 4096;  // SQLite's default

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

std::unique_ptr<Database> OpenFile(const std::string& path, int checkpoint_pages) {
  DatabaseOptions options;
  options.path = path;
  options.checkpoint_pages = checkpoint_pages;
  auto db = Database::Open(options, kBlobs);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

// One commit of one page-sized row (two pages of WAL with its b-tree page).
absl::Status AddPage(Database& db) {
  return db.RunInTransaction([](SQLite::Database& c) {
    SQLite::Statement insert(c, "INSERT INTO blobs (body) VALUES (zeroblob(?1))");
    insert.bind(1, kPageSize);
    insert.exec();
    return absl::OkStatus();
  });
}

int CountRows(Database& db) {
  int rows = -1;
  EXPECT_TRUE(db.RunReadOnly([&](SQLite::Database& c) {
                  rows = c.execAndGet("SELECT COUNT(*) FROM blobs").getInt();
                  return absl::OkStatus();
                }).ok());
  return rows;
}

TEST(CheckpointerTest, TheThreadCopiesTheWalIntoTheFile) {
  const std::string path = testkit::NewTempPath("checkpoint", "db");
  auto db = OpenFile(path, /*checkpoint_pages=*/16);
  ASSERT_NE(db, nullptr);
  const int64_t before = FileSize(path);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(AddPage(*db).ok());
  // Only a checkpoint writes the database file in WAL mode (no commit ran
  // one: the hook replaces SQLite's automatic checkpoint, and 16 pages is
  // far below its 1,000). The first run starts once the WAL holds 16 frames
  // (the rows' pages and the table's root page again and again), so it
  // copies at least a few of the rows' pages.
  db->WaitForBackgroundCheckpointsForTest(1);
  EXPECT_GE(FileSize(path), before + 4 * kPageSize);
  EXPECT_GE(db->background_checkpoints(), 1u);
  // Whatever it copied, every row is still there.
  EXPECT_EQ(CountRows(*db), 20);
}

// Commits without a pause (four threads, batches back to back): the thread's
// PASSIVE checkpoint never ends with the whole WAL copied, so without the
// leader's catch-up SQLite would never start the WAL over and the file would
// hold every page written (1,200 commits of two pages: ~10 MB). With the
// thread starved of CPU (CI under load) the hard bound (4 x 16 frames) keeps
// it small: 6.6 MB was seen there before the bound.
TEST(CheckpointerTest, TheWalStaysSmallUnderContinuousWrites) {
  const std::string path = testkit::NewTempPath("bounded", "db");
  auto db = OpenFile(path, /*checkpoint_pages=*/16);
  ASSERT_NE(db, nullptr);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 300; ++i) EXPECT_TRUE(AddPage(*db).ok());
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_GE(db->background_checkpoints(), 1u);
  // The WAL file keeps its largest size when SQLite starts it over.
  constexpr int64_t kFrame = kPageSize + 24;
  EXPECT_LT(FileSize(path + "-wal"), 400 * kFrame);
}

// A writer connection on a new WAL file with the blobs table, and its
// checkpointer, whose runs start at 4 frames (a failed run fails the test).
// add() commits a row of five overflow pages: more than 5 frames each, so
// every commit's hook sees a WAL past the threshold, even just after the WAL
// started over.
struct WriterAndCheckpointer {
  explicit WriterAndCheckpointer(const char* name)
      : options(Options(name)),
        writer(options, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE),
        checkpointer((Prepare(writer), options), writer, /*pages=*/4,
                     [](const absl::Status& s) { ADD_FAILURE() << s; }) {}
  static DatabaseOptions Options(const char* name) {
    DatabaseOptions o;
    o.path = testkit::NewTempPath(name, "db");
    return o;
  }
  static void Prepare(internal::Connection& c) {
    c.exec("PRAGMA journal_mode = WAL");
    c.exec(kBlobs.front());
  }
  void add() { writer.exec("INSERT INTO blobs (body) VALUES (zeroblob(5 * 4096))"); }

  DatabaseOptions options;
  internal::Connection writer;
  internal::Checkpointer checkpointer;
};

// Frames in the WAL now (copies what it can, as any PASSIVE checkpoint).
int WalFrames(internal::Connection& c, internal::Checkpointer& checkpointer) {
  absl::MutexLock run(&checkpointer.run_mu());
  int log_frames = -1, copied = 0;
  sqlite3_wal_checkpoint_v2(c.getHandle(), "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                            &copied);
  return log_frames;
}

// A WAL past its hard bound (kHardBoundFactor times `pages`) is copied by
// the next leader's catch-up even though no background run has ended (the
// thread is held off here by holding its run lock while the WAL grows), so
// that leader's BEGIN starts the WAL over.
TEST(CheckpointerTest, AWalPastItsHardBoundIsCopiedByTheNextLeader) {
  WriterAndCheckpointer w("bound");
  internal::Connection& writer = w.writer;
  internal::Checkpointer& checkpointer = w.checkpointer;
  auto add = [&] { w.add(); };
  checkpointer.run_mu().Lock();       // the thread's run waits for it
  for (int i = 0; i < 4; ++i) add();  // > 16 frames = 4 x 4
  EXPECT_EQ(checkpointer.runs(), 0u);
  checkpointer.run_mu().Unlock();
  // No run has ended, so only the bound makes this leader copy (after the
  // run, if the thread takes the lock first).
  checkpointer.CatchUp(writer);
  EXPECT_EQ(checkpointer.forced_catch_ups(), 1u);
  checkpointer.WaitForRunsForTest(1);  // the woken run, which copies nothing more
  add();  // everything was copied: its BEGIN started the WAL over
  EXPECT_LT(WalFrames(writer, checkpointer), 12);
  // Below the bound a catch-up is not forced.
  checkpointer.CatchUp(writer);
  EXPECT_EQ(checkpointer.forced_catch_ups(), 1u);
}

// Between a background run's end and the next leader's catch-up, a commit on
// the still-long WAL asks for no second run: the catch-up copies what is
// left and starts the WAL over (a second run meant a second catch-up on the
// writers' serial path). Afterwards a long WAL asks again.
TEST(CheckpointerTest, ACommitBeforeTheCatchUpAsksForNoSecondRun) {
  WriterAndCheckpointer w("pending");
  internal::Connection& writer = w.writer;
  internal::Checkpointer& checkpointer = w.checkpointer;
  auto add = [&] { w.add(); };
  add();
  checkpointer.WaitForRunsForTest(1);
  const uint64_t asked = checkpointer.RunsAskedForTest();
  for (int i = 0; i < 3; ++i) add();
  EXPECT_EQ(checkpointer.RunsAskedForTest(), asked);
  EXPECT_EQ(checkpointer.runs(), 1u);
  checkpointer.CatchUp(writer);
  add();
  EXPECT_EQ(checkpointer.RunsAskedForTest(), asked + 1);
}

TEST(CheckpointerTest, AnExplicitCheckpointWaitsForTheThreadsInsteadOfFailing) {
  const std::string path = testkit::NewTempPath("truncate", "db");
  auto db = OpenFile(path, /*checkpoint_pages=*/2);  // a background run after every commit
  ASSERT_NE(db, nullptr);
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) EXPECT_TRUE(AddPage(*db).ok());
  });
  // SQLite answers a second concurrent checkpoint with SQLITE_BUSY at once
  // (no busy handler): without the shared lock some of these would fail.
  for (int i = 0; i < 100; ++i) {
    absl::Status s = db->CheckpointAndTruncateWal();
    EXPECT_TRUE(s.ok()) << s;
  }
  writer.join();
  EXPECT_TRUE(db->CheckpointAndTruncateWal().ok());
  EXPECT_EQ(FileSize(path + "-wal"), 0);
}

// The disk fills while commits still fit in the WAL: a checkpoint (the
// thread's, or the next leader's catch-up) cannot write the database file.
// Commits go on, nothing is lost, and the failure is not silent: Health()
// says DISK_FULL (the service's readiness turns NOT_SERVING). With room
// again, a checkpoint copies everything and the file is whole.
TEST(CheckpointerTest, ACheckpointThatCannotWriteTheFileIsReportedAndLosesNothing) {
  testing::FaultVfs vfs("checkpoint-disk-full");
  vfs.set_main_db_only(true);
  const std::string path = testkit::NewTempPath("full", "db");
  DatabaseOptions options;
  options.path = path;
  options.vfs = vfs.name();
  options.checkpoint_pages = 2;  // every commit (two frames) asks for a run
  {
    auto opened = Database::Open(options, kBlobs);
    ASSERT_TRUE(opened.ok()) << opened.status();
    std::unique_ptr<Database> db = *std::move(opened);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(AddPage(*db).ok());
    ASSERT_TRUE(db->CheckpointAndTruncateWal().ok());
    ASSERT_TRUE(db->Health().ok());

    vfs.set_write_errno(ENOSPC);
    // Each commit asks for a run; one running when it committed ends too,
    // so a run counted before the commit always completes after it. Runs
    // (and leaders' catch-ups) started after the fault fail writing the file
    // and put the database in DISK_FULL. A commit that succeeds (the WAL can
    // still grow) clears that again, and may do so after the run failed (the
    // run starts inside COMMIT), so Health() afterwards is not the evidence:
    // the transitions into DISK_FULL are (once seen under a loaded CI run).
    const int64_t disk_full_before = GlobalStorageStats().disk_full;
    int written = 5;
    for (int i = 0; i < 50 && GlobalStorageStats().disk_full == disk_full_before; ++i) {
      const uint64_t runs = db->background_checkpoints();
      ASSERT_TRUE(AddPage(*db).ok()) << "commit " << i << " while the file cannot grow";
      ++written;
      db->WaitForBackgroundCheckpointsForTest(runs + 1);
    }
    EXPECT_GT(GlobalStorageStats().disk_full, disk_full_before);
    for (int i = 0; i < 3; ++i, ++written) ASSERT_TRUE(AddPage(*db).ok());
    EXPECT_EQ(CountRows(*db), written);
    const absl::Status truncate = db->CheckpointAndTruncateWal();
    EXPECT_EQ(errors::Reason(truncate), kDiskFull) << truncate;

    vfs.set_write_errno(0);
    ASSERT_TRUE(AddPage(*db).ok());
    ++written;
    EXPECT_TRUE(db->CheckpointAndTruncateWal().ok());
    EXPECT_EQ(FileSize(path + "-wal"), 0);
    EXPECT_EQ(CountRows(*db), written);
  }
  // Reopened without the fault VFS: every row, and the file passes SQLite's
  // integrity check.
  auto again = OpenFile(path, /*checkpoint_pages=*/0);
  ASSERT_NE(again, nullptr);
  std::string check;
  ASSERT_TRUE(again->RunReadOnly([&](SQLite::Database& c) {
                   check = c.execAndGet("PRAGMA integrity_check").getString();
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(check, "ok");
  EXPECT_GE(CountRows(*again), 9);
}

TEST(CheckpointerTest, NoThreadWhenTurnedOffOrInMemory) {
  auto file = OpenFile(testkit::NewTempPath("off", "db"), /*checkpoint_pages=*/0);
  ASSERT_NE(file, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(AddPage(*file).ok());
  EXPECT_EQ(file->background_checkpoints(), 0u);
  auto memory = Database::OpenInMemory(kBlobs);
  ASSERT_TRUE(memory.ok());
  ASSERT_TRUE(AddPage(**memory).ok());
  EXPECT_EQ((*memory)->background_checkpoints(), 0u);
}

}  // namespace
}  // namespace kaizen::storage
