// Prepared statements kept per connection, so a hot query is compiled once
// per connection instead of once per call.
//
//   RETURN_IF_ERROR(db.RunReadOnly([&](SQLite::Database& c) -> absl::Status {
//     storage::CachedStatement q(c, "SELECT data FROM cohorts WHERE id = ?");
//     q->bind(1, id);
//     if (!q->executeStep()) return errors::NotFound(...);
//     ...
//   }));
//
// Contract:
//  * The cache belongs to the connection that Database (database.h) opened
//    and hands to `fn` (each connection carries its own); a connection is
//    used by one thread at a time (the writer mutex, the reader pool), so
//    the cache needs no lock. Database marks the connection active on the
//    thread that runs `fn` while it runs; the lookup is one hash of the SQL
//    text, no allocation, no lock.
//  * The key is the SQL text. A statement borrowed and not yet returned
//    (the same SQL used twice at once, e.g. nested loops) is not shared: the
//    second borrower gets a statement of its own, finalized when it is
//    destroyed.
//  * On destruction the statement is reset and its bindings cleared, so no
//    read snapshot or lock outlives the borrower and no value of one call is
//    seen by the next. Destroy it (leave its scope) before `fn` returns.
//  * A connection that Database did not open (a plain SQLite::Database in a
//    test), or Database's connection used outside `fn`, still works: the
//    statement is prepared for this borrower only.
//  * Schema changes are safe: SQLite re-prepares a statement whose schema
//    changed (sqlite3_prepare_v2 semantics). SQLiteCpp remembers the column
//    count it was prepared with, so a statement whose result columns changed
//    (`SELECT *` after ALTER TABLE ADD COLUMN) is dropped from the cache when
//    returned; only the borrower that met the change sees the old count.
//  * On the shared in-memory connection, a cached statement that writes is
//    refused inside RunReadOnly (SQLITE_READONLY, as on a read-only reader).
//  * Errors are SQLiteCpp's exceptions, exactly as with SQLite::Statement;
//    Database turns them into statuses.
//  * At most kMaxCachedStatements per connection; beyond that statements are
//    prepared per borrower (a bound, not an LRU: the hot set is small and
//    fixed in code). Only SQL known at compile time belongs here: SQL built
//    from values would fill the cache with statements used once.
//  * Cached statements are finalized when the connection closes (Database's
//    destructor), before the connection itself.
//  * A plan never depends on the values bound (every connection runs with
//    SQLite's query planner stability guarantee, connection.cc), so binding
//    never re-compiles a cached statement. The price: a partial index is
//    used only where the query itself implies the index's condition, so a
//    query that needs one repeats that condition as a literal
//    (`... AND participant = ?3 AND participant <> ''` for an index
//    `WHERE participant <> ''`).
#ifndef KAIZEN_COMMON_STORAGE_STATEMENT_CACHE_H_
#define KAIZEN_COMMON_STORAGE_STATEMENT_CACHE_H_

#include <memory>

#include "absl/strings/string_view.h"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace kaizen::storage {

inline constexpr int kMaxCachedStatements = 256;

class CachedStatement {
 public:
  // `sql` is one statement (usually a literal).
  CachedStatement(SQLite::Database& db, absl::string_view sql);
  ~CachedStatement();
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;

  SQLite::Statement& operator*() const { return *statement_; }
  SQLite::Statement* operator->() const { return statement_; }

 private:
  SQLite::Statement* statement_ = nullptr;
  // Set when the statement came from the cache (returned on destruction):
  // an internal::StatementCache::Entry (connection.h).
  void* slot_ = nullptr;
  // Set when the statement is this borrower's own (deleted on destruction).
  std::unique_ptr<SQLite::Statement> owned_;
};

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_STATEMENT_CACHE_H_
