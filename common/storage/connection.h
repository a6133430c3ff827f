// Internal to common/storage (:database): the connections Database opens,
// each carrying its statement cache (statement_cache.h), and the SQLite
// helpers database.cc and group_commit.cc share.
#ifndef KAIZEN_COMMON_STORAGE_CONNECTION_H_
#define KAIZEN_COMMON_STORAGE_CONNECTION_H_

#include <sqlite3.h>

#include <memory>
#include <string>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/storage/database.h"

namespace kaizen::storage::internal {

// Prepared statements of one connection by SQL text. Used by one thread at a
// time (the connection's), so no lock.
class StatementCache {
 public:
  struct Entry {
    std::unique_ptr<SQLite::Statement> statement;
    sqlite3_stmt* raw = nullptr;  // statement's handle (SQLiteCpp hides it)
    bool in_use = false;
    StatementCache* cache = nullptr;
  };

  explicit StatementCache(sqlite3* db) : db_(db) {}
  // Finalizes every statement; none may be borrowed.
  ~StatementCache() = default;
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The cached statement for `sql`, now in use; nullptr when there is none
  // or it is borrowed already. Throws SQLITE_READONLY (as a read-only reader
  // would) when `reading` and the statement writes.
  Entry* TryBorrow(absl::string_view sql, bool reading);
  // Takes `statement` (just prepared on this connection) into the cache as
  // borrowed, unless the cache is full or already holds its SQL; nullptr
  // (statement left with the caller) otherwise.
  Entry* Adopt(std::unique_ptr<SQLite::Statement>& statement);
  // Resets the statement and clears its bindings. A statement whose result
  // columns changed (SQLite re-prepared it after a schema change, but
  // SQLiteCpp keeps the old column count) is dropped instead.
  void Return(Entry* entry) noexcept;

  int size() const { return static_cast<int>(entries_.size()); }

 private:
  sqlite3* db_;
  // absl's string hash is transparent: lookups by string_view copy nothing.
  absl::flat_hash_map<std::string, std::unique_ptr<Entry>> entries_;
};

// The transaction statements Database runs on a connection (BEGIN,
// BEGIN IMMEDIATE, COMMIT, ROLLBACK and group commit's SAVEPOINT, RELEASE
// and ROLLBACK TO), each prepared once on first use and reset after every
// run, so no read or write parses them again (a read runs BEGIN and COMMIT,
// a lone write BEGIN IMMEDIATE and COMMIT, a write in a batch SAVEPOINT and
// RELEASE as well). They are prepared outside
// any fn, where the guard allows them. Used by the connection's thread only.
class TransactionStatements {
 public:
  explicit TransactionStatements(sqlite3* db) : db_(db) {}
  ~TransactionStatements();
  TransactionStatements(const TransactionStatements&) = delete;
  TransactionStatements& operator=(const TransactionStatements&) = delete;

  // Runs `sql` (one of the statements above; a string that outlives the
  // connection, e.g. a literal: the entry keeps the pointer) to completion:
  // SQLITE_OK or SQLite's error code.
  int Run(const char* sql);

 private:
  struct Entry {
    const char* sql = nullptr;
    sqlite3_stmt* statement = nullptr;
  };
  sqlite3* db_;
  Entry entries_[8];  // seven statements; past eight, sqlite3_exec
};

// A connection opened by Database. SQLite::Database has no virtual
// destructor: always hold and destroy it as a Connection. The cache is a
// member of the derived class, so it is destroyed (its statements
// finalized) before the base closes the handle (sqlite3_close refuses to
// close a connection with live statements).
class Connection : public SQLite::Database {
 public:
  // Opens `options.path` with `flags` and sets the per-connection PRAGMAs
  // database.h lists. Throws SQLite::Exception.
  Connection(const DatabaseOptions& options, int flags);
  ~Connection() = default;

  StatementCache& cache() { return cache_; }
  TransactionStatements& transaction_statements() { return transaction_statements_; }

  // Installs the guard (an authorizer; it runs when SQL is prepared, and
  // costs nothing per execution of a prepared statement). Once, before any
  // statement is cached (installing an authorizer expires them all).
  //  * While in_fn() (a caller's fn runs): transaction statements (BEGIN,
  //    COMMIT, ROLLBACK, END) and every SAVEPOINT, RELEASE and ROLLBACK TO
  //    are refused (SQLITE_AUTH): the transaction and the savepoints around
  //    fn belong to Database, and a fn ending or nesting them would make
  //    group commit report wrong statuses to its neighbours.
  //  * While reading(): SQL that writes is refused: INSERT, UPDATE, DELETE
  //    (temporary tables included), CREATE / DROP / ALTER of anything,
  //    ATTACH, DETACH, ANALYZE, REINDEX, and every PRAGMA but the ones that
  //    only read (ReadOnlyPragma in connection.cc; bare PRAGMA optimize,
  //    incremental_vacuum or wal_checkpoint are refused too). Everything
  //    else (SELECT, table-valued functions such as json_each or
  //    pragma_table_info) is allowed. Cached statements that write are
  //    refused when borrowed (statement_cache.cc). The shared in-memory
  //    connection is reading() during RunReadOnly (instead of toggling
  //    PRAGMA query_only around every read); read-only connections of file
  //    databases always are, so both refuse the same SQL the same way.
  void InstallGuard();
  void set_reading(bool reading) { reading_ = reading; }
  bool reading() const { return reading_; }
  void set_in_fn(bool in_fn) { in_fn_ = in_fn; }
  bool in_fn() const { return in_fn_; }

 private:
  StatementCache cache_;
  TransactionStatements transaction_statements_;
  bool reading_ = false;
  bool in_fn_ = false;
};

// The connection Database hands to `fn` on this thread, while fn runs, so
// CachedStatement can find its cache (a plain SQLite::Database& cannot be
// asked for its dynamic type). Scopes nest.
class ActiveConnection {
 public:
  explicit ActiveConnection(Connection& connection);
  ~ActiveConnection();
  ActiveConnection(const ActiveConnection&) = delete;
  ActiveConnection& operator=(const ActiveConnection&) = delete;
  // nullptr outside any scope.
  static Connection* Get();

 private:
  Connection* previous_;
};

int ExtendedCode(const SQLite::Exception& e);
// A failed call on `db`, with the errno of its last failed system call.
absl::Status StatusFromCode(SQLite::Database& db, int rc);
// Runs one of the transaction statements (TransactionStatements; `sql` a
// string literal).
absl::Status Exec(Connection& db, const char* sql);
// Leaves the connection outside any transaction.
void Rollback(Connection& db) noexcept;
// BEGIN IMMEDIATE, retried while SQLITE_BUSY until `timeout`.
absl::Status BeginImmediate(Connection& db, absl::Duration timeout);

}  // namespace kaizen::storage::internal

#endif  // KAIZEN_COMMON_STORAGE_CONNECTION_H_
