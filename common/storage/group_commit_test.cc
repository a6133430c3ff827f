// Group commit in Database::RunInTransaction (database.h), on real SQLite
// files under TEST_TMPDIR. Batches are built deterministically: the leader's
// fn waits on a notification until the followers are queued
// (WaitForPendingWritersForTest), never on a sleep.
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "common/storage/fault_vfs.h"
#include "common/storage/statement_cache.h"
#include "common/storage/storage_stats.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace {

namespace fs = std::filesystem;
using Fn = std::function<absl::Status(SQLite::Database&)>;

const Migrations kSchema = {
    "CREATE TABLE people (name TEXT PRIMARY KEY);"
    "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
    "INSERT INTO counter VALUES (1, 0)",
};

struct Boom {};  // not a std::exception

DatabaseOptions TempOptions() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/group-" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::remove_all(dir);
  fs::create_directories(dir);
  DatabaseOptions options;
  options.path = dir + "/a.db";
  options.reader_connections = 2;
  return options;
}

std::unique_ptr<Database> MustOpen(const DatabaseOptions& options) {
  auto db = Database::Open(options, kSchema);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

absl::Status Insert(SQLite::Database& c, const std::string& name) {
  CachedStatement q(c, "INSERT INTO people (name) VALUES (?)");
  q->bind(1, name);
  q->exec();
  return absl::OkStatus();
}

Fn Inserts(const std::string& name) {
  return [name](SQLite::Database& c) { return Insert(c, name); };
}

bool Has(Database& db, const std::string& name) {
  bool found = false;
  EXPECT_TRUE(db.RunReadOnly([&](SQLite::Database& c) {
                  CachedStatement q(c, "SELECT 1 FROM people WHERE name = ?");
                  q->bind(1, name);
                  found = q->executeStep();
                  return absl::OkStatus();
                }).ok());
  return found;
}

// Runs `leader` alone (its fn blocks), queues `followers` in this order
// behind it, then lets the leader finish: the followers form one batch.
struct Outcome {
  absl::Status status;
  bool threw_boom = false;
  std::thread::id ran_on;
};
std::vector<Outcome> RunBatch(Database& db, const Fn& leader, const std::vector<Fn>& followers) {
  std::vector<Outcome> out(followers.size() + 1);
  absl::Notification leading;
  absl::Notification release;
  std::thread lead([&] {
    try {
      out[0].status = db.RunInTransaction([&](SQLite::Database& c) {
        leading.Notify();
        release.WaitForNotification();
        return leader(c);
      });
    } catch (const Boom&) {
      out[0].threw_boom = true;
    }
  });
  leading.WaitForNotification();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < followers.size(); ++i) {
    threads.emplace_back([&, i] {
      Outcome& o = out[i + 1];
      try {
        o.status = db.RunInTransaction([&](SQLite::Database& c) {
          o.ran_on = std::this_thread::get_id();
          return followers[i](c);
        });
      } catch (const Boom&) {
        o.threw_boom = true;
      }
    });
    db.WaitForPendingWritersForTest(static_cast<int>(i) + 2);  // keeps the order
  }
  release.Notify();
  lead.join();
  for (auto& t : threads) t.join();
  return out;
}

TEST(GroupCommitTest, QueuedWritersShareOneDurableCommit) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  const StorageStatsSnapshot before = GlobalStorageStats();
  std::vector<Fn> followers;
  for (int i = 0; i < 5; ++i) followers.push_back(Inserts("f" + std::to_string(i)));
  std::vector<Outcome> out = RunBatch(*db, Inserts("leader"), followers);
  const StorageStatsSnapshot after = GlobalStorageStats();
  for (const Outcome& o : out) EXPECT_TRUE(o.status.ok()) << o.status;
  EXPECT_EQ(after.commits - before.commits, 2);  // the leader alone, then one batch
  EXPECT_EQ(after.write_batches - before.write_batches, 2);
  EXPECT_EQ(after.write_requests - before.write_requests, 6);
  EXPECT_EQ(after.rollbacks - before.rollbacks, 0);
  EXPECT_TRUE(Has(*db, "leader"));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(Has(*db, "f" + std::to_string(i)));
  // The batch ran on one thread (its leader's, the first follower).
  for (size_t i = 2; i < out.size(); ++i) EXPECT_EQ(out[i].ran_on, out[1].ran_on);
}

TEST(GroupCommitTest, FailingNeighbourLosesOnlyItsOwnWrites) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  const StorageStatsSnapshot before = GlobalStorageStats();
  std::vector<Outcome> out = RunBatch(
      *db, Inserts("leader"),
      {Inserts("a"),
       [](SQLite::Database& c) -> absl::Status {
         Insert(c, "b").IgnoreError();
         return absl::FailedPreconditionError("b changed its mind");
       },
       [](SQLite::Database& c) {  // a constraint violation (SQLite's own error)
         Insert(c, "c").IgnoreError();
         return Insert(c, "a");
       },
       [](SQLite::Database& c) -> absl::Status {
         Insert(c, "d").IgnoreError();
         throw std::runtime_error("d failed");
       },
       Inserts("e")});
  const StorageStatsSnapshot after = GlobalStorageStats();
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_TRUE(out[1].status.ok()) << out[1].status;
  EXPECT_EQ(out[2].status, absl::FailedPreconditionError("b changed its mind"));
  EXPECT_EQ(out[3].status.code(), absl::StatusCode::kAlreadyExists) << out[3].status;
  EXPECT_EQ(out[4].status.code(), absl::StatusCode::kInternal) << out[4].status;
  EXPECT_EQ(errors::Reason(out[4].status), "STORAGE_ERROR");
  EXPECT_TRUE(out[5].status.ok()) << out[5].status;
  EXPECT_TRUE(Has(*db, "a"));
  EXPECT_FALSE(Has(*db, "b"));
  EXPECT_FALSE(Has(*db, "c"));  // rolled back with its failed request
  EXPECT_FALSE(Has(*db, "d"));
  EXPECT_TRUE(Has(*db, "e"));
  EXPECT_EQ(after.commits - before.commits, 2);
  EXPECT_EQ(after.rollbacks - before.rollbacks, 3);
}

TEST(GroupCommitTest, NonStdExceptionIsRethrownInItsCallersThreadOnly) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  std::vector<Outcome> out = RunBatch(*db, Inserts("leader"),
                                      {Inserts("a"),
                                       [](SQLite::Database& c) -> absl::Status {
                                         Insert(c, "b").IgnoreError();
                                         throw Boom();
                                       },
                                       Inserts("c")});
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_TRUE(out[1].status.ok());
  EXPECT_FALSE(out[1].threw_boom);
  EXPECT_TRUE(out[2].threw_boom);
  EXPECT_FALSE(out[3].threw_boom);
  EXPECT_TRUE(out[3].status.ok());
  EXPECT_TRUE(Has(*db, "a"));
  EXPECT_FALSE(Has(*db, "b"));
  EXPECT_TRUE(Has(*db, "c"));
}

TEST(GroupCommitTest, LeaderThrowingAloneStillHandsOverTheQueue) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  std::vector<Outcome> out =
      RunBatch(*db, [](SQLite::Database&) -> absl::Status { throw Boom(); },
               {Inserts("a"), Inserts("b")});
  EXPECT_TRUE(out[0].threw_boom);
  EXPECT_TRUE(out[1].status.ok());
  EXPECT_TRUE(out[2].status.ok());
  EXPECT_TRUE(Has(*db, "a") && Has(*db, "b"));
}

TEST(GroupCommitTest, FailedCommitFailsEveryCallerOfTheBatch) {
  testing::FaultVfs vfs("kaizen-group-enospc");
  DatabaseOptions options = TempOptions();
  options.vfs = vfs.name();
  options.fault_recheck_interval = absl::InfiniteDuration();
  auto db = MustOpen(options);
  ASSERT_NE(db, nullptr);
  const StorageStatsSnapshot before = GlobalStorageStats();
  std::vector<Outcome> out = RunBatch(
      *db,
      [&](SQLite::Database&) {
        // Writes nothing; from here on the disk is full.
        vfs.set_write_errno(ENOSPC);
        return absl::AbortedError("leader gives up");
      },
      {Inserts("a"), Inserts("b"), Inserts("c")});
  vfs.set_write_errno(0);
  const StorageStatsSnapshot after = GlobalStorageStats();
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_EQ(out[i].status.code(), absl::StatusCode::kResourceExhausted) << out[i].status;
    EXPECT_EQ(errors::Reason(out[i].status), kDiskFull);
  }
  EXPECT_EQ(after.commits - before.commits, 0);
  EXPECT_EQ(after.rollbacks - before.rollbacks, 4);
  EXPECT_FALSE(Has(*db, "a") || Has(*db, "b") || Has(*db, "c"));
  EXPECT_TRUE(db->RunInTransaction(Inserts("later")).ok());  // space again
  EXPECT_TRUE(Has(*db, "later"));
}

TEST(GroupCommitTest, AbortedTransactionFailsTheCallersBeforeAndRestartsTheRest) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  const StorageStatsSnapshot before = GlobalStorageStats();
  std::vector<Outcome> out = RunBatch(*db, Inserts("leader"),
                                      {Inserts("a"),
                                       [](SQLite::Database& c) {
                                         // Ends the whole transaction, as SQLite does
                                         // itself on SQLITE_FULL, IOERR or NOMEM.
                                         Insert(c, "b").IgnoreError();
                                         c.exec("ROLLBACK");
                                         return absl::OkStatus();
                                       },
                                       Inserts("c"), Inserts("d")});
  const StorageStatsSnapshot after = GlobalStorageStats();
  EXPECT_EQ(out[1].status.code(), absl::StatusCode::kInternal) << out[1].status;
  EXPECT_EQ(out[2].status.code(), absl::StatusCode::kInternal) << out[2].status;
  EXPECT_TRUE(out[3].status.ok()) << out[3].status;
  EXPECT_TRUE(out[4].status.ok()) << out[4].status;
  EXPECT_FALSE(Has(*db, "a"));  // never a success for work not committed
  EXPECT_FALSE(Has(*db, "b"));
  EXPECT_TRUE(Has(*db, "c"));
  EXPECT_TRUE(Has(*db, "d"));
  EXPECT_EQ(after.commits - before.commits, 2);  // leader; c and d together
}

TEST(GroupCommitTest, StickyFaultRefusesTheWholeQueueWithoutRunningFn) {
  DatabaseOptions options = TempOptions();
  auto db = MustOpen(options);
  ASSERT_NE(db, nullptr);
  bool ran = false;
  std::vector<Outcome> out = RunBatch(
      *db,
      [&](SQLite::Database& c) {
        fs::remove(options.path);  // noticed before this COMMIT
        return Insert(c, "leader");
      },
      {[&](SQLite::Database&) {
         ran = true;
         return absl::OkStatus();
       },
       Inserts("b")});
  for (const Outcome& o : out) {
    EXPECT_EQ(o.status.code(), absl::StatusCode::kUnavailable) << o.status;
    EXPECT_EQ(errors::Reason(o.status), kDatabaseMissing);
  }
  EXPECT_FALSE(ran);
}

TEST(GroupCommitTest, ConcurrentIncrementsLoseNothing) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  constexpr int kThreads = 32;
  constexpr int kIncrements = 50;
  const StorageStatsSnapshot before = GlobalStorageStats();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        absl::Status s = db->RunInTransaction([](SQLite::Database& c) {
          // Read-modify-write in C++, so a lost update would show.
          int n;
          {
            CachedStatement get(c, "SELECT n FROM counter WHERE id = 1");
            get->executeStep();
            n = get->getColumn(0).getInt();
          }
          CachedStatement set(c, "UPDATE counter SET n = ? WHERE id = 1");
          set->bind(1, n + 1);
          set->exec();
          return absl::OkStatus();
        });
        if (!s.ok()) failures.fetch_add(1);
      }
    });
  }
  // Checkpoints take the writer lock: they run between batches.
  std::thread checkpointer([&] {
    for (int i = 0; i < 20; ++i) {
      if (!db->CheckpointAndTruncateWal().ok()) failures.fetch_add(1);
    }
  });
  for (auto& t : threads) t.join();
  checkpointer.join();
  const StorageStatsSnapshot after = GlobalStorageStats();
  EXPECT_EQ(failures.load(), 0);
  int n = -1;
  ASSERT_TRUE(db->RunReadOnly([&](SQLite::Database& c) {
                  n = c.execAndGet("SELECT n FROM counter WHERE id = 1").getInt();
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(n, kThreads * kIncrements);
  EXPECT_EQ(after.write_requests - before.write_requests, kThreads * kIncrements);
  EXPECT_LE(after.commits - before.commits, kThreads * kIncrements);
  EXPECT_EQ(after.commits - before.commits, after.write_batches - before.write_batches);
}

TEST(GroupCommitTest, InMemoryDatabaseBatchesToo) {
  auto db = Database::OpenInMemory(kSchema);
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<Outcome> out = RunBatch(**db, Inserts("leader"), {Inserts("a"), Inserts("a")});
  EXPECT_TRUE(out[1].status.ok());
  EXPECT_EQ(out[2].status.code(), absl::StatusCode::kAlreadyExists);  // sees a's insert
  EXPECT_TRUE(Has(**db, "a"));
}

}  // namespace
}  // namespace kaizen::storage
