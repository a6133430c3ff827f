// Database::RunInTransaction and SubmitTransaction: group commit,
// LevelDB-style. Each write queues; the head leads: it takes up to kMaxBatch
// queued writes, runs their fns on the writer connection, each inside its
// own SAVEPOINT of one BEGIN IMMEDIATE transaction, commits once (one fsync
// for the batch), hands every caller its own result and wakes the next head.
// A RunInTransaction caller at the head leads on its own thread; an
// asynchronous write (SubmitTransaction) has no thread, so the database's
// writer thread leads for it; the completions of a batch's asynchronous
// writes run after its COMMIT on the completion thread, while the writer
// thread leads the next batch. Under a stream of asynchronous writes no
// caller thread is woken per write: one wake-up of the completion thread
// per batch at most.
#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/status/errors.h"
#include "common/storage/connection.h"
#include "common/storage/database.h"
#include "common/storage/database_faults.h"
#include "common/storage/database_impl.h"
#include "common/storage/storage_stats.h"
#include "common/util/thread_name.h"

namespace kaizen::storage {
namespace {

using internal::Connection;
using internal::Exec;
using internal::PendingWrite;
using internal::RecordStorageEvent;
using internal::StorageEvent;

bool Aborted(Connection& db) { return sqlite3_get_autocommit(db.getHandle()) != 0; }

}  // namespace

absl::Status Database::RunInTransaction(internal::Fn fn) {
  Impl& impl = *impl_;
  RecordStorageEvent(StorageEvent::kWriteRequest);
  PendingWrite self(fn);
  std::vector<PendingWrite*> batch;
  std::vector<PendingWrite*> finished;
  // Allocated before queueing: nothing may throw while queue_mu is held and
  // this caller is in the queue (the queue would never be handed on).
  batch.reserve(internal::kMaxBatch);
  finished.reserve(internal::kMaxBatch);
  {
    absl::MutexLock lock(&impl.queue_mu);
    impl.queue.push_back(&self);
    while (!self.done && impl.queue.front() != &self) self.cv.Wait(&impl.queue_mu);
    if (self.done) {  // a leader ran fn for us
      if (self.exception) std::rethrow_exception(self.exception);
      return self.status;
    }
    impl.TakeBatch(batch);  // in the same hold of queue_mu that made this the head
  }
  impl.Lead(&self, batch, finished);
  if (self.exception) std::rethrow_exception(self.exception);
  return self.status;
}

void Database::SubmitTransaction(WriteFn fn, WriteDone done) {
  Impl& impl = *impl_;
  RecordStorageEvent(StorageEvent::kWriteRequest);
  auto w = std::make_unique<PendingWrite>(
      std::make_unique<PendingWrite::Async>(PendingWrite::Async{std::move(fn), std::move(done)}));
  bool no_thread = false;
  {
    absl::MutexLock lock(&impl.queue_mu);
    if (!impl.stopping) {
      try {
        // Each started once; a start that fails (no thread, no memory)
        // refuses this write and is tried again by the next one.
        if (!impl.completer.joinable()) {
          impl.completer = std::thread([&impl] {
            NameThisThread(kThreadDbAnswers);
            impl.CompletionLoop();
          });
        }
        if (!impl.async_writer.joinable()) {
          impl.async_writer = std::thread([&impl] {
            NameThisThread(kThreadDbWriter);
            impl.AsyncWriterLoop();
          });
        }
        impl.queue.push_back(w.get());
        PendingWrite* queued = w.release();
        if (impl.queue.front() == queued) impl.WakeHead();
        return;
      } catch (const std::exception&) {
        no_thread = true;
      }
    }
  }
  std::move(w->async->done)(internal::StorageError(
      no_thread ? "storage error (no thread or memory for the write)"
                : "storage error (the database is closing; nothing was written)"));
}

void Database::Impl::WakeHead() {
  PendingWrite* head = queue.front();
  // An asynchronous head has no thread: the writer thread leads for it
  // (it waits on queue_mu's condition, AsyncWriterLoop).
  if (head->async == nullptr) head->cv.Signal();
}

void Database::Impl::AsyncWriterLoop() {
  std::vector<PendingWrite*> batch;
  std::vector<PendingWrite*> finished;
  batch.reserve(internal::kMaxBatch);
  finished.reserve(internal::kMaxBatch);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu) {
    return queue.empty() ? stopping : queue.front()->async != nullptr;
  };
  while (true) {
    {
      absl::MutexLock lock(&queue_mu);
      queue_mu.Await(absl::Condition(&ready));
      if (queue.empty()) return;  // stopping, and every write has run
      TakeBatch(batch);
    }
    Lead(nullptr, batch, finished);
  }
}

void Database::Impl::StopAsyncWriter() {
  {
    absl::MutexLock lock(&queue_mu);
    stopping = true;
  }
  if (async_writer.joinable()) async_writer.join();
  // Then the completions of the last batches (a completion that submits
  // again is answered at once: the queue is closed).
  {
    absl::MutexLock lock(&completion_mu);
    completions_stopping = true;
  }
  if (completer.joinable()) completer.join();
}

void Database::Impl::TakeBatch(std::vector<PendingWrite*>& batch) {
  const size_t n = std::min(queue.size(), static_cast<size_t>(internal::kMaxBatch));
  batch.assign(queue.begin(), queue.begin() + n);  // within capacity
}

void Database::Impl::Lead(PendingWrite* self, std::vector<PendingWrite*>& batch,
                          std::vector<PendingWrite*>& finished) {
  finished.clear();
  // Callers arriving from now on queue behind the batch (which stays in the
  // queue until done), so they wait for the next head.
  {
    absl::MutexLock lock(&writer_mu);
    RecordStorageEvent(StorageEvent::kWriteBatch);
    // After a background checkpoint: copy what was committed while it ran,
    // so this turn's BEGIN starts the WAL over (checkpointer.h).
    if (checkpointer != nullptr) checkpointer->CatchUp(*writer);
    // Odd while the turn runs: SQLite makes a commit visible to new readers
    // inside COMMIT (and may checkpoint before COMMIT returns), so a read
    // taken now may or may not see this turn's writes; a cache must not
    // store or serve anything read at an odd generation.
    write_generation.fetch_add(1, std::memory_order_seq_cst);
    if (const int f = fault.load(); internal::Sticky(f)) {
      for (PendingWrite* w : batch) {
        Note(internal::FaultStatus(f), /*from_storage=*/true);
        w->status = internal::FaultStatus(f);
      }
    } else if (batch.size() == 1) {
      // A lone caller: BEGIN IMMEDIATE; fn; COMMIT, exactly as without
      // batching.
      PendingWrite& lone = *batch.front();
      try {
        lone.status = Run(*writer, /*write=*/true, lone.fn);
      } catch (...) {
        lone.exception = std::current_exception();
      }
    } else {
      RunBatch(batch);  // sets every caller's result; does not throw
    }
    // Even again: the turn is over (committed, rolled back or refused) and
    // none of its callers has returned yet (read-your-writes for caches
    // keyed on the generation).
    write_generation.fetch_add(1, std::memory_order_seq_cst);
  }
  {
    absl::MutexLock lock(&queue_mu);
    for (PendingWrite* w : batch) {
      queue.pop_front();  // the batch is the queue's head, in order
      if (w == self) continue;
      if (w->async != nullptr) {
        finished.push_back(w);  // within capacity
        continue;
      }
      w->done = true;  // `w` may vanish once queue_mu is released
      w->cv.Signal();
    }
    if (!finished.empty()) {
      // To the completion thread, so this thread can lead the next batch
      // while they finish their calls (one wake-up per batch). Still under
      // queue_mu, so batches hand over in commit order. If it cannot take
      // them (no memory), they run here, below.
      absl::MutexLock completion_lock(&completion_mu);
      try {
        completions.insert(completions.end(), finished.begin(), finished.end());
        finished.clear();
      } catch (const std::exception&) {
      }
    }
    if (!queue.empty()) WakeHead();
  }
  for (PendingWrite* w : finished) Complete(w);  // only when the hand-off failed
}

void Database::Impl::Complete(PendingWrite* w) {
  std::unique_ptr<PendingWrite> owned(w);
  absl::Status status = std::move(w->status);
  // A lone write's exception left its status unset (RunGroup sets a batched
  // one's): no thread to rethrow it in.
  if (w->exception && status.ok()) status = internal::StorageError("storage error (exception)");
  try {
    std::move(w->async->done)(std::move(status));
  } catch (...) {
    // Not ours to handle, and no caller to rethrow it to: the completions
    // after it still run. (A gRPC call's completion answers its call even
    // then: RunWrite's finish answers when dropped unanswered.)
  }
}

void Database::Impl::CompletionLoop() {
  std::vector<PendingWrite*> mine;
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(completion_mu) {
    return !completions.empty() || completions_stopping;
  };
  while (true) {
    {
      absl::MutexLock lock(&completion_mu);
      completion_mu.Await(absl::Condition(&ready));
      if (completions.empty()) return;  // stopping, and every completion ran
      mine.swap(completions);
    }
    // Outside every lock: a completion may finish a gRPC call, or submit.
    for (PendingWrite* w : mine) Complete(w);
    mine.clear();
  }
}

void Database::WaitForPendingWritersForTest(int count) {
  std::pair<Impl*, int> arg(impl_.get(), count);
  // Runs with queue_mu held (Await).
  bool (*reaches)(std::pair<Impl*, int>*) = [](std::pair<Impl*, int>* a)
      ABSL_NO_THREAD_SAFETY_ANALYSIS { return static_cast<int>(a->first->queue.size()) >= a->second; };
  absl::MutexLock lock(&impl_->queue_mu);
  impl_->queue_mu.Await(absl::Condition(reaches, &arg));
}

void Database::Impl::RunBatch(std::vector<PendingWrite*>& batch) {
  size_t next = 0;
  while (next < batch.size()) {
    try {
      next = RunGroup(batch, next);
    } catch (...) {
      // Only allocation can throw, before this group's COMMIT: the groups
      // before it are finished (committed or failed: their callers keep
      // their results); this group's work is rolled back and the callers
      // not yet run are refused. fn's own exceptions are caught in RunGroup.
      internal::Rollback(*writer);
      for (size_t i = next; i < batch.size(); ++i) {
        batch[i]->status = internal::StorageError("storage error");
        RecordStorageEvent(StorageEvent::kRollback);
      }
      return;
    }
  }
}

// One transaction. Each fn runs inside SAVEPOINT; a failed fn is rolled back
// to it, so only its own writes go. If SQLite aborted the whole transaction
// (sqlite3_get_autocommit() true after a fn: SQLITE_FULL, IOERR, NOMEM, or a
// failed RELEASE or ROLLBACK TO of its savepoint), the callers before it
// lost their work and get the error too; the callers after it start a new
// transaction. fn cannot run BEGIN, COMMIT, ROLLBACK or any SAVEPOINT
// statement itself: the connection's guard refuses them while fn runs
// (Connection::InstallGuard), so only SQLite or this code ends the
// transaction or touches kaizen_write.
size_t Database::Impl::RunGroup(std::vector<PendingWrite*>& batch, size_t begin) {
  Connection& db = *writer;
  absl::Status status = internal::BeginImmediate(db, options.busy_timeout);
  if (!status.ok()) {
    Note(status, /*from_storage=*/true);
    for (size_t i = begin; i < batch.size(); ++i) batch[i]->status = status;
    return batch.size();
  }
  std::vector<PendingWrite*> kept;  // fn succeeded; its writes await COMMIT
  kept.reserve(batch.size() - begin);
  size_t i = begin;
  for (; i < batch.size(); ++i) {
    PendingWrite& w = *batch[i];
    bool from_storage = true;
    w.status = Exec(db, "SAVEPOINT kaizen_write");
    if (w.status.ok()) {
      try {
        w.status = CallFn(db, /*write=*/true, w.fn, &from_storage);
      } catch (...) {
        // Not ours to convert: rethrown in the owner's thread.
        w.exception = std::current_exception();
        w.status = internal::StorageError("storage error (exception)");
        from_storage = false;
      }
    }
    if (Aborted(db)) {
      // The work of `kept` went with the transaction: never report it done.
      absl::Status lost = internal::StorageError("storage error (the transaction was aborted)");
      if (w.status.ok()) w.status = lost;
      if (!w.exception) w.status = WriteError(std::move(w.status), from_storage);
      if (!w.exception && from_storage) lost = w.status;  // SQLite's own error
      RecordStorageEvent(StorageEvent::kRollback);
      for (PendingWrite* k : kept) {
        k->status = lost;
        RecordStorageEvent(StorageEvent::kRollback);
      }
      return i + 1;
    }
    // A failed RELEASE or ROLLBACK TO leaves fn's writes in an unknown
    // state inside the transaction: it is compromised.
    absl::Status savepoint;
    const bool fn_ok = w.status.ok();
    if (fn_ok) {
      savepoint = Exec(db, "RELEASE kaizen_write");
      if (savepoint.ok()) {
        kept.push_back(&w);
        continue;
      }
      w.status = savepoint;
      from_storage = true;
    } else {
      // Undo fn's writes only; the savepoint's end leaves the transaction open.
      savepoint = Exec(db, "ROLLBACK TO kaizen_write");
      if (savepoint.ok()) savepoint = Exec(db, "RELEASE kaizen_write");
    }
    RecordStorageEvent(StorageEvent::kRollback);
    if (!w.exception) w.status = WriteError(std::move(w.status), from_storage);
    if (!savepoint.ok() || Aborted(db)) {
      // Roll everything back: the callers before it lost their work, and
      // never get a success for it; the rest restart in a new transaction.
      internal::Rollback(db);
      absl::Status lost = savepoint.ok() ? internal::StorageError(
                                               "storage error (the transaction was aborted)")
                                         : savepoint;
      // A failed ROLLBACK TO is counted here; a failed RELEASE is w's status.
      if (!savepoint.ok() && !fn_ok) Note(lost, /*from_storage=*/true);
      for (PendingWrite* k : kept) {
        k->status = lost;
        RecordStorageEvent(StorageEvent::kRollback);
      }
      return i + 1;
    }
  }
  if (kept.empty()) {
    internal::Rollback(db);
    return i;
  }
  status = CheckFiles();
  if (status.ok()) status = Exec(db, "COMMIT");
  if (!status.ok()) {
    // One COMMIT for all: none of them is durable.
    status = FailWrite(db, std::move(status), /*from_storage=*/true);
    for (PendingWrite* k : kept) k->status = status;
    for (size_t r = 1; r < kept.size(); ++r) RecordStorageEvent(StorageEvent::kRollback);
    return i;
  }
  RecordStorageEvent(StorageEvent::kCommit);
  ClearTransientFault();
  return i;
}

}  // namespace kaizen::storage
