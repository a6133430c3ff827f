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

#include <sqlite3.h>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "common/storage/fault_vfs.h"
#include "common/storage/group_commit_testing.h"
#include "common/storage/statement_cache.h"
#include "common/storage/storage_stats.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace group_commit_test {

namespace fs = std::filesystem;
using group_testing::Boom;
using group_testing::Fn;
using group_testing::Has;
using group_testing::Insert;
using group_testing::Inserts;
using group_testing::kSchema;
using group_testing::MustOpen;
using group_testing::Outcome;
using group_testing::RunBatch;
using group_testing::StatementsWithSql;
using group_testing::TempOptions;

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

// The savepoint statements are prepared once per connection
// (connection.h TransactionStatements) and stay usable after a caller's
// failure rolled back to its savepoint: a second batch is as exact as the
// first.
TEST(GroupCommitTest, BatchesReuseTheirSavepointStatements) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  auto fails = [](SQLite::Database& c) -> absl::Status {
    Insert(c, "gone").IgnoreError();
    return absl::FailedPreconditionError("changed its mind");
  };
  for (const std::string round : {"1", "2"}) {
    std::vector<Outcome> out = RunBatch(*db, Inserts("leader" + round),
                                        {Inserts("a" + round), fails, Inserts("c" + round)});
    EXPECT_TRUE(out[1].status.ok() && out[3].status.ok()) << round;
    EXPECT_EQ(out[2].status.code(), absl::StatusCode::kFailedPrecondition) << round;
    EXPECT_TRUE(Has(*db, "a" + round) && Has(*db, "c" + round)) << round;
  }
  EXPECT_FALSE(Has(*db, "gone"));
  ASSERT_TRUE(db->RunInTransaction([&](SQLite::Database& c) {
                  for (const char* sql : {"BEGIN IMMEDIATE", "SAVEPOINT kaizen_write",
                                          "RELEASE kaizen_write", "ROLLBACK TO kaizen_write",
                                          "COMMIT"}) {
                    EXPECT_EQ(StatementsWithSql(c, sql), 1) << sql;
                  }
                  return absl::OkStatus();
                }).ok());
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
                                         // An interrupted write makes SQLite roll back
                                         // the whole transaction, as IOERR or NOMEM can.
                                         sqlite3_progress_handler(
                                             c.getHandle(), 1, [](void*) { return 1; },
                                             nullptr);
                                         struct Off {
                                           sqlite3* h;
                                           ~Off() {
                                             sqlite3_progress_handler(h, 0, nullptr, nullptr);
                                           }
                                         } off{c.getHandle()};
                                         return Insert(c, "b");  // throws SQLITE_INTERRUPT
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

// Many callers with every kind of outcome at once: each caller's status says
// exactly whether its write was committed.
TEST(GroupCommitTest, MixedOutcomesUnderContentionMatchWhatWasCommitted) {
  auto db = MustOpen(TempOptions());
  ASSERT_NE(db, nullptr);
  constexpr int kThreads = 16;
  constexpr int kWrites = 25;
  enum Result { kOk, kFailed, kThrew };
  std::vector<std::vector<Result>> results(kThreads, std::vector<Result>(kWrites, kFailed));
  auto name = [](int t, int i) { return "n" + std::to_string(t) + "_" + std::to_string(i); };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const int kind = (t * 7 + i * 3) % 5;
        try {
          absl::Status status = db->RunInTransaction([&](SQLite::Database& c) -> absl::Status {
            Insert(c, name(t, i)).IgnoreError();
            if (kind == 1) return absl::InvalidArgumentError("no");
            if (kind == 2) throw Boom();
            if (kind == 3) return Insert(c, name(t, i));  // ALREADY_EXISTS
            if (kind == 4) {  // sees its own write
              CachedStatement q(c, "SELECT 1 FROM people WHERE name = ?");
              q->bind(1, name(t, i));
              if (!q->executeStep()) return absl::InternalError("own write invisible");
            }
            return absl::OkStatus();
          });
          results[t][i] = status.ok() ? kOk : kFailed;
        } catch (const Boom&) {
          results[t][i] = kThrew;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kWrites; ++i) {
      const int kind = (t * 7 + i * 3) % 5;
      EXPECT_EQ(results[t][i], kind == 2 ? kThrew : kind == 0 || kind == 4 ? kOk : kFailed)
          << name(t, i);
      EXPECT_EQ(Has(*db, name(t, i)), results[t][i] == kOk) << name(t, i);
    }
  }
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
