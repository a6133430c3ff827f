// Internal to common/storage (:database): Database's state, shared by
// database.cc (open, reads, faults) and group_commit.cc (RunInTransaction).
#ifndef KAIZEN_COMMON_STORAGE_DATABASE_IMPL_H_
#define KAIZEN_COMMON_STORAGE_DATABASE_IMPL_H_

#include <atomic>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/storage/checkpointer.h"
#include "common/storage/connection.h"
#include "common/storage/database.h"
#include "common/storage/database_faults.h"
#include "common/storage/storage_stats.h"

namespace kaizen::storage {
namespace internal {

using Fn = absl::FunctionRef<absl::Status(SQLite::Database&)>;

// One write waiting in the writer queue (group_commit.cc). A
// RunInTransaction call's lives on its caller's stack until `done`; a
// SubmitTransaction call's is allocated, owns its fn and completion
// (`async`), and is deleted once the completion has run.
struct PendingWrite {
  struct Async {
    Database::WriteFn fn;
    Database::WriteDone done;
  };
  explicit PendingWrite(Fn f) : fn(f) {}
  explicit PendingWrite(std::unique_ptr<Async> a) : fn(a->fn), async(std::move(a)) {}
  Fn fn;
  absl::Status status;
  std::exception_ptr exception;  // a non-std exception fn threw
  bool done = false;             // guarded by Impl::queue_mu
  absl::CondVar cv;              // RunInTransaction's caller waits here
  std::unique_ptr<Async> async;  // SubmitTransaction's; null otherwise
};

// Most callers one leader commits at once (group_commit.cc).
inline constexpr int kMaxBatch = 128;

}  // namespace internal

struct Database::Impl {
  DatabaseOptions options;
  int schema_version = 0;
  // ":memory:" and "" name a database private to one connection, so readers
  // cannot have connections of their own.
  bool single_connection = false;

  absl::Mutex writer_mu;
  std::unique_ptr<internal::Connection> writer ABSL_PT_GUARDED_BY(writer_mu);

  // Declared after `writer` so they close first and the writer, closing last,
  // can checkpoint and remove the WAL.
  std::vector<std::unique_ptr<internal::Connection>> readers;
  absl::Mutex pool_mu;
  absl::CondVar pool_cv;
  std::vector<internal::Connection*> free_readers ABSL_GUARDED_BY(pool_mu);
  // File databases with options.checkpoint_pages > 0 (checkpointer.h).
  // Declared after the connections: stops, and closes its own, first.
  std::unique_ptr<internal::Checkpointer> checkpointer;

  // The writer queue of group commit: callers of RunInTransaction in
  // arrival order; the head leads the next batch. Never held together with
  // writer_mu by the same thread except leader -> (release) -> writer_mu.
  absl::Mutex queue_mu;
  std::deque<internal::PendingWrite*> queue ABSL_GUARDED_BY(queue_mu);
  // SubmitTransaction's writes have no thread of their own: when one is at
  // the head of the queue, the writer thread (started by the first
  // SubmitTransaction, joined by ~Database) leads the batch for it. It
  // waits on queue_mu for an asynchronous head, or for `stopping` and an
  // empty queue.
  std::thread async_writer;
  bool stopping ABSL_GUARDED_BY(queue_mu) = false;
  // The completions of asynchronous writes, in commit order, run by the
  // completion thread (started and joined with the writer thread), so the
  // writer thread leads the next batch meanwhile. Taken inside queue_mu
  // (Lead's hand-off, so batches hand over in commit order), never the other
  // way round.
  absl::Mutex completion_mu;
  std::vector<internal::PendingWrite*> completions ABSL_GUARDED_BY(completion_mu);
  bool completions_stopping ABSL_GUARDED_BY(completion_mu) = false;
  std::thread completer;

  // Database::write_generation(): RunInTransaction adds one when a
  // leader's turn starts (odd: a write may be becoming visible) and one
  // when it ends (even), both sequentially consistent.
  std::atomic<uint64_t> write_generation{0};

  // Identity of the open file and of its -wal (file databases), set by Open.
  std::optional<internal::FileId> db_id;
  std::optional<internal::FileId> wal_id;

  // The fault in force. `fault` mirrors `fault_state` for a lock-free check
  // on every commit.
  std::atomic<int> fault{internal::kNoFault};
  absl::Mutex fault_mu;
  int fault_state ABSL_GUARDED_BY(fault_mu) = internal::kNoFault;
  absl::Time fault_at ABSL_GUARDED_BY(fault_mu);

  std::unique_ptr<internal::HealthRegistration> registration;

  // Faults (database.cc).
  void EnterFault(int next);
  void ClearTransientFault();
  absl::Status CurrentFault();
  bool FilesIntact() const;  // two stat() calls; no lock of the database
  absl::Status Health();
  absl::Status CheckFiles();
  void WriteTombstone();
  // Counters and fault state for a failed operation.
  void Note(const absl::Status& status, bool from_storage);

  // fn(db) with `db` active for CachedStatement; SQLiteCpp and std
  // exceptions become statuses (`*from_storage` set), others propagate.
  absl::Status CallFn(internal::Connection& db, bool write, internal::Fn fn,
                      bool* from_storage);
  // The status of a failed write (EROFS reported as a bare I/O error
  // becomes DATABASE_READ_ONLY), with its counters and fault state.
  absl::Status WriteError(absl::Status status, bool from_storage);
  // After a failed write: ROLLBACK, the read-only file system check, the
  // counters. Returns the status to report.
  absl::Status FailWrite(internal::Connection& db, absl::Status status, bool from_storage);
  // BEGIN; fn; COMMIT if OK else ROLLBACK (one transaction, one caller).
  absl::Status Run(internal::Connection& db, bool write, internal::Fn fn);

  // The head of the queue, up to kMaxBatch writes, into `batch` (reserved
  // for kMaxBatch). Taken in the same hold of queue_mu in which the leader
  // found itself (or its asynchronous write) at the head, so a batch is
  // exactly what was queued then: a leader that released the lock first
  // could take writes queued after it became the head.
  void TakeBatch(std::vector<internal::PendingWrite*>& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu);
  // Leads `batch` (TakeBatch; its head is `self`, a RunInTransaction
  // caller, or an asynchronous write with `self` null): runs it, hands the
  // head on and passes the asynchronous writes in it to the completion
  // thread. `finished` is reserved for kMaxBatch by the caller, so nothing
  // allocates while the queue waits for this leader.
  void Lead(internal::PendingWrite* self, std::vector<internal::PendingWrite*>& batch,
            std::vector<internal::PendingWrite*>& finished);
  // Wakes whoever leads for the queue's head (queue not empty).
  void WakeHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu);
  // The writer and completion threads of SubmitTransaction (above).
  void AsyncWriterLoop();
  void CompletionLoop();
  // Runs an asynchronous write's completion and deletes it.
  static void Complete(internal::PendingWrite* w);
  void StopAsyncWriter();

  // Group commit (group_commit.cc): runs `batch` (2+ callers) on the writer,
  // setting each one's status / exception. Does not throw: if allocation
  // fails inside a transaction, the callers of the transactions already
  // finished keep their results and the others get STORAGE_ERROR.
  // Requires writer_mu.
  void RunBatch(std::vector<internal::PendingWrite*>& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer_mu);
  // One transaction over batch[begin, ...): returns where the next one
  // starts (batch.size() when done).
  size_t RunGroup(std::vector<internal::PendingWrite*>& batch, size_t begin)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer_mu);

  absl::Status Migrate(const Migrations& migrations) ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer_mu);
  absl::Status OpenWriter() ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer_mu);
  internal::Connection* AcquireReader();
  void ReleaseReader(internal::Connection* db);
};

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_DATABASE_IMPL_H_
