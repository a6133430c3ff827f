// Internal to common/storage (:database): the WAL checkpoint of a file
// database, on a thread of its own instead of inside a caller's COMMIT.
//
// SQLite's automatic checkpoint runs in the COMMIT that takes the WAL past
// 1,000 pages: that commit (and, under group commit, every caller queued
// behind it) waits while ~1,000 pages are read back from the WAL, written
// into the database file and fsync'ed. Here the writer connection's WAL
// hook (sqlite3_wal_hook, which replaces the automatic checkpoint) only
// wakes this thread once the WAL holds `pages` pages; the thread runs a
// PASSIVE checkpoint on a connection of its own, which copies the pages
// without blocking the writer or any reader, so writes go on while it runs.
// SQLite starts the WAL over from its beginning only when a write begins
// with every frame copied and no reader on an older snapshot; under a steady
// stream of commits the background run never ends with everything copied
// (commits went on while it ran), so the WAL would grow without end. So
// after each run the next group-commit leader, which holds the writer lock
// (nothing can commit in between), copies the few frames committed
// meanwhile with a PASSIVE checkpoint on the writer connection (CatchUp),
// and its BEGIN IMMEDIATE then starts the WAL over. A run is repeated (up
// to kMaxRounds, while each round leaves less) until at most
// kCatchUpFrames are left, so the catch-up copies a few pages, not the
// ~500 frames two group commits write while a 1,000-page run lasts (eighth
// look; runs start at 8,000 pages since the ninth). A hard bound backs this
// up: should the WAL reach kHardBoundFactor times `pages` (the thread has
// fallen behind: starved of CPU under load, or a slow disk), the next
// leader copies everything itself before its BEGIN, waiting for a run in
// progress to end first, as SQLite's own automatic checkpoint would; so
// without a reader the WAL never holds much more than that bound plus one
// batch (seen in CI without it: 1,600 frames where runs began at 16).
// Nothing here waits for a reader: with a long read open (a backup) the WAL grows until it ends,
// as with SQLite's own checkpoint. Measured: +8-12 % CreateApplication
// throughput (docs/benchmarks.md, "sixth look").
//
// Threading: one thread per file database, woken by the hook (on the
// writer's thread, inside COMMIT: it only sets a flag under a mutex) or by
// the destructor. Checkpoints never overlap: `run_mu()` is held by each
// background run and by CatchUp (which skips rather than wait for it), and
// must be held by anyone else who checkpoints this database
// (Database::CheckpointAndTruncateWal), because SQLite refuses a second
// concurrent checkpoint with SQLITE_BUSY instead of waiting.
#ifndef KAIZEN_COMMON_STORAGE_CHECKPOINTER_H_
#define KAIZEN_COMMON_STORAGE_CHECKPOINTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/storage/connection.h"
#include "common/storage/database.h"

namespace kaizen::storage::internal {

class Checkpointer {
 public:
  static constexpr int kCatchUpFrames = 256;
  static constexpr int kMaxRounds = 4;
  static constexpr int kHardBoundFactor = 4;

  // Opens its own connection to options.path (already in WAL mode) and
  // installs the hook on `writer`, which must outlive this object and must
  // not be writing while the constructor or destructor runs. `on_error`
  // gets the status of a failed checkpoint (on this object's thread).
  // Throws SQLite::Exception if the connection cannot be opened.
  Checkpointer(const DatabaseOptions& options, Connection& writer, int pages,
               std::function<void(const absl::Status&)> on_error);
  // Removes the hook, stops the thread (after the checkpoint it is running,
  // if any) and closes the connection.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // On the group-commit leader's thread, holding the writer lock, before
  // BEGIN: once after each background run, copies the frames committed
  // while it ran, and whenever the WAL has passed its hard bound, copies it
  // all (module comment). Cheap otherwise (two atomics).
  void CatchUp(Connection& writer);

  // A PASSIVE checkpoint now, on this object's connection (waits for a
  // background run in progress): copies what it can without holding up the
  // writer, so that a TRUNCATE checkpoint under the writer lock right after
  // (Database::CheckpointAndTruncateWal) copies only what was committed in
  // between. Must not be called holding run_mu().
  absl::Status CopyNow() ABSL_LOCKS_EXCLUDED(run_mu_);

  // Held while a checkpoint of this database runs.
  absl::Mutex& run_mu() ABSL_LOCK_RETURNED(run_mu_) { return run_mu_; }

  // Background checkpoints finished (successful or not) since the start.
  uint64_t runs() const;
  // Blocks until runs() >= n (tests).
  void WaitForRunsForTest(uint64_t n) const;
  // Background runs started, plus one if one is asked for (tests).
  uint64_t RunsAskedForTest() const;
  // Catch-ups made because the WAL had passed its hard bound.
  uint64_t forced_catch_ups() const { return forced_.load(std::memory_order_relaxed); }

 private:
  static int Hook(void* self, sqlite3* db, const char* schema, int pages);
  void Loop();

  Connection& writer_;
  const int pages_;
  const std::function<void(const absl::Status&)> on_error_;
  std::unique_ptr<Connection> connection_ ABSL_GUARDED_BY(run_mu_);
  absl::Mutex run_mu_;

  std::atomic<bool> catch_up_{false};
  std::atomic<bool> over_bound_{false};  // set by the hook, taken by CatchUp
  std::atomic<uint64_t> forced_{0};
  mutable absl::Mutex mu_;
  bool due_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t runs_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t started_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;  // last: starts once everything above is set
};

}  // namespace kaizen::storage::internal

#endif  // KAIZEN_COMMON_STORAGE_CHECKPOINTER_H_
