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
//  * Faults of the file itself are named and remembered (Health()):
//    DATABASE_MISSING (UNAVAILABLE): the file or its -wal was deleted or
//    replaced while open (their st_dev/st_ino are compared with the open
//    ones before every commit and on every Health() call); writes are then
//    refused, because every later commit would go to an unlinked inode and
//    vanish at exit. DATABASE_CORRUPT (DATA_LOSS): SQLITE_CORRUPT/NOTADB;
//    Open runs PRAGMA quick_check and refuses a damaged file. DISK_FULL
//    (RESOURCE_EXHAUSTED, retryable): SQLITE_FULL or ENOSPC.
//    DATABASE_READ_ONLY (UNAVAILABLE): SQLITE_READONLY or EROFS; Open
//    refuses a file it can only open read-only.
//  * Every connection runs PRAGMA synchronous = FULL: an acknowledged commit
//    has been fsync'ed, whatever the distribution's default.
//  * Every connection runs PRAGMA secure_delete = ON: deleted content is
//    overwritten with zeros, not left in free space; after a purge,
//    CheckpointAndTruncateWal() also empties the WAL of older page images.
//    Costs a little more I/O per delete or update.
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
  // What Open does when the file does not exist. false (the default, the
  // "first run" rule): create it only if its directory already exists and
  // holds no trace of this database: no `<path>-wal`, `-shm` or `-journal`
  // file and no `<path>.missing` tombstone (written when a running process
  // noticed the file vanish). Otherwise UNAVAILABLE DATABASE_MISSING naming
  // what was found. A missing directory is never created: a volume that is
  // not mounted, or a data directory deleted under a running server, must
  // not turn into an empty database. true (a service's --init): create the
  // file and its directory, and remove a tombstone.
  bool init = false;
  // Run PRAGMA quick_check at Open (reads the whole file once).
  bool check_at_open = true;
  // DISK_FULL and DATABASE_READ_ONLY clear when a write commits again, or
  // when Health() is called this long after the last such failure, so that
  // a server taken out of rotation gets traffic (and a real write) again.
  absl::Duration fault_recheck_interval = absl::Seconds(10);
  // SQLite VFS name, "" for the default (tests register fault-injecting VFSes).
  std::string vfs;
};

// Reasons of the file faults described above.
inline constexpr char kDatabaseMissing[] = "DATABASE_MISSING";
inline constexpr char kDatabaseCorrupt[] = "DATABASE_CORRUPT";
inline constexpr char kDiskFull[] = "DISK_FULL";
inline constexpr char kDatabaseReadOnly[] = "DATABASE_READ_ONLY";

// migrations[i] is the SQL script from schema version i to i + 1.
using Migrations = std::vector<std::string>;

class Database {
 public:
  // Opens (creating the file as DatabaseOptions::init says), checks and
  // migrates. Errors: UNAVAILABLE DATABASE_MISSING (the first-run rule
  // refused to create the file); DATA_LOSS DATABASE_CORRUPT (quick_check
  // failed, or not a database); UNAVAILABLE DATABASE_READ_ONLY (only a
  // read-only open was possible); FAILED_PRECONDITION SCHEMA_TOO_NEW;
  // INTERNAL STORAGE_ERROR if the file cannot be opened or a migration
  // fails (the failed migration is rolled back). Open registers the database
  // with ProcessStorageHealth() (storage_stats.h) until it is destroyed.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const DatabaseOptions& options, const Migrations& migrations);

  // Shorthand for a private in-memory database with these migrations.
  static absl::StatusOr<std::unique_ptr<Database>> OpenInMemory(
      const Migrations& migrations);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Read-modify-write: BEGIN IMMEDIATE; fn; COMMIT if OK else ROLLBACK.
  // Returns fn's status, or the converted exception it threw. Refused
  // without running fn while the database is MISSING or CORRUPT; a file
  // found missing before COMMIT rolls back and gives DATABASE_MISSING.
  absl::Status RunInTransaction(
      absl::FunctionRef<absl::Status(SQLite::Database&)> fn);

  // Read-only snapshot on a reader connection. Never refused for a fault:
  // a deleted file still reads correctly from the open inode (useful to an
  // operator saving the data), and damaged pages fail by themselves.
  absl::Status RunReadOnly(
      absl::FunctionRef<absl::Status(SQLite::Database&)> fn);

  // Copies every committed page from the WAL into the database file and
  // truncates the WAL to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)). With
  // secure_delete (on for every connection: deleted content is zeroed in
  // its page), this is what makes deleted data unreadable from the files:
  // until then the WAL keeps the page images of earlier commits, deleted
  // rows included. Call it after a commit that deleted personal data (a
  // purge), outside RunInTransaction (it takes the writer lock). Waits for
  // readers on older snapshots up to the busy timeout; if one still holds
  // on, ABORTED DATABASE_BUSY (nothing lost: run it again). OK and nothing
  // done for in-memory databases. Refused while the file is MISSING or
  // CORRUPT.
  absl::Status CheckpointAndTruncateWal();

  // The schema version after migration.
  int schema_version() const;

  // OK, or the fault in force (reasons above). Re-checks the file identity
  // now. MISSING and CORRUPT last until the process restarts; DISK_FULL and
  // READ_ONLY as DatabaseOptions::fault_recheck_interval says. Thread-safe,
  // never waits for a transaction.
  absl::Status Health();

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
