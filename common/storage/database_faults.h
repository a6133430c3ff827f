// Internal to common/storage (database.cc): how SQLite results and file
// system state become the statuses and fault states database.h documents.
#ifndef KAIZEN_COMMON_STORAGE_DATABASE_FAULTS_H_
#define KAIZEN_COMMON_STORAGE_DATABASE_FAULTS_H_

#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/storage/storage_stats.h"

namespace kaizen::storage::internal {

absl::Status StorageError(absl::string_view what);         // INTERNAL STORAGE_ERROR
absl::Status MissingError(absl::string_view what);         // UNAVAILABLE DATABASE_MISSING
absl::Status CorruptError(absl::string_view what);         // DATA_LOSS DATABASE_CORRUPT
absl::Status DiskFullError();                              // RESOURCE_EXHAUSTED DISK_FULL
absl::Status ReadOnlyError(absl::string_view what);        // UNAVAILABLE DATABASE_READ_ONLY
extern const char kMissingMessage[];
extern const char kCorruptMessage[];
extern const char kReadOnlyMessage[];

// `code` is SQLite's (extended) result code; `sys_errno` the errno of the
// failed system call (sqlite3_system_errno) or 0. EROFS and ENOSPC inside
// SQLITE_IOERR/CANTOPEN become DATABASE_READ_ONLY and DISK_FULL.
absl::Status StatusFromSqlite(int code, int sys_errno);

// A file's identity; a deleted, renamed-away or replaced file changes it.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId& o) const { return dev == o.dev && ino == o.ino; }
};
std::optional<FileId> StatId(const std::string& path);
bool Exists(const std::string& path);
// `<path>.missing`, written when a running process notices its file vanish.
std::string TombstonePath(const std::string& path);

// Whether the file system holding `path` is mounted read-only now. SQLite
// reports a write refused with EROFS as a bare SQLITE_IOERR (and loses the
// errno when it happens at COMMIT), so the storage layer asks the kernel.
bool OnReadOnlyFileSystem(const std::string& path);

// The first-run rule of DatabaseOptions::init: OK means "create the file".
absl::Status MayCreate(const std::string& path);

enum Fault : int { kNoFault = 0, kFaultMissing, kFaultCorrupt, kFaultDiskFull, kFaultReadOnly };
// MISSING and CORRUPT need an operator; the others may go away by themselves.
bool Sticky(int fault);
Fault FaultOf(const absl::Status& status);  // by reason
absl::Status FaultStatus(int fault);        // OK for kNoFault
StorageEvent FaultEvent(int fault);

}  // namespace kaizen::storage::internal

#endif  // KAIZEN_COMMON_STORAGE_DATABASE_FAULTS_H_
