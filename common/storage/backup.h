// Online backup and offline restore of one service's SQLite database, for
// the `kaizen_backup` command (tools/backup/README.md).
//
// Backup (the service may keep running and writing):
//   * the source is opened read-only and one read transaction is held for the
//     whole copy, so the copy is one consistent snapshot. In WAL mode (every
//     Kaizen database) readers never block the writer: the service keeps
//     committing while the copy runs; only checkpoints past the snapshot wait
//     until the copy ends;
//   * pages are copied with SQLite's online backup API (sqlite3_backup_step)
//     in chunks of `pages_per_step`, into `<out>.tmp-<pid>` next to `out`;
//   * the copy is switched to a self-contained rollback-journal file
//     (journal_mode DELETE: no -wal/-shm to carry along, readable from
//     read-only media), must pass `PRAGMA integrity_check`, is fsync'ed and
//     renamed to `out`. `out` is never overwritten, and a failed backup leaves
//     no file at `out`.
//
// Restore (the service must be stopped):
//   * the backup must pass `PRAGMA integrity_check` first;
//   * the target must not be in use: restore takes SQLite's exclusive lock on
//     it (no wait). Every open Kaizen connection holds a shared lock in WAL
//     mode, so a running service, even an idle one, makes restore fail with
//     DATABASE_IN_USE. A file SQLite cannot read is checked with the same
//     POSIX locks. A service that deleted its own file and still runs cannot
//     be seen: stop the service before restoring;
//   * the backup is copied (backup API) next to the target, checked again,
//     and renamed over it, so the target is always either the old or the new
//     database. Unless `force`, the old file stays as
//     `<db>.replaced-<UTC time>` (a hard link made before the rename), with
//     its -wal/-journal beside it; the old -shm (an index, rebuilt on open)
//     is removed; with `force` they are all removed;
//   * the restored target passes `PRAGMA integrity_check` again.
//
// Nothing here logs. Errors name files, never their contents. Not
// thread-safe against itself on one target (one operator command at a time).
#ifndef KAIZEN_COMMON_STORAGE_BACKUP_H_
#define KAIZEN_COMMON_STORAGE_BACKUP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kaizen::storage {

// Error reasons (google.rpc.ErrorInfo, domain "kaizen"); listed in
// tools/backup/README.md.
// NOT_FOUND: the database or backup to read does not exist.
inline constexpr absl::string_view kBackupSourceMissing = "BACKUP_SOURCE_MISSING";
// INVALID_ARGUMENT: the directory to write into does not exist.
inline constexpr absl::string_view kBackupDirMissing = "BACKUP_DIR_MISSING";
// ALREADY_EXISTS: the backup file to write exists already.
inline constexpr absl::string_view kBackupTargetExists = "BACKUP_TARGET_EXISTS";
// INVALID_ARGUMENT: restore from a file onto itself.
inline constexpr absl::string_view kBackupSameFile = "BACKUP_SAME_FILE";
// DATA_LOSS: a file is not a database or fails PRAGMA integrity_check.
inline constexpr absl::string_view kBackupCorrupt = "BACKUP_CORRUPT";
// FAILED_PRECONDITION: restore onto a database some process has open.
inline constexpr absl::string_view kDatabaseInUse = "DATABASE_IN_USE";
// UNAVAILABLE: the source stayed locked longer than busy_timeout.
inline constexpr absl::string_view kBackupBusy = "BACKUP_BUSY";
// INTERNAL: SQLite or the file system failed (disk full, I/O error); the
// message has the symbolic SQLite code or errno text only.
inline constexpr absl::string_view kBackupFailed = "BACKUP_FAILED";

// Every reason above (for the README test).
std::vector<std::string> BackupReasons();

struct BackupOptions {
  // Pages copied per sqlite3_backup_step (at least 1).
  int pages_per_step = 1024;
  // How long to keep retrying while the source is locked (SQLITE_BUSY).
  absl::Duration busy_timeout = absl::Seconds(30);
  // Called after every step with the pages still to copy and the total
  // (progress; tests use it to let writers run mid-copy).
  std::function<void(int remaining, int total)> on_step;
};

struct BackupResult {
  std::string path;      // the finished backup
  int64_t bytes = 0;     // its size
  int pages = 0;         // pages copied
  int steps = 0;         // sqlite3_backup_step calls
  int user_version = 0;  // the schema version (PRAGMA user_version)
};

// Copies the database at `db_path` to `out_path` as described above.
// NOT_FOUND BACKUP_SOURCE_MISSING, INVALID_ARGUMENT BACKUP_DIR_MISSING,
// ALREADY_EXISTS BACKUP_TARGET_EXISTS, DATA_LOSS BACKUP_CORRUPT (the copy
// failed its check: the source is damaged), UNAVAILABLE BACKUP_BUSY, INTERNAL
// BACKUP_FAILED.
absl::StatusOr<BackupResult> BackupDatabase(const std::string& db_path,
                                            const std::string& out_path,
                                            const BackupOptions& options = {});

// The file name `--out_dir` uses: the database's base name without its
// extension, '-', the UTC time as 20261129T101500Z, ".db"
// ("/data/enrollment.db" -> "enrollment-20261129T101500Z.db").
std::string BackupFileName(const std::string& db_path, absl::Time now);

struct VerifyResult {
  int user_version = 0;
  int64_t bytes = 0;
  // Rows per table (table names only: no contents).
  std::map<std::string, int64_t> table_rows;
};

// Opens `path` read-only and runs PRAGMA integrity_check. NOT_FOUND
// BACKUP_SOURCE_MISSING; DATA_LOSS BACKUP_CORRUPT when it is not a database
// or the check reports anything but "ok" (the message quotes the first
// finding: page and table names, no row data).
absl::StatusOr<VerifyResult> VerifyDatabase(const std::string& path);

// OK when no process (this one included) has `db_path` open through SQLite
// or holds a POSIX lock on SQLite's lock bytes; FAILED_PRECONDITION
// DATABASE_IN_USE otherwise. OK for a file that does not exist.
absl::Status CheckNotInUse(const std::string& db_path);

struct RestoreOptions {
  // Remove the replaced database instead of keeping it.
  bool force = false;
  // Names `<db>.replaced-<now>`.
  absl::Time now = absl::UnixEpoch();
  BackupOptions copy;
};

struct RestoreResult {
  std::string db_path;
  // Where the replaced database was kept; empty when there was none or with
  // `force`.
  std::string replaced_path;
  VerifyResult verified;  // of the restored database
};

// Replaces `db_path` with the backup `from` as described above. Errors as
// BackupDatabase and VerifyDatabase, plus FAILED_PRECONDITION
// DATABASE_IN_USE, INVALID_ARGUMENT BACKUP_SAME_FILE and ALREADY_EXISTS
// BACKUP_TARGET_EXISTS (the replaced-name is taken).
absl::StatusOr<RestoreResult> RestoreDatabase(const std::string& from,
                                              const std::string& db_path,
                                              const RestoreOptions& options);

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_BACKUP_H_
