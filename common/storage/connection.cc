#include "common/storage/connection.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <initializer_list>

#include "absl/time/clock.h"
#include "common/storage/database_faults.h"
#include "common/storage/wal_buffer_vfs.h"

namespace kaizen::storage::internal {
namespace {

thread_local Connection* t_active = nullptr;

bool In(const char* name, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (sqlite3_stricmp(name, n) == 0) return true;
  }
  return false;
}

// PRAGMAs that only read. SQLite passes the argument as the authorizer's
// second string (nullptr for a bare `PRAGMA x`); `PRAGMA x = v` sets x, so
// of the PRAGMAs that take an argument only those whose argument names what
// to read are allowed. Bare PRAGMAs that act (optimize, incremental_vacuum,
// wal_checkpoint, shrink_memory, ...) are not in the list.
bool ReadOnlyPragma(const char* name, const char* arg) {
  if (name == nullptr) return false;
  if (In(name, {"table_info", "table_xinfo", "table_list", "index_list", "index_info",
                "index_xinfo", "foreign_key_list", "foreign_key_check", "integrity_check",
                "quick_check"})) {
    return true;
  }
  return arg == nullptr &&
         In(name, {"application_id", "user_version", "schema_version", "data_version",
                   "foreign_keys", "journal_mode", "synchronous", "secure_delete", "temp_store",
                   "page_count", "page_size", "max_page_count", "freelist_count", "encoding",
                   "auto_vacuum", "busy_timeout", "cache_size", "query_only",
                   "recursive_triggers", "compile_options", "database_list", "collation_list",
                   "function_list", "module_list", "pragma_list"});
}

// Actions that change the database (any schema, temp included) or the
// connection. Deny-listed, not allow-listed: a read may use anything else
// (table-valued functions set up eponymous virtual tables on first use).
bool Writes(int action, const char* arg1, const char* arg2) {
  switch (action) {
    case SQLITE_UPDATE:
      // SQLite checks an UPDATE of the schema table when a table-valued
      // function (json_each, pragma_table_info) declares its virtual table on
      // the connection's first use of it: nothing is written. User SQL can
      // only update the schema table with PRAGMA writable_schema, itself
      // refused here (and every DDL is refused by its own action below).
      return !In(arg1 != nullptr ? arg1 : "",
                 {"sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"});
    case SQLITE_INSERT:
    case SQLITE_DELETE:
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TEMP_INDEX:
    case SQLITE_CREATE_TEMP_TABLE:
    case SQLITE_CREATE_TEMP_TRIGGER:
    case SQLITE_CREATE_TEMP_VIEW:
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_VTABLE:
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TEMP_INDEX:
    case SQLITE_DROP_TEMP_TABLE:
    case SQLITE_DROP_TEMP_TRIGGER:
    case SQLITE_DROP_TEMP_VIEW:
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_VIEW:
    case SQLITE_DROP_VTABLE:
    case SQLITE_ALTER_TABLE:
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
    case SQLITE_ANALYZE:
    case SQLITE_REINDEX:
    case SQLITE_COPY:
      return true;
    case SQLITE_PRAGMA:
      return !ReadOnlyPragma(arg1, arg2);
    default:  // SELECT, READ, FUNCTION, RECURSIVE, TRANSACTION, SAVEPOINT
      return false;
  }
}

// Runs when SQL is prepared on the connection (Connection::InstallGuard).
int Guard(void* user, int action, const char* arg1, const char* arg2,
          const char* /*database*/, const char* /*trigger*/) {
  const auto* connection = static_cast<const Connection*>(user);
  if (connection->in_fn() && (action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT)) {
    return SQLITE_DENY;
  }
  if (connection->reading() && Writes(action, arg1, arg2)) return SQLITE_DENY;
  return SQLITE_OK;
}

}  // namespace

Connection::Connection(const DatabaseOptions& options, int flags)
    : SQLite::Database(options.path, flags, 0,
                       options.buffer_wal_writes ? WalBufferVfs(options.vfs) : options.vfs),
      cache_(getHandle()),
      transaction_statements_(getHandle()) {
  setBusyTimeout(static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
  // The query planner's stability guarantee: a statement's plan never
  // depends on the values bound to it. Without it SQLite marks a parameter
  // compared with a column that a partial index's WHERE compares with a
  // literal (`state = ?3` beside `... WHERE state = 4`), and re-compiles
  // the statement at every new binding: a cached statement would be parsed
  // and planned again at every use. A query that needs a partial index
  // names the index's condition with the same literal (statement_cache.h).
  sqlite3_db_config(getHandle(), SQLITE_DBCONFIG_ENABLE_QPSG, 1, nullptr);
  exec("PRAGMA foreign_keys = ON");
  // Explicit, so durability never depends on how SQLite was built: FULL
  // fsyncs the WAL at every commit (NORMAL may lose the last commits on a
  // power cut).
  exec("PRAGMA synchronous = FULL");
  // Only now, with FULL read back (wal_buffer_vfs.h).
  if (options.buffer_wal_writes) EnableWalBuffer(getHandle());
  // Deleted and overwritten content is zeroed in the page instead of left in
  // free space, so personal data a purge deleted cannot be read back from
  // the file with a hex editor or a forensic tool. Explicit, whatever the
  // build's default (Debian's is ON; upstream's is OFF). The cost: a delete
  // or update writes the freed bytes too, and freed pages are written
  // rather than merely listed; at our write rates this is noise next to the
  // fsync of every commit.
  exec("PRAGMA secure_delete = ON");
  // Statement journals (group commit's savepoints) and temporary tables in
  // memory: never personal data in unlinked files under /var/tmp, and no
  // write calls for them (database.h).
  exec("PRAGMA temp_store = MEMORY");
}

void Connection::InstallGuard() { sqlite3_set_authorizer(getHandle(), &Guard, this); }

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

TransactionStatements::~TransactionStatements() {
  for (Entry& e : entries_) sqlite3_finalize(e.statement);  // nullptr: a no-op
}

int TransactionStatements::Run(const char* sql) {
  Entry* entry = nullptr;
  for (Entry& e : entries_) {
    if (e.sql == nullptr || e.sql == sql || std::strcmp(e.sql, sql) == 0) {
      entry = &e;
      break;
    }
  }
  if (entry == nullptr) return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);  // full
  if (entry->sql == nullptr) {
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &entry->statement,
                                      nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(entry->statement);
      entry->statement = nullptr;
      return rc;  // not kept: prepared again next time
    }
    entry->sql = sql;
  }
  const int rc = sqlite3_step(entry->statement);
  // A failed step leaves the same code in sqlite3_reset's return and in the
  // connection's error code, which the caller reads (StatusFromCode).
  sqlite3_reset(entry->statement);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

absl::Status Exec(Connection& db, const char* sql) {
  const int rc = db.transaction_statements().Run(sql);
  return rc == SQLITE_OK ? absl::OkStatus() : StatusFromCode(db, rc);
}

// A failed ROLLBACK has nothing better to report than the error that caused
// it.
void Rollback(Connection& db) noexcept {
  if (!sqlite3_get_autocommit(db.getHandle())) db.transaction_statements().Run("ROLLBACK");
}

// The busy handler already waits up to the timeout, but WAL mode can return
// SQLITE_BUSY without calling it (e.g. while another connection recovers the
// WAL), so retry until the same deadline on a clock immune to wall-time jumps.
absl::Status BeginImmediate(Connection& db, absl::Duration timeout) {
  const auto deadline =
      std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  absl::Duration backoff = absl::Milliseconds(1);
  while (true) {
    const int rc = db.transaction_statements().Run("BEGIN IMMEDIATE");
    if (rc == SQLITE_OK) return absl::OkStatus();
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      return StatusFromCode(db, rc);
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(50));
  }
}

}  // namespace kaizen::storage::internal
