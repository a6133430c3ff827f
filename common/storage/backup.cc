#include "common/storage/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"

namespace kaizen::storage {
namespace {

// --- the catalog: one factory per reason --------------------------------

absl::Status SourceMissing(absl::string_view field, const std::string& path) {
  return errors::Error(absl::StatusCode::kNotFound, kBackupSourceMissing,
                       absl::StrCat("no database file at ", path), {{"field", std::string(field)}});
}
absl::Status DirMissing(absl::string_view field, const std::string& dir) {
  return errors::InvalidField(field, absl::StrCat("the directory ", dir, " does not exist"),
                              kBackupDirMissing);
}
absl::Status TargetExists(const std::string& path) {
  return errors::Error(absl::StatusCode::kAlreadyExists, kBackupTargetExists,
                       absl::StrCat(path, " exists already; it is never overwritten"));
}
absl::Status SameFile() {
  return errors::InvalidField("from", "the backup and the database are the same file",
                              kBackupSameFile);
}
absl::Status Corrupt(const std::string& path, absl::string_view finding) {
  return errors::Error(absl::StatusCode::kDataLoss, kBackupCorrupt,
                       absl::StrCat(path, " failed the integrity check: ", finding));
}
absl::Status InUse(const std::string& path) {
  return errors::FailedPrecondition(
      kDatabaseInUse,
      absl::StrCat(path, " is open in another process: stop the service before restoring"));
}
absl::Status Busy(const std::string& path) {
  return errors::Unavailable(kBackupBusy,
                             absl::StrCat(path, " stayed locked; try again later"));
}
absl::Status Failed(absl::string_view what, const std::string& path, absl::string_view why) {
  return errors::Error(absl::StatusCode::kInternal, kBackupFailed,
                       absl::StrCat("cannot ", what, " ", path, ": ", why));
}
absl::Status SqliteFailed(absl::string_view what, const std::string& path, int rc) {
  return Failed(what, path, sqlite3_errstr(rc));  // symbolic text only, never SQL
}

// --- small helpers ---------------------------------------------------------

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

absl::Status Fsync(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return Failed("open", path, std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Failed("sync", path, std::strerror(err));
  return absl::OkStatus();
}

absl::StatusOr<Db> Open(const std::string& path, int flags, absl::Duration busy_timeout) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return SqliteFailed("open", path, rc);
  sqlite3_busy_timeout(db.get(), static_cast<int>(absl::ToInt64Milliseconds(busy_timeout)));
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

// Runs `sql` and collects the first column of every row as text.
int Query(sqlite3* db, const std::string& sql, std::vector<std::string>* rows) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (rows == nullptr) continue;
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    rows->emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

bool IsBusy(int rc) {
  return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

bool IsNotADatabase(int rc) {
  return (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT;
}

// Copies `src_path` into a new file `tmp` with the backup API, holding one
// read transaction on the source throughout (one snapshot), and leaves the
// copy in rollback-journal mode. Returns pages and steps.
absl::StatusOr<BackupResult> CopyInto(const std::string& src_path, const std::string& tmp,
                                      const BackupOptions& options) {
  absl::StatusOr<Db> src = Open(src_path, SQLITE_OPEN_READONLY, options.busy_timeout);
  if (!src.ok()) return src.status();
  std::vector<std::string> version;
  int rc = Query(src->get(), "BEGIN", nullptr);
  if (rc == SQLITE_OK) rc = Query(src->get(), "PRAGMA user_version", &version);
  if (IsBusy(rc)) return Busy(src_path);
  if (IsNotADatabase(rc)) return Corrupt(src_path, "not a database");
  if (rc != SQLITE_OK) return SqliteFailed("read", src_path, rc);

  absl::StatusOr<Db> dest = Open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 absl::ZeroDuration());
  if (!dest.ok()) return dest.status();
  sqlite3_backup* backup = sqlite3_backup_init(dest->get(), "main", src->get(), "main");
  if (backup == nullptr) return SqliteFailed("copy to", tmp, sqlite3_extended_errcode(dest->get()));
  BackupResult result;
  const absl::Time deadline = absl::Now() + options.busy_timeout;
  for (;;) {
    rc = sqlite3_backup_step(backup, std::max(1, options.pages_per_step));
    ++result.steps;
    if (rc == SQLITE_DONE) break;
    if (IsBusy(rc)) {
      if (absl::Now() > deadline) break;
      sqlite3_sleep(10);  // the source (or copy) is locked: wait, bounded
      continue;
    }
    if (rc != SQLITE_OK) break;
    if (options.on_step) {
      options.on_step(sqlite3_backup_remaining(backup), sqlite3_backup_pagecount(backup));
    }
  }
  result.pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  Query(src->get(), "COMMIT", nullptr);
  if (IsBusy(rc)) return Busy(src_path);
  if (IsNotADatabase(rc)) return Corrupt(src_path, "not a database");
  if (rc != SQLITE_DONE) return SqliteFailed("copy to", tmp, rc);
  std::vector<std::string> mode;
  rc = Query(dest->get(), "PRAGMA journal_mode = DELETE", &mode);
  if (rc != SQLITE_OK) return SqliteFailed("finish", tmp, rc);
  if (!version.empty()) result.user_version = std::atoi(version[0].c_str());
  return result;
}

// POSIX record locks on SQLite's lock bytes (the pending byte, the reserved
// byte and the shared range, from 0x40000000), as a process holding the
// database open keeps them. Sees other processes only.
bool LockBytesHeldElsewhere(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0x40000000;
  lock.l_len = 2 + 510;
  const bool held = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

// Moves (or, with `remove`, deletes) `from` to `to` if it exists.
absl::Status MoveAside(const std::string& from, const std::string& to, bool remove) {
  if (!Exists(from)) return absl::OkStatus();
  const int rc = remove ? ::unlink(from.c_str()) : ::rename(from.c_str(), to.c_str());
  if (rc != 0) return Failed(remove ? "remove" : "move", from, std::strerror(errno));
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> BackupReasons() {
  return {std::string(kBackupSourceMissing), std::string(kBackupDirMissing),
          std::string(kBackupTargetExists),  std::string(kBackupSameFile),
          std::string(kBackupCorrupt),       std::string(kDatabaseInUse),
          std::string(kBackupBusy),          std::string(kBackupFailed)};
}

std::string BackupFileName(const std::string& db_path, absl::Time now) {
  std::string base = db_path.substr(db_path.rfind('/') + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  if (base.empty()) base = "database";
  return absl::StrCat(base, "-", absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()),
                      ".db");
}

absl::StatusOr<VerifyResult> VerifyDatabase(const std::string& path) {
  if (!IsRegularFile(path)) return SourceMissing("path", path);
  absl::StatusOr<Db> db = Open(path, SQLITE_OPEN_READONLY, absl::Seconds(5));
  if (!db.ok()) return db.status();
  std::vector<std::string> findings;
  int rc = Query(db->get(), "PRAGMA integrity_check(20)", &findings);
  if (IsNotADatabase(rc)) return Corrupt(path, "not a database");
  if (rc != SQLITE_OK) return SqliteFailed("check", path, rc);
  if (findings.size() != 1 || findings[0] != "ok") {
    return Corrupt(path, absl::StrCat(findings.size(), " finding(s), the first: ",
                                      findings.empty() ? "none" : findings[0]));
  }
  VerifyResult result;
  result.bytes = FileSize(path);
  std::vector<std::string> rows;
  Query(db->get(), "PRAGMA user_version", &rows);
  if (!rows.empty()) result.user_version = std::atoi(rows[0].c_str());
  std::vector<std::string> tables;
  rc = Query(db->get(),
             "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
             "ORDER BY name",
             &tables);
  if (rc != SQLITE_OK) return SqliteFailed("read", path, rc);
  for (const std::string& table : tables) {
    std::vector<std::string> count;
    rc = Query(db->get(),
               absl::StrCat("SELECT count(*) FROM \"", absl::StrReplaceAll(table, {{"\"", "\"\""}}),
                            "\""),
               &count);
    if (rc != SQLITE_OK || count.empty()) return SqliteFailed("count rows of", path, rc);
    result.table_rows[table] = std::atoll(count[0].c_str());
  }
  return result;
}

namespace {

// Takes SQLite's EXCLUSIVE lock on db_path and keeps it in the returned
// connection (null when there is no file), so no service can open the
// database, write to it and lose those writes to the rename while a restore
// copies: the caller closes it only after the rename. leave_wal: see below.
absl::StatusOr<Db> LockNotInUse(const std::string& db_path, bool leave_wal) {
  if (!Exists(db_path)) return Db();
  absl::StatusOr<Db> db = Open(db_path, SQLITE_OPEN_READWRITE, absl::ZeroDuration());
  if (!db.ok()) return db.status();
  // In exclusive locking mode the first access takes SQLite's EXCLUSIVE lock
  // on the file (for a WAL database too, which then keeps its index in
  // memory); any other connection's shared lock makes that fail at once.
  // After COMMIT the connection keeps the lock until it closes.
  int rc = Query(db->get(), "PRAGMA locking_mode = EXCLUSIVE", nullptr);
  if (rc == SQLITE_OK) rc = Query(db->get(), "BEGIN EXCLUSIVE", nullptr);
  if (rc == SQLITE_OK) rc = Query(db->get(), "COMMIT", nullptr);
  if (IsBusy(rc)) return InUse(db_path);
  if (rc != SQLITE_OK && LockBytesHeldElsewhere(db_path)) return InUse(db_path);
  // Not a database SQLite can lock (a destroyed file being restored over):
  // nobody can use it either; nothing to hold.
  if (rc != SQLITE_OK) return Db();
  if (!leave_wal) return db;
  // Under the lock, a WAL is checkpointed into the file and WAL mode left
  // (the services turn it on again when they open a database): the replaced
  // database is whole on its own, and closing this connection after the
  // rename touches no file by name (a WAL connection deletes "<db>-wal" by
  // name when it closes, which by then would be the restored database's).
  std::vector<std::string> mode;
  rc = Query(db->get(), "PRAGMA journal_mode = DELETE", &mode);
  if (IsBusy(rc)) return InUse(db_path);
  if (rc != SQLITE_OK) return SqliteFailed("checkpoint", db_path, rc);
  if (mode.empty() || mode[0] != "delete") {
    return SqliteFailed("leave WAL mode of", db_path, SQLITE_ERROR);
  }
  return db;
}

}  // namespace

absl::Status CheckNotInUse(const std::string& db_path) {
  // Closing the last connection checkpoints a WAL into the file.
  return LockNotInUse(db_path, /*leave_wal=*/false).status();
}

absl::StatusOr<BackupResult> BackupDatabase(const std::string& db_path,
                                            const std::string& out_path,
                                            const BackupOptions& options) {
  if (!IsRegularFile(db_path)) return SourceMissing("db", db_path);
  const std::string dir = DirOf(out_path);
  if (!IsDirectory(dir)) return DirMissing("out", dir);
  if (Exists(out_path)) return TargetExists(out_path);
  const std::string tmp = absl::StrCat(out_path, ".tmp-", ::getpid());
  ::unlink(tmp.c_str());  // a leftover of a killed run with our pid
  absl::StatusOr<BackupResult> result = CopyInto(db_path, tmp, options);
  absl::Status s = result.status();
  if (s.ok()) {
    absl::StatusOr<VerifyResult> verified = VerifyDatabase(tmp);
    if (!verified.ok()) {
      s = verified.status().code() == absl::StatusCode::kDataLoss
              ? Corrupt(db_path, "its copy did not pass the integrity check")
              : verified.status();
    }
  }
  if (s.ok()) s = Fsync(tmp, false);
  if (s.ok() && Exists(out_path)) s = TargetExists(out_path);
  if (s.ok() && ::rename(tmp.c_str(), out_path.c_str()) != 0) {
    s = Failed("rename to", out_path, std::strerror(errno));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    ::unlink((tmp + "-journal").c_str());
    return s;
  }
  (void)Fsync(dir, true);  // best effort: some file systems refuse it
  result->path = out_path;
  result->bytes = FileSize(out_path);
  return result;
}

absl::StatusOr<RestoreResult> RestoreDatabase(const std::string& from,
                                              const std::string& db_path,
                                              const RestoreOptions& options) {
  if (!IsRegularFile(from)) return SourceMissing("from", from);
  const std::string dir = DirOf(db_path);
  if (!IsDirectory(dir)) return DirMissing("db", dir);
  struct stat a, b;
  if (::stat(from.c_str(), &a) == 0 && ::stat(db_path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
      a.st_ino == b.st_ino) {
    return SameFile();
  }
  // Before: the backup is sound, and nobody uses the target.
  absl::StatusOr<VerifyResult> before = VerifyDatabase(from);
  if (!before.ok()) return before.status();
  // Held until the rename below (closed on every return).
  absl::StatusOr<Db> lock = LockNotInUse(db_path, /*leave_wal=*/true);
  if (!lock.ok()) return lock.status();
  absl::Status s;

  const bool had_db = Exists(db_path);
  RestoreResult result;
  result.db_path = db_path;
  const std::string replaced = absl::StrCat(
      db_path, ".replaced-", absl::FormatTime("%Y%m%dT%H%M%SZ", options.now, absl::UTCTimeZone()));
  if (had_db && !options.force && Exists(replaced)) return TargetExists(replaced);

  const std::string tmp = absl::StrCat(db_path, ".restore-tmp-", ::getpid());
  ::unlink(tmp.c_str());
  absl::StatusOr<BackupResult> copied = CopyInto(from, tmp, options.copy);
  s = copied.status();
  if (s.ok()) s = VerifyDatabase(tmp).status();
  if (s.ok()) s = Fsync(tmp, false);
  // Keep the old file under its new name first (a hard link), so the rename
  // below replaces the target in one step.
  if (s.ok() && had_db && !options.force && ::link(db_path.c_str(), replaced.c_str()) != 0) {
    s = Failed("keep the replaced database as", replaced, std::strerror(errno));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    ::unlink((tmp + "-journal").c_str());
    return s;
  }
  // The old database's side files must not meet the new one: a -wal would
  // be replayed into it. They go with the replaced file (or away).
  for (const char* suffix : {"-wal", "-journal"}) {
    s = MoveAside(db_path + suffix, replaced + suffix, options.force || !had_db);
    if (!s.ok()) return s;
  }
  s = MoveAside(db_path + "-shm", "", /*remove=*/true);
  if (!s.ok()) return s;
  if (::rename(tmp.c_str(), db_path.c_str()) != 0) {
    s = Failed("rename to", db_path, std::strerror(errno));
    ::unlink(tmp.c_str());
    return s;
  }
  // Renaming over a file this process has open and locked is fine on POSIX;
  // the lock stays on the old inode, now the replaced file (or gone).
  lock->reset();
  (void)Fsync(dir, true);
  if (had_db && !options.force) result.replaced_path = replaced;
  // After: the restored database as the service will open it.
  absl::StatusOr<VerifyResult> after = VerifyDatabase(db_path);
  if (!after.ok()) return after.status();
  result.verified = *after;
  return result;
}

}  // namespace kaizen::storage
