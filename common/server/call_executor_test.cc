#include "common/server/call_executor.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "common/util/thread_name.h"
#include "gtest/gtest.h"

namespace kaizen::server {
namespace call_executor_test {

TEST(CallExecutorTest, RunsEveryTaskOnItsWorkers) {
  std::atomic<int> ran{0};
  absl::Mutex mu;
  std::set<std::thread::id> threads;
  {
    CallExecutor executor({/*threads=*/3, /*max_queued=*/1000});
    absl::BlockingCounter done(500);
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(executor.TrySubmit([&] {
        ran.fetch_add(1);
        {
          absl::MutexLock lock(&mu);
          threads.insert(std::this_thread::get_id());
        }
        done.DecrementCount();
      }));
    }
    done.Wait();
    EXPECT_EQ(executor.stats().completed_total + executor.stats().running, 500);
  }
  EXPECT_EQ(ran.load(), 500);
  EXPECT_LE(threads.size(), 3u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

// Workers are named for top -H and perf (common/util/thread_name.h).
TEST(CallExecutorTest, WorkersAreNamed) {
  std::string name;
  absl::Notification done;
  CallExecutor executor({/*threads=*/1, /*max_queued=*/1});
  ASSERT_TRUE(executor.TrySubmit([&] {
    name = ThisThreadName();
    done.Notify();
  }));
  done.WaitForNotification();
  EXPECT_EQ(name, kThreadWorker);
}

// Callers beyond the workers wait in the queue (never refused) up to
// max_queued; the next one is refused and its task never runs.
TEST(CallExecutorTest, QueuesUpToTheBoundThenRefuses) {
  absl::Notification release;
  absl::BlockingCounter started(2);
  std::atomic<int> ran{0};
  CallExecutor executor({/*threads=*/2, /*max_queued=*/64});
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(executor.TrySubmit([&] {
      started.DecrementCount();
      release.WaitForNotification();
      ran.fetch_add(1);
    }));
  }
  started.Wait();  // both workers busy: everything else queues
  for (int i = 0; i < 64; ++i) {
    ASSERT_TRUE(executor.TrySubmit([&] { ran.fetch_add(1); })) << i;
  }
  EXPECT_EQ(executor.stats().queued, 64);
  EXPECT_EQ(executor.stats().running, 2);
  bool refused_ran = false;
  EXPECT_FALSE(executor.TrySubmit([&] { refused_ran = true; }));
  EXPECT_EQ(executor.stats().rejected_total, 1);
  release.Notify();
  while (executor.stats().completed_total < 66) std::this_thread::yield();
  EXPECT_EQ(ran.load(), 66);
  EXPECT_FALSE(refused_ran);
  // Room again once the queue drained.
  absl::Notification later;
  EXPECT_TRUE(executor.TrySubmit([&] { later.Notify(); }));
  later.WaitForNotification();
}

TEST(CallExecutorTest, DestructorRunsWhatIsQueued) {
  std::atomic<int> ran{0};
  absl::Notification release;
  {
    absl::Notification started;
    CallExecutor executor({/*threads=*/1, /*max_queued=*/10});
    ASSERT_TRUE(executor.TrySubmit([&] {
      started.Notify();
      release.WaitForNotification();
    }));
    started.WaitForNotification();  // the worker holds it: the queue is empty
    int accepted = 0;
    for (int i = 0; i < 10; ++i) accepted += executor.TrySubmit([&] { ran.fetch_add(1); });
    release.Notify();  // before any assertion, so the destructor never waits forever
    EXPECT_EQ(accepted, 10);
  }
  EXPECT_EQ(ran.load(), 10);
}

TEST(CallExecutorTest, TaskCapturesAreReleasedAfterRunning) {
  auto token = std::make_shared<int>(7);
  std::weak_ptr<int> weak = token;
  absl::Notification done;
  CallExecutor executor({/*threads=*/1, /*max_queued=*/10});
  ASSERT_TRUE(executor.TrySubmit([t = std::move(token)] { (void)t; }));
  ASSERT_TRUE(executor.TrySubmit([&] { done.Notify(); }));
  done.WaitForNotification();
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace kaizen::server
