#include "common/storage/connection.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/time/clock.h"
#include "common/storage/database_faults.h"

namespace kaizen::storage::internal {
namespace {

thread_local Connection* t_active = nullptr;

bool ReadingPragma(const char* name) {
  // PRAGMAs with an argument that only read (SQLite passes the argument as
  // the authorizer's second string; a bare `PRAGMA x` passes none).
  static constexpr const char* kReads[] = {
      "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
      "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"};
  for (const char* read : kReads) {
    if (sqlite3_stricmp(name, read) == 0) return true;
  }
  return false;
}

// Runs when SQL is prepared on the connection; free unless preparing.
int ReadGuard(void* user, int action, const char* arg1, const char* arg2,
              const char* /*database*/, const char* /*trigger*/) {
  if (!static_cast<Connection*>(user)->reading()) return SQLITE_OK;
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      return arg2 == nullptr || (arg1 != nullptr && ReadingPragma(arg1)) ? SQLITE_OK
                                                                         : SQLITE_DENY;
    default:  // INSERT, UPDATE, DELETE, CREATE_*, DROP_*, ALTER, ATTACH, ...
      return SQLITE_DENY;
  }
}

}  // namespace

Connection::Connection(const DatabaseOptions& options, int flags)
    : SQLite::Database(options.path, flags, 0, options.vfs), cache_(getHandle()) {
  setBusyTimeout(static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
  exec("PRAGMA foreign_keys = ON");
  // Explicit, so durability never depends on how SQLite was built: FULL
  // fsyncs the WAL at every commit (NORMAL may lose the last commits on a
  // power cut).
  exec("PRAGMA synchronous = FULL");
  // Deleted and overwritten content is zeroed in the page instead of left in
  // free space, so personal data a purge deleted cannot be read back from
  // the file with a hex editor or a forensic tool. Explicit, whatever the
  // build's default (Debian's is ON; upstream's is OFF). The cost: a delete
  // or update writes the freed bytes too, and freed pages are written
  // rather than merely listed; at our write rates this is noise next to the
  // fsync of every commit.
  exec("PRAGMA secure_delete = ON");
}

void Connection::InstallReadGuard() {
  // Installing an authorizer expires prepared statements: do it before any
  // is cached.
  sqlite3_set_authorizer(getHandle(), &ReadGuard, this);
}

ActiveConnection::ActiveConnection(Connection& connection) : previous_(t_active) {
  t_active = &connection;
}

ActiveConnection::~ActiveConnection() { t_active = previous_; }

Connection* ActiveConnection::Get() { return t_active; }

int ExtendedCode(const SQLite::Exception& e) {
  // SQLiteCpp leaves the extended code at -1 when built from a bare code.
  return e.getExtendedErrorCode() >= 0 ? e.getExtendedErrorCode() : e.getErrorCode();
}

absl::Status StatusFromCode(SQLite::Database& db, int rc) {
  const int extended = sqlite3_extended_errcode(db.getHandle());
  return StatusFromSqlite((extended & 0xff) == (rc & 0xff) ? extended : rc,
                          sqlite3_system_errno(db.getHandle()));
}

absl::Status Exec(SQLite::Database& db, const char* sql) {
  const int rc = db.tryExec(sql);
  return rc == SQLITE_OK ? absl::OkStatus() : StatusFromCode(db, rc);
}

// A failed ROLLBACK has nothing better to report than the error that caused
// it.
void Rollback(SQLite::Database& db) noexcept {
  if (!sqlite3_get_autocommit(db.getHandle())) db.tryExec("ROLLBACK");
}

// The busy handler already waits up to the timeout, but WAL mode can return
// SQLITE_BUSY without calling it (e.g. while another connection recovers the
// WAL), so retry until the same deadline on a clock immune to wall-time jumps.
absl::Status BeginImmediate(SQLite::Database& db, absl::Duration timeout) {
  const auto deadline =
      std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  absl::Duration backoff = absl::Milliseconds(1);
  while (true) {
    const int rc = db.tryExec("BEGIN IMMEDIATE");
    if (rc == SQLITE_OK) return absl::OkStatus();
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      return StatusFromCode(db, rc);
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(50));
  }
}

}  // namespace kaizen::storage::internal
