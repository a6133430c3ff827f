#include "common/storage/checkpointer.h"

#include <sqlite3.h>

#include <utility>

namespace kaizen::storage::internal {
namespace {

constexpr int kRestartWaitMs = 100;

}  // namespace

Checkpointer::Checkpointer(const DatabaseOptions& options, Connection& writer, int pages,
                           std::function<void(const absl::Status&)> on_error)
    : writer_(writer),
      pages_(pages),
      on_error_(std::move(on_error)),
      connection_(std::make_unique<Connection>(options, SQLite::OPEN_READWRITE)) {
  // How long the RESTART step (Loop) may wait for the writer lock, and then,
  // holding it, for readers of the WAL: writers stall at most this long.
  sqlite3_busy_timeout(connection_->getHandle(), kRestartWaitMs);
  // Replaces SQLite's automatic checkpoint (the same hook slot).
  sqlite3_wal_hook(writer_.getHandle(), &Checkpointer::Hook, this);
  thread_ = std::thread(&Checkpointer::Loop, this);
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
  if (pages >= c->pages_) {
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
    }
    absl::Status failed;
    {
      absl::MutexLock run(&run_mu_);
      int log_frames = 0, copied = 0;
      // PASSIVE: copies what no reader still needs, without waiting for
      // (or blocking) the writer or any reader. Under a steady stream of
      // commits it never quite catches up, and SQLite starts the WAL over
      // only once everything is copied: so RESTART then copies the few
      // frames committed meanwhile, holding the writer lock, and waits for
      // readers of the WAL, both at most kRestartWaitMs; the next commit
      // starts the WAL from its beginning. BUSY (the wait ran out, or a
      // checkpoint of another process) is not an error: the next run tries
      // again.
      int rc = sqlite3_wal_checkpoint_v2(connection_->getHandle(), "main",
                                         SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
      if (rc == SQLITE_OK) {
        rc = sqlite3_wal_checkpoint_v2(connection_->getHandle(), "main",
                                       SQLITE_CHECKPOINT_RESTART, &log_frames, &copied);
      }
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) failed = StatusFromCode(*connection_, rc);
    }
    if (!failed.ok()) on_error_(failed);
    absl::MutexLock lock(&mu_);
    ++runs_;
  }
}

uint64_t Checkpointer::runs() const {
  absl::MutexLock lock(&mu_);
  return runs_;
}

void Checkpointer::WaitForRunsForTest(uint64_t n) const {
  auto reached = [](const std::pair<const Checkpointer*, uint64_t>* a)
                     ABSL_NO_THREAD_SAFETY_ANALYSIS { return a->first->runs_ >= a->second; };
  const std::pair<const Checkpointer*, uint64_t> arg(this, n);
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(+reached, &arg));
}

}  // namespace kaizen::storage::internal
