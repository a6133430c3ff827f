// Process-wide storage health counters and the process's storage readiness.
//
// Every Database in the process (common/storage/database.h) feeds these
// counters; the metrics exporter reads GlobalStorageStats() and the gRPC
// server's readiness probe calls ProcessStorageHealth(). Both are cheap and
// thread-safe (relaxed atomics; a mutex only around the list of open
// databases).
//
// Counter meanings (monotonic since process start):
//   commits    durable commits (a RunInTransaction batch of one or more
//              callers, a migration step); one fsync each
//   rollbacks  write requests whose writes were discarded, for any reason
//              (including a domain error returned by `fn`)
//   write_requests  RunInTransaction calls (including refused ones)
//   write_batches   leader turns of group commit (database.h): each ran one
//              or more callers; write_requests / write_batches is the mean
//              batch size
//   busy       operations that gave up with DATABASE_BUSY
//   errors     operations that failed because of SQLite or the file system
//              (not `fn`'s own domain errors); the four below are subsets
//   corrupt, disk_full, read_only, missing
//              times a database entered that fault state (a transition,
//              not every refused request), see Database::Health()
//   healthy    ProcessStorageHealth().ok() at the time of the snapshot
#ifndef KAIZEN_COMMON_STORAGE_STORAGE_STATS_H_
#define KAIZEN_COMMON_STORAGE_STORAGE_STATS_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"

namespace kaizen::storage {

struct StorageStatsSnapshot {
  int64_t commits = 0;
  int64_t rollbacks = 0;
  int64_t write_requests = 0;
  int64_t write_batches = 0;
  int64_t busy = 0;
  int64_t errors = 0;
  int64_t corrupt = 0;
  int64_t disk_full = 0;
  int64_t read_only = 0;
  int64_t missing = 0;
  bool healthy = true;
};

StorageStatsSnapshot GlobalStorageStats();

// OK when every open Database of this process is healthy, else the first
// fault found (UNAVAILABLE DATABASE_MISSING, DATA_LOSS DATABASE_CORRUPT,
// RESOURCE_EXHAUSTED DISK_FULL or UNAVAILABLE DATABASE_READ_ONLY). Each call
// re-checks the files (two stat() calls per file database), so a database
// deleted while no request arrives is still noticed. With no open database:
// OK. This is what ServeUntilSignal's readiness probe polls.
absl::Status ProcessStorageHealth();

// For database.cc only.
namespace internal {

enum class StorageEvent {
  kCommit, kRollback, kBusy, kError, kCorrupt, kDiskFull, kReadOnly, kMissing,
  kWriteRequest, kWriteBatch  // keep kWriteBatch last (storage_stats.cc)
};
void RecordStorageEvent(StorageEvent event);

// While the returned handle lives, ProcessStorageHealth() includes `health`.
// `health` must be thread-safe and must not call ProcessStorageHealth.
class HealthRegistration {
 public:
  virtual ~HealthRegistration() = default;
};
std::unique_ptr<HealthRegistration> RegisterHealthSource(
    std::function<absl::Status()> health);

}  // namespace internal
}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_STORAGE_STATS_H_
