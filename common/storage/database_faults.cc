// Classification of SQLite results and file faults for database.cc.
#include "common/storage/database_faults.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <sqlite3.h>

#include <cerrno>
#include <filesystem>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/storage/database.h"

namespace kaizen::storage::internal {
namespace {

// Symbolic names are safe to show (unlike sqlite3_errmsg, which can quote
// identifiers); the numeric code is the fallback.
std::string CodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",       "ERROR",     "INTERNAL", "PERM",     "ABORT",      "BUSY",
      "LOCKED",   "NOMEM",     "READONLY", "INTERRUPT", "IOERR",     "CORRUPT",
      "NOTFOUND", "FULL",      "CANTOPEN", "PROTOCOL", "EMPTY",      "SCHEMA",
      "TOOBIG",   "CONSTRAINT", "MISMATCH", "MISUSE",  "NOLFS",      "AUTH",
      "FORMAT",   "RANGE",     "NOTADB",   "NOTICE",   "WARNING"};
  const int primary = code & 0xff;
  if (primary >= 0 && primary < static_cast<int>(std::size(kNames))) {
    return absl::StrCat("SQLITE_", kNames[primary]);
  }
  return absl::StrCat("sqlite code ", code);
}

}  // namespace

absl::Status StorageError(absl::string_view what) {
  return errors::Error(absl::StatusCode::kInternal, "STORAGE_ERROR", what);
}

absl::Status MissingError(absl::string_view what) {
  return errors::Error(absl::StatusCode::kUnavailable, kDatabaseMissing, what);
}
absl::Status CorruptError(absl::string_view what) {
  return errors::Error(absl::StatusCode::kDataLoss, kDatabaseCorrupt, what);
}
absl::Status DiskFullError() {
  return errors::Error(absl::StatusCode::kResourceExhausted, kDiskFull,
                       "the server's disk is full; retry later");
}
absl::Status ReadOnlyError(absl::string_view what) {
  return errors::Error(absl::StatusCode::kUnavailable, kDatabaseReadOnly, what);
}

const char kMissingMessage[] =
    "the database file was deleted or replaced while the server ran; writes are refused until "
    "an operator restores it and restarts the server";
const char kCorruptMessage[] =
    "the database file is damaged; an operator must restore it from a backup";
const char kReadOnlyMessage[] =
    "the database is read-only on the server (read-only mount or file); retry later";

// The conversion behind StatusFromException, also told the errno of the
// failed system call (sqlite3_system_errno), which SQLite folds into
// SQLITE_IOERR: EROFS and ENOSPC are not generic I/O errors.
absl::Status StatusFromSqlite(int code, int sys_errno) {
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:  // A duplicate rowid is a primary key.
      return errors::Error(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                           "a record with the same key already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return errors::FailedPrecondition(
          "CONSTRAINT_VIOLATION", "a foreign key constraint failed");
    case SQLITE_CONSTRAINT_NOTNULL:
      return errors::FailedPrecondition("CONSTRAINT_VIOLATION",
                                        "a NOT NULL constraint failed");
    case SQLITE_CONSTRAINT_CHECK:
      return errors::FailedPrecondition("CONSTRAINT_VIOLATION",
                                        "a CHECK constraint failed");
    case SQLITE_READONLY_DBMOVED:  // rollback-journal mode's own check
      return MissingError(kMissingMessage);
  }
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return errors::FailedPrecondition("CONSTRAINT_VIOLATION",
                                        "a database constraint failed");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return errors::Error(absl::StatusCode::kAborted, "DATABASE_BUSY",
                           "the database is busy; retry later");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return CorruptError(kCorruptMessage);
    case SQLITE_FULL:
      return DiskFullError();
    case SQLITE_READONLY:
      return ReadOnlyError(kReadOnlyMessage);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      if (sys_errno == EROFS) return ReadOnlyError(kReadOnlyMessage);
      if (sys_errno == ENOSPC || sys_errno == EDQUOT) return DiskFullError();
      break;
  }
  return StorageError(absl::StrCat("storage error (", CodeName(code), ")"));
}

std::optional<FileId> StatId(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string TombstonePath(const std::string& path) { return path + ".missing"; }

absl::Status MayCreate(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return MissingError(absl::StrCat(
        "the database file does not exist and neither does its directory ", dir.string(),
        " (a volume not mounted, or a deleted data directory?); restore it, or start with "
        "--init (KAIZEN_INIT=true) to create an empty database"));
  }
  for (const char* trace : {"-wal", "-shm", "-journal", ".missing"}) {
    const std::string found = path + trace;
    if (Exists(found)) {
      return MissingError(absl::StrCat(
          "the database file does not exist but ", found,
          " does: the database was there before; restore it, or start with --init "
          "(KAIZEN_INIT=true) to create an empty database"));
    }
  }
  return absl::OkStatus();
}

bool Sticky(int fault) { return fault == kFaultMissing || fault == kFaultCorrupt; }

Fault FaultOf(const absl::Status& status) {
  if (status.ok()) return kNoFault;
  const std::string reason = errors::Reason(status);
  if (reason == kDatabaseMissing) return kFaultMissing;
  if (reason == kDatabaseCorrupt) return kFaultCorrupt;
  if (reason == kDiskFull) return kFaultDiskFull;
  if (reason == kDatabaseReadOnly) return kFaultReadOnly;
  return kNoFault;
}

absl::Status FaultStatus(int fault) {
  switch (fault) {
    case kFaultMissing: return MissingError(kMissingMessage);
    case kFaultCorrupt: return CorruptError(kCorruptMessage);
    case kFaultDiskFull: return DiskFullError();
    case kFaultReadOnly: return ReadOnlyError(kReadOnlyMessage);
  }
  return absl::OkStatus();
}

StorageEvent FaultEvent(int fault) {
  switch (fault) {
    case kFaultMissing: return StorageEvent::kMissing;
    case kFaultCorrupt: return StorageEvent::kCorrupt;
    case kFaultDiskFull: return StorageEvent::kDiskFull;
    default: return StorageEvent::kReadOnly;
  }
}

bool OnReadOnlyFileSystem(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  struct statvfs st;
  return ::statvfs(dir.c_str(), &st) == 0 && (st.f_flag & ST_RDONLY) != 0;
}

}  // namespace kaizen::storage::internal
