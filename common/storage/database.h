// SQLite access for every Kaizen service: one discipline for the whole repo.
//
//  * WAL journal, a busy timeout on every connection, foreign keys on.
//  * One writer: RunInTransaction serialises writers in this process (a mutex)
//    and across processes (BEGIN IMMEDIATE, retried while SQLITE_BUSY until the
//    busy timeout), commits when `fn` returns OK and rolls back otherwise
//    (including when `fn` throws).
//  * Readers on their own connections (file databases): RunReadOnly gives `fn`
//    a consistent snapshot (a deferred read transaction). In-memory databases
//    have one connection, shared under the same mutex.
//  * Numbered migrations: migrations[i] moves the schema from version i to
//    i + 1 (PRAGMA user_version). Open applies the missing ones, each in its
//    own transaction, and refuses (FAILED_PRECONDITION, reason
//    SCHEMA_TOO_NEW) a database whose version is newer than the code.
//  * SQLiteCpp's exceptions stop here: they become statuses with messages free
//    of SQL. A UNIQUE/PRIMARY KEY violation becomes ALREADY_EXISTS (reason
//    ALREADY_EXISTS), other constraint violations FAILED_PRECONDITION (reason
//    CONSTRAINT_VIOLATION), SQLITE_BUSY/LOCKED past the timeout ABORTED
//    (reason DATABASE_BUSY), anything else INTERNAL (reason STORAGE_ERROR).
//
// Thread-safe. `fn` must not call back into the same Database (the writer
// mutex is not re-entrant).
#ifndef KAIZEN_COMMON_STORAGE_DATABASE_H_
#define KAIZEN_COMMON_STORAGE_DATABASE_H_

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

// Only storage code (database.cc, resource_table, request_ids and each
// service's <svc>_store.cc) includes SQLiteCpp; everyone else sees this
// declaration, so a domain header that includes a store header pulls in no
// SQLite API.
namespace SQLite {
class Database;
}  // namespace SQLite

namespace kaizen::storage {

struct DatabaseOptions {
  // A file path, or ":memory:" for a private in-memory database (tests).
  std::string path = ":memory:";
  // How long a connection waits for a lock before giving up.
  absl::Duration busy_timeout = absl::Seconds(5);
  // Read connections for file databases (ignored in memory). At least 1.
  int reader_connections = 4;
};

// migrations[i] is the SQL script from schema version i to i + 1.
using Migrations = std::vector<std::string>;

class Database {
 public:
  // Opens (creating the file and its directory if needed) and migrates. Errors: FAILED_PRECONDITION
  // SCHEMA_TOO_NEW; INTERNAL STORAGE_ERROR if the file cannot be opened or a
  // migration fails (the failed migration is rolled back).
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const DatabaseOptions& options, const Migrations& migrations);

  // Shorthand for a private in-memory database with these migrations.
  static absl::StatusOr<std::unique_ptr<Database>> OpenInMemory(
      const Migrations& migrations);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Read-modify-write: BEGIN IMMEDIATE; fn; COMMIT if OK else ROLLBACK.
  // Returns fn's status, or the converted exception it threw.
  absl::Status RunInTransaction(
      absl::FunctionRef<absl::Status(SQLite::Database&)> fn);

  // Read-only snapshot on a reader connection.
  absl::Status RunReadOnly(
      absl::FunctionRef<absl::Status(SQLite::Database&)> fn);

  // The schema version after migration.
  int schema_version() const;

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Converts an exception from SQLiteCpp (or any std::exception) into a status
// as described above. Never puts SQL or values in the message.
absl::Status StatusFromException(const std::exception& e);

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_DATABASE_H_
