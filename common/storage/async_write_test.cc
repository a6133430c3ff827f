// Database::SubmitTransaction (database.h): asynchronous writes in the same
// group commit as RunInTransaction, led by the database's writer thread, on
// real SQLite files under TEST_TMPDIR. Batches are built as in
// group_commit_test: a blocking leader holds the writer until the writes
// behind it are queued (WaitForPendingWritersForTest), never a sleep.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/storage/database.h"
#include "common/storage/group_commit_testing.h"
#include "common/storage/storage_stats.h"
#include "common/util/thread_name.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace async_write_test {

using group_testing::Boom;
using group_testing::Has;
using group_testing::Inserts;
using group_testing::MustOpen;
using group_testing::TempOptions;

// What one asynchronous write's completion saw.
struct Result {
  absl::Status status;
  std::thread::id done_on;
  bool visible_in_done = false;  // its row, read from another connection in `done`
  uint64_t generation_in_done = 0;
};

class AsyncWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = MustOpen(TempOptions());
    ASSERT_NE(db_, nullptr);
  }

  // Submits a write of `name` (or `fn`) whose completion records into
  // results_[i] and counts `done`.
  void Submit(int i, const std::string& name, absl::BlockingCounter* done,
              Database::WriteFn fn = nullptr) {
    if (fn == nullptr) fn = Inserts(name);
    db_->SubmitTransaction(std::move(fn), [this, i, name, done](absl::Status status) {
      Result& r = results_[i];
      r.done_on = std::this_thread::get_id();
      r.visible_in_done = Has(*db_, name);
      r.generation_in_done = db_->write_generation();
      r.status = std::move(status);
      done->DecrementCount();
    });
  }

  // Holds the writer with a blocking write until `queued` writes wait
  // behind it, then lets it go; returns once that write has returned.
  void HoldWriterUntilQueued(int queued, const std::function<void()>& queue) {
    absl::Notification leading;
    absl::Notification release;
    std::thread lead([&] {
      EXPECT_TRUE(db_->RunInTransaction([&](SQLite::Database& c) {
                       leading.Notify();
                       release.WaitForNotification();
                       return group_testing::Insert(c, "leader");
                     }).ok());
    });
    leading.WaitForNotification();
    queue();
    db_->WaitForPendingWritersForTest(queued + 1);
    release.Notify();
    lead.join();
  }

  std::unique_ptr<Database> db_;
  Result results_[16];
};

TEST_F(AsyncWriteTest, QueuedWritesShareOneCommitAndEachGetsItsOwnResult) {
  const StorageStatsSnapshot before = GlobalStorageStats();
  absl::BlockingCounter done(5);
  HoldWriterUntilQueued(5, [&] {
    for (int i = 0; i < 5; ++i) {
      if (i == 2) {
        // Fails after writing: only its own row goes.
        Submit(i, "w2", &done, [](SQLite::Database& c) -> absl::Status {
          EXPECT_TRUE(group_testing::Insert(c, "w2").ok());
          return errors::FailedPrecondition("TEST_REFUSED", "refused after writing");
        });
      } else {
        Submit(i, "w" + std::to_string(i), &done);
      }
      db_->WaitForPendingWritersForTest(i + 2);  // keeps the order
    }
  });
  done.Wait();
  const StorageStatsSnapshot after = GlobalStorageStats();
  EXPECT_EQ(after.commits - before.commits, 2);  // the leader alone, then one batch
  EXPECT_EQ(after.write_batches - before.write_batches, 2);
  EXPECT_EQ(after.write_requests - before.write_requests, 6);
  EXPECT_EQ(after.rollbacks - before.rollbacks, 1);
  for (int i : {0, 1, 3, 4}) {
    EXPECT_TRUE(results_[i].status.ok()) << i << " " << results_[i].status;
    // Committed before its completion ran, and the turn was over (even).
    EXPECT_TRUE(results_[i].visible_in_done) << i;
    EXPECT_EQ(results_[i].generation_in_done % 2, 0u) << i;
    EXPECT_TRUE(Has(*db_, "w" + std::to_string(i)));
  }
  EXPECT_EQ(errors::Reason(results_[2].status), "TEST_REFUSED");
  EXPECT_FALSE(results_[2].visible_in_done);
  EXPECT_FALSE(Has(*db_, "w2"));
  // Every completion ran on the database's writer thread, none on the
  // submitting (test) thread.
  for (int i = 1; i < 5; ++i) EXPECT_EQ(results_[i].done_on, results_[0].done_on);
  EXPECT_NE(results_[0].done_on, std::this_thread::get_id());
}

TEST_F(AsyncWriteTest, ALoneWriteIsLedByTheWriterThread) {
  absl::BlockingCounter done(1);
  Submit(0, "alone", &done);
  done.Wait();
  EXPECT_TRUE(results_[0].status.ok()) << results_[0].status;
  EXPECT_TRUE(results_[0].visible_in_done);
  EXPECT_NE(results_[0].done_on, std::this_thread::get_id());
}

// The database's threads carry names an operator can tell apart (top -H,
// perf): the write runs on "kz-db-writer", its answer on "kz-db-answers".
TEST_F(AsyncWriteTest, TheWriterAndAnswerThreadsAreNamed) {
  std::string wrote_on, answered_on;
  absl::Notification done;
  db_->SubmitTransaction(
      [&](SQLite::Database& c) {
        wrote_on = ThisThreadName();
        return group_testing::Insert(c, "named");
      },
      [&](absl::Status status) {
        EXPECT_TRUE(status.ok()) << status;
        answered_on = ThisThreadName();
        done.Notify();
      });
  done.WaitForNotification();
  EXPECT_EQ(wrote_on, kThreadDbWriter);
  EXPECT_EQ(answered_on, kThreadDbAnswers);
}

// A caller of RunInTransaction queued behind asynchronous writes is served:
// either in the writer thread's batch or woken to lead its own.
TEST_F(AsyncWriteTest, ABlockingCallerBehindAsynchronousWritesIsServed) {
  absl::Notification running;
  absl::Notification release;
  absl::BlockingCounter done(2);
  Submit(0, "held", &done, [&](SQLite::Database& c) {
    running.Notify();
    release.WaitForNotification();
    return group_testing::Insert(c, "held");
  });
  running.WaitForNotification();  // the writer thread leads it
  Submit(1, "async-behind", &done);
  absl::Status blocking_status;
  std::thread blocking(
      [&] { blocking_status = db_->RunInTransaction(Inserts("blocking-behind")); });
  db_->WaitForPendingWritersForTest(3);
  release.Notify();
  blocking.join();
  done.Wait();
  EXPECT_TRUE(blocking_status.ok()) << blocking_status;
  EXPECT_TRUE(results_[0].status.ok());
  EXPECT_TRUE(results_[1].status.ok());
  for (const char* name : {"held", "async-behind", "blocking-behind"}) {
    EXPECT_TRUE(Has(*db_, name)) << name;
  }
}

// No thread to rethrow in: a foreign exception from fn becomes INTERNAL
// STORAGE_ERROR for that write alone (alone, and inside a batch).
TEST_F(AsyncWriteTest, AnExceptionFromFnBecomesThatWritesStorageError) {
  absl::BlockingCounter alone(1);
  Submit(0, "boom-alone", &alone, [](SQLite::Database& c) -> absl::Status {
    EXPECT_TRUE(group_testing::Insert(c, "boom-alone").ok());
    throw Boom{};
  });
  alone.Wait();
  EXPECT_EQ(results_[0].status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(errors::Reason(results_[0].status), "STORAGE_ERROR");
  EXPECT_FALSE(Has(*db_, "boom-alone"));

  absl::BlockingCounter batched(3);
  HoldWriterUntilQueued(3, [&] {
    Submit(1, "before", &batched);
    db_->WaitForPendingWritersForTest(2);
    Submit(2, "boom-batched", &batched, [](SQLite::Database& c) -> absl::Status {
      EXPECT_TRUE(group_testing::Insert(c, "boom-batched").ok());
      throw Boom{};
    });
    db_->WaitForPendingWritersForTest(3);
    Submit(3, "after", &batched);
  });
  batched.Wait();
  EXPECT_TRUE(results_[1].status.ok());
  EXPECT_EQ(errors::Reason(results_[2].status), "STORAGE_ERROR");
  EXPECT_TRUE(results_[3].status.ok());
  EXPECT_TRUE(Has(*db_, "before"));
  EXPECT_FALSE(Has(*db_, "boom-batched"));
  EXPECT_TRUE(Has(*db_, "after"));
}

// A completion may submit again (it runs on the writer thread, outside
// every lock of the database).
TEST_F(AsyncWriteTest, ACompletionMaySubmitAgain) {
  absl::Notification second_done;
  absl::Status second;
  db_->SubmitTransaction(Inserts("first"), [&](absl::Status first) {
    EXPECT_TRUE(first.ok()) << first;
    db_->SubmitTransaction(Inserts("second"), [&](absl::Status s) {
      second = s;
      second_done.Notify();
    });
  });
  second_done.WaitForNotification();
  EXPECT_TRUE(second.ok()) << second;
  EXPECT_TRUE(Has(*db_, "first"));
  EXPECT_TRUE(Has(*db_, "second"));
}

// Closing the database runs every write already submitted, then stops.
TEST_F(AsyncWriteTest, ClosingRunsEverySubmittedWriteFirst) {
  const DatabaseOptions options = TempOptions();
  auto db = MustOpen(options);
  ASSERT_NE(db, nullptr);
  std::atomic<int> ok{0};
  for (int i = 0; i < 40; ++i) {
    db->SubmitTransaction(Inserts("n" + std::to_string(i)), [&](absl::Status s) {
      if (s.ok()) ok.fetch_add(1);
    });
  }
  db.reset();
  EXPECT_EQ(ok.load(), 40);
  db = MustOpen(options);
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(Has(*db, "n" + std::to_string(i))) << i;
}

// Many submitters at once and blocking writers between them: every write
// is answered once, with its own result, and the counter is exact.
TEST_F(AsyncWriteTest, ConcurrentSubmittersAndBlockingWritersLoseNothing) {
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  auto bump = [](SQLite::Database& c) -> absl::Status {
    c.exec("UPDATE counter SET n = n + 1 WHERE id = 1");
    return absl::OkStatus();
  };
  absl::BlockingCounter done(kThreads * kEach);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (t % 2 == 0) {
          db_->SubmitTransaction(bump, [&](absl::Status s) {
            if (s.ok()) ok.fetch_add(1);
            done.DecrementCount();
          });
        } else {
          if (db_->RunInTransaction(bump).ok()) ok.fetch_add(1);
          done.DecrementCount();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  done.Wait();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  int n = 0;
  ASSERT_TRUE(db_->RunReadOnly([&](SQLite::Database& c) {
                   n = c.execAndGet("SELECT n FROM counter WHERE id = 1").getInt();
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(n, kThreads * kEach);
}

}  // namespace
}  // namespace kaizen::storage
