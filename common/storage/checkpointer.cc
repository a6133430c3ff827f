#include "common/storage/checkpointer.h"

#include <sqlite3.h>

#include <utility>

#include "common/util/thread_name.h"

namespace kaizen::storage::internal {
namespace {

// PASSIVE: copies what no reader still needs, without waiting for (or
// blocking) the writer or any reader. BUSY (a checkpoint of another
// process) is not an error: the next run tries again. `left`: the WAL's
// frames not copied when it ended (0 if it failed or was BUSY).
absl::Status CheckpointPassive(Connection& c, int* left = nullptr) {
  int log_frames = 0, copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(c.getHandle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                           &log_frames, &copied);
  if (left != nullptr) *left = rc == SQLITE_OK && log_frames > copied ? log_frames - copied : 0;
  return rc == SQLITE_OK || rc == SQLITE_BUSY ? absl::OkStatus() : StatusFromCode(c, rc);
}

}  // namespace

Checkpointer::Checkpointer(const DatabaseOptions& options, Connection& writer, int pages,
                           std::function<void(const absl::Status&)> on_error)
    : writer_(writer),
      pages_(pages),
      on_error_(std::move(on_error)),
      connection_(std::make_unique<Connection>(options, SQLite::OPEN_READWRITE)) {
  // Replaces SQLite's automatic checkpoint (the same hook slot).
  sqlite3_wal_hook(writer_.getHandle(), &Checkpointer::Hook, this);
  thread_ = std::thread([this] {
    NameThisThread(kThreadCheckpoint);
    Loop();
  });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_.getHandle(), nullptr, nullptr);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

// On the writer's thread, inside COMMIT: only a flag. Returning anything but
// SQLITE_OK would make SQLite report the commit as failed.
int Checkpointer::Hook(void* self, sqlite3*, const char*, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (pages >= c->pages_ * kHardBoundFactor) c->over_bound_.store(true, std::memory_order_release);
  // Not while a catch-up is pending: the next leader's catch-up copies
  // what is left and its BEGIN starts the WAL over; asking now (the WAL is
  // still long) made a second run and a second catch-up right after, 4-7 ms
  // more on the writers' serial path per cycle (docs/benchmarks.md,
  // eleventh look).
  if (pages >= c->pages_ && !c->catch_up_.load(std::memory_order_acquire)) {
    absl::MutexLock lock(&c->mu_);
    c->due_ = true;
  }
  return SQLITE_OK;
}

void Checkpointer::Loop() {
  auto wake = [](Checkpointer* c) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return c->due_ || c->stopping_;
  };
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(+wake, this));
      if (stopping_) return;
      due_ = false;
      ++started_;
    }
    absl::Status failed;
    {
      absl::MutexLock run(&run_mu_);
      // Commits go on during a run, and what they added is left for the
      // leader's catch-up, on the writers' serial path: run again while
      // that is more than kCatchUpFrames and the rounds still gain on it (a
      // reader on an old snapshot stops them gaining).
      int left = 0;
      int before = 0;
      for (int round = 0; round < kMaxRounds; ++round) {
        failed = CheckpointPassive(*connection_, &left);
        if (!failed.ok() || left <= kCatchUpFrames || (round > 0 && left >= before)) break;
        before = left;
      }
    }
    catch_up_.store(true, std::memory_order_release);
    if (!failed.ok()) on_error_(failed);
    absl::MutexLock lock(&mu_);
    // Commits during the run asked for another one; the catch-up covers
    // them (and starts the WAL over), so they do not: if it cannot (a
    // reader holds an old snapshot), the next commit asks again.
    due_ = false;
    ++runs_;
  }
}

absl::Status Checkpointer::CopyNow() {
  absl::MutexLock run(&run_mu_);
  return CheckpointPassive(*connection_);
}

void Checkpointer::CatchUp(Connection& writer) {
  const bool over_bound = over_bound_.exchange(false, std::memory_order_acq_rel);
  const bool after_run = catch_up_.exchange(false, std::memory_order_acq_rel);
  if (!over_bound && !after_run) return;
  if (over_bound) {
    // The thread has fallen behind: copy here, after a run in progress (a
    // run never waits for the writer, so this wait ends).
    run_mu_.Lock();
    forced_.fetch_add(1, std::memory_order_relaxed);
  } else if (!run_mu_.TryLock()) {
    // A background run in progress will ask again when it is done; waiting
    // for it here would hold up every queued writer.
    return;
  }
  const absl::Status failed = CheckpointPassive(writer);
  run_mu_.Unlock();
  if (!failed.ok()) on_error_(failed);
}

uint64_t Checkpointer::runs() const {
  absl::MutexLock lock(&mu_);
  return runs_;
}

uint64_t Checkpointer::RunsAskedForTest() const {
  absl::MutexLock lock(&mu_);
  return started_ + (due_ ? 1 : 0);
}

void Checkpointer::WaitForRunsForTest(uint64_t n) const {
  auto reached = [](const std::pair<const Checkpointer*, uint64_t>* a)
                     ABSL_NO_THREAD_SAFETY_ANALYSIS { return a->first->runs_ >= a->second; };
  const std::pair<const Checkpointer*, uint64_t> arg(this, n);
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+reached, &arg));
}

}  // namespace kaizen::storage::internal
