// SQLite access for every Kaizen service: one discipline for the whole repo.
//
//  * WAL journal, a busy timeout on every connection, foreign keys on.
//  * One writer: RunInTransaction serialises writers in this process (a queue
//    whose head commits a batch of callers at once: group commit, below)
//    and across processes (BEGIN IMMEDIATE, retried while SQLITE_BUSY until the
//    busy timeout), commits when `fn` returns OK and rolls back otherwise
//    (including when `fn` throws).
//  * Readers on their own connections (file databases): RunReadOnly gives `fn`
//    a consistent snapshot (a deferred read transaction). In-memory databases
//    have one connection, shared under the same mutex; a read guard (an
//    authorizer, a C++ flag: no SQL per read) makes writes inside
//    RunReadOnly fail there; the readers of file databases carry the same
//    guard, so both refuse the same SQL (temporary tables and PRAGMAs that
//    act included) with the same INTERNAL STORAGE_ERROR.
//  * Every connection carries a cache of prepared statements
//    (statement_cache.h: CachedStatement).
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
//  * Every connection runs PRAGMA temp_store = MEMORY: the statement
//    journals of group commit's savepoints (page images of rows being
//    written: personal data) and any temporary table stay in memory,
//    never in unlinked files under /var/tmp outside the data volume.
//    Also the cheaper path: spilled to files, they cost a dozen write
//    calls per CreateApplication (docs/benchmarks.md, "sixth look").
//    The price: a sort or a statement journal never spills to disk, so
//    the memory of one statement grows with what it sorts or changes
//    (whole-table sorts and bulk deletes of our few-MB databases: a few MB).
//
// Thread-safe. `fn` must not call back into the same Database (the writer
// mutex is not re-entrant).
#ifndef KAIZEN_COMMON_STORAGE_DATABASE_H_
#define KAIZEN_COMMON_STORAGE_DATABASE_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
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
  // Page size of a database file this Open creates (a power of two,
  // 512-65536); an existing file keeps its own. Smaller pages make a write
  // that lands on random index leaves write fewer bytes (docs/benchmarks.md,
  // eighth look: 2 KiB for enrollment).
  int page_size = 4096;
  // Page cache of the writer connection, KiB (readers keep SQLite's 2 MB):
  // room for a whole group commit, so its dirty pages are not spilled to the
  // WAL before COMMIT and written twice. Grows as used, up to this for a
  // database at least this large. 0 or less: SQLite's default.
  int writer_cache_kib = 16384;
  // File databases: a WAL's frames are written with one call per 120 KiB at
  // each commit's fsync instead of two calls per page as SQLite makes them
  // (common/storage/wal_buffer_vfs.h: a shim over `vfs`; safe because every
  // connection runs with synchronous = FULL). false: SQLite's own writes.
  bool buffer_wal_writes = true;
  // File databases: once the WAL holds this many pages, a background thread
  // copies them into the database file (a PASSIVE checkpoint on its own
  // connection, common/storage/checkpointer.h) instead of the commit that
  // crossed the line doing it while every queued writer waits. 0: SQLite's
  // automatic checkpoint inside that commit (at 1,000 pages). A run copies
  // each page once however often it changed since the last, so a longer WAL
  // copies less per write (index pages and counters change at every write):
  // 8,000 pages (16-35 MB of WAL at 2-4 KiB pages) made creates 15 % faster
  // than 1,000 (docs/benchmarks.md, ninth look).
  int checkpoint_pages = 8000;
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
  // Returns fn's status, or the converted exception it threw (other
  // exceptions are rethrown after the rollback). Refused without running fn
  // while the database is MISSING or CORRUPT; a file found missing before
  // COMMIT rolls back and gives DATABASE_MISSING.
  //
  // Group commit. Concurrent callers are batched into one durable commit
  // (one fsync), LevelDB-style, with no thread of its own: callers queue in
  // arrival order; the caller at the head (the leader) takes up to 128
  // queued callers, runs BEGIN IMMEDIATE once, then each fn inside its own
  // SAVEPOINT: OK releases it, an error (or an exception) rolls back to it,
  // so only that caller's writes are undone and only that caller gets its
  // error. Then the file identity check and ONE COMMIT; every caller wakes
  // with its own result and the next head leads the next batch. A lone
  // caller runs exactly BEGIN IMMEDIATE; fn; COMMIT. What callers see:
  //  * Each caller's writes are all-or-nothing and it gets its own status;
  //    a failing neighbour never fails it. Its fn sees the writes of the
  //    callers before it in the batch (as if they had committed just
  //    before), as serial transactions would.
  //  * A failed BEGIN, missing-file check or COMMIT fails every caller of
  //    the batch whose fn succeeded, with that status: nothing of theirs was
  //    committed. (Callers whose fn failed keep their own error.)
  //  * If a fn's failure made SQLite abort the whole transaction
  //    (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM or an interrupted write
  //    can roll back everything), or its savepoint could not be released
  //    or rolled back to, the whole transaction is rolled back: the callers
  //    before it in the batch lost their work and get that error (never a
  //    success for work that was not committed). The callers after it run
  //    in a new transaction, so a neighbour's failure does not fail them.
  //  * A non-std exception thrown by fn is caught on the leader's thread,
  //    its savepoint rolled back, and rethrown in its caller's thread; the
  //    others in the batch are unaffected.
  //  * fn runs on the leader's thread, not necessarily its caller's: it must
  //    not depend on thread-local state (the caller's principal, a
  //    thread-local cache, a per-thread RNG): capture what it needs by
  //    reference.
  //  * fn cannot touch the transaction: while it runs (batched or alone,
  //    and in RunReadOnly too), BEGIN, COMMIT, END, ROLLBACK and every
  //    SAVEPOINT, RELEASE and ROLLBACK TO are refused when prepared
  //    (SQLiteCpp throws SQLITE_AUTH); uncaught, that caller alone gets
  //    INTERNAL STORAGE_ERROR and its writes are rolled back. Migrations
  //    (DDL, PRAGMA user_version) are not affected.
  //  * Counters (storage_stats.h): commits counts durable commits (batches
  //    that committed), write_requests every call, write_batches every
  //    leader's turn; rollbacks every caller whose writes were discarded.
  // Migrations (Open) and CheckpointAndTruncateWal take the same writer lock
  // as a batch, so they never run inside or between a batch's steps.
  absl::Status RunInTransaction(
      absl::FunctionRef<absl::Status(SQLite::Database&)> fn);

  // RunInTransaction without waiting for it: `fn` joins the same writer
  // queue (same batches, savepoints, faults and counters) and `done` gets
  // what RunInTransaction would have returned once the batch is over (OK:
  // committed and durable). The database's writer thread, started by the
  // first call, leads a batch whose head is such a write; its completion
  // thread runs the `done`s of each batch after the COMMIT, in commit order,
  // outside every lock of the database, while the writer thread leads the
  // next batch. `done` may finish a gRPC call or submit again, but must not
  // wait (the completions of later batches wait behind it). An exception
  // from `fn` other than SQLiteCpp's or std's becomes INTERNAL
  // STORAGE_ERROR (no thread to rethrow it in). After
  // ~Database has begun (or when its threads cannot start) `done` gets
  // INTERNAL STORAGE_ERROR at once, nothing written; writes queued before
  // it are run first.
  using WriteFn = std::function<absl::Status(SQLite::Database&)>;
  using WriteDone = absl::AnyInvocable<void(absl::Status) &&>;
  void SubmitTransaction(WriteFn fn, WriteDone done);

  // Test-only: blocks until at least `count` RunInTransaction callers are
  // queued or running (the leader included). Lets a test build a batch
  // deterministically: hold the leader's fn, wait for the followers, release.
  void WaitForPendingWritersForTest(int count);

  // Background checkpoints finished since Open (DatabaseOptions::
  // checkpoint_pages); 0 without a checkpoint thread.
  uint64_t background_checkpoints() const;
  // Blocks until background_checkpoints() >= n; requires the thread.
  void WaitForBackgroundCheckpointsForTest(uint64_t n) const;

  // Read-only snapshot on a reader connection. Never refused for a fault:
  // a deleted file still reads correctly from the open inode (useful to an
  // operator saving the data), and damaged pages fail by themselves. Waits
  // for a free reader connection (for the shared one of an in-memory
  // database), except inside a util::NoWaitScope (an inline read on gRPC's
  // thread): then a taken connection is UNAVAILABLE at once and the scope
  // reports refused() (common/util/no_wait.h).
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

  // Counts this Database's write turns, twice each: RunInTransaction adds
  // one when a leader's turn (a lone caller or a batch) starts, before
  // BEGIN, and one when it is over (committed, rolled back or refused for a
  // fault), before any of its callers returns. Odd: a turn is running and
  // its commit may already be visible to new readers. Even: none is. So a
  // caller that reads an EVEN generation before a read starts knows: if the
  // generation is still the same later, nothing was written since (and its
  // read saw everything written before). generation_cache.h builds on this.
  // Writes by other processes to the file are not counted (kaizen_outbox,
  // common/notify/outbox_cli.h, writes the outbox table of a running
  // service's file: never cache outbox data). Thread-safe, lock-free.
  uint64_t write_generation() const;

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
