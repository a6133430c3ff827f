#include "common/storage/database.h"

#include <sys/stat.h>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <optional>
#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/storage/connection.h"
#include "common/storage/database_faults.h"
#include "common/storage/database_impl.h"
#include "common/storage/storage_stats.h"
#include "common/util/no_wait.h"

namespace kaizen::storage {
namespace {

// SQLite's memory statistics (sqlite3_memory_used, sqlite3_status), which
// nothing reads, take one process-wide mutex around every allocation and
// free SQLite makes, shared by the writer, the readers and the
// checkpointer. Off before any connection opens: sqlite3_config must run
// before SQLite initializes and while no other thread uses it, so at static
// initialization (refused, harmlessly, if SQLite is already initialized).
const bool kMemoryStatisticsOff = [] {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  return true;
}();

using internal::BeginImmediate;
using internal::Connection;
using internal::CorruptError;
using internal::Exec;
using internal::Exists;
using internal::ExtendedCode;
using internal::FaultOf;
using internal::FaultStatus;
using internal::FileId;
using internal::kCorruptMessage;
using internal::kFaultMissing;
using internal::kMissingMessage;
using internal::kNoFault;
using internal::MayCreate;
using internal::kReadOnlyMessage;
using internal::MissingError;
using internal::OnReadOnlyFileSystem;
using internal::ReadOnlyError;
using internal::RecordStorageEvent;
using internal::Rollback;
using internal::StatId;
using internal::StatusFromCode;
using internal::StatusFromSqlite;
using internal::Sticky;
using internal::StorageError;
using internal::StorageEvent;
using internal::TombstonePath;
using Fn = internal::Fn;

absl::Status SchemaTooNew(int found, int supported) {
  return errors::FailedPrecondition(
      "SCHEMA_TOO_NEW",
      absl::StrCat("database schema version ", found,
                   " is newer than the newest version this binary knows (",
                   supported, "); run a newer binary"),
      {{"database_version", absl::StrCat(found)},
       {"supported_version", absl::StrCat(supported)}});
}

absl::Status QuickCheck(SQLite::Database& db) {
  // One row "ok", or up to 100 rows describing the damage (never shown:
  // they can quote table names).
  SQLite::Statement check(db, "PRAGMA quick_check");
  if (!check.executeStep() || check.getColumn(0).getString() != "ok") {
    return CorruptError(
        "the database file failed its integrity check (PRAGMA quick_check); restore it from "
        "a backup");
  }
  return absl::OkStatus();
}

}  // namespace

void Database::Impl::EnterFault(int next) {
  if (next == kNoFault) return;
  {
    absl::MutexLock lock(&fault_mu);
    // A sticky fault is never replaced; a transient one only refreshes.
    if (Sticky(fault_state) || fault_state == next) {
      if (fault_state == next) fault_at = absl::Now();
      return;
    }
    fault_state = next;
    fault_at = absl::Now();
    fault.store(next);
  }
  RecordStorageEvent(internal::FaultEvent(next));
  if (next == kFaultMissing) WriteTombstone();
}

void Database::Impl::ClearTransientFault() {
  if (fault.load(std::memory_order_relaxed) == kNoFault) return;
  absl::MutexLock lock(&fault_mu);
  if (!Sticky(fault_state)) {
    fault_state = kNoFault;
    fault.store(kNoFault);
  }
}

absl::Status Database::Impl::CurrentFault() {
  absl::MutexLock lock(&fault_mu);
  if (fault_state != kNoFault && !Sticky(fault_state) &&
      absl::Now() - fault_at >= options.fault_recheck_interval) {
    fault_state = kNoFault;
    fault.store(kNoFault);
  }
  return FaultStatus(fault_state);
}

// Two stat() calls; no lock of the database.
bool Database::Impl::FilesIntact() const {
  if (!db_id.has_value()) return true;
  std::optional<FileId> now = StatId(options.path);
  if (!now.has_value() || !(*now == *db_id)) return false;
  if (wal_id.has_value()) {
    now = StatId(options.path + "-wal");
    if (!now.has_value() || !(*now == *wal_id)) return false;
  }
  return true;
}

absl::Status Database::Impl::Health() {
  if (!single_connection) CheckFiles().IgnoreError();
  return CurrentFault();
}

absl::Status Database::Impl::CheckFiles() {
  if (fault.load() == kFaultMissing) return MissingError(kMissingMessage);
  if (FilesIntact()) return absl::OkStatus();
  EnterFault(kFaultMissing);
  return MissingError(kMissingMessage);
}

// Best effort (the directory itself may be gone): makes the next start
// refuse to create an empty database in place of the lost one.
void Database::Impl::WriteTombstone() {
  std::FILE* f = std::fopen(TombstonePath(options.path).c_str(), "w");
  if (f == nullptr) return;
  std::fprintf(f,
               "%s was deleted or replaced while a Kaizen server had it open (noticed at "
               "%s). The server refused writes from then on. Restore the file from a "
               "backup and delete this note, or start the server with --init to create an "
               "empty database.\n",
               options.path.c_str(), absl::FormatTime(absl::Now()).c_str());
  std::fclose(f);
}

// Counters and fault state for a failed operation.
void Database::Impl::Note(const absl::Status& status, bool from_storage) {
  const int f = FaultOf(status);
  EnterFault(f);
  if (errors::Reason(status) == "DATABASE_BUSY") {
    RecordStorageEvent(StorageEvent::kBusy);
  } else if (f != kNoFault || (from_storage && status.code() == absl::StatusCode::kInternal)) {
    RecordStorageEvent(StorageEvent::kError);
  }
}

absl::Status Database::Impl::CallFn(Connection& db, bool write, Fn fn, bool* from_storage) {
  internal::ActiveConnection active(db);
  // The guard refuses transaction and savepoint statements while fn runs.
  struct InFn {
    Connection& db;
    const bool previous;
    explicit InFn(Connection& d) : db(d), previous(d.in_fn()) { db.set_in_fn(true); }
    ~InFn() { db.set_in_fn(previous); }
  } in_fn(db);
  try {
    *from_storage = false;
    return fn(db);
  } catch (const SQLite::Exception& e) {
    *from_storage = true;
    if (e.getErrorCode() < 0) return StatusFromException(e);
    const int code = e.getErrorCode() & 0xff;
    if (!write && (code == SQLITE_READONLY || code == SQLITE_AUTH)) {
      // A write on a read-only connection (or refused by the in-memory
      // connection's read guard) is a bug in fn, not a read-only file system.
      return StorageError("storage error (SQLITE_READONLY)");
    }
    if (code == SQLITE_AUTH) {
      // The guard refused BEGIN, COMMIT, ROLLBACK or a SAVEPOINT: a bug in fn.
      return StorageError(
          "storage error (SQLITE_AUTH: fn may not begin, end or nest a transaction)");
    }
    return StatusFromSqlite(ExtendedCode(e), sqlite3_system_errno(db.getHandle()));
  } catch (const std::exception& e) {
    *from_storage = true;
    return StatusFromException(e);
  }
}

absl::Status Database::Impl::WriteError(absl::Status status, bool from_storage) {
  if (from_storage && !single_connection && errors::Reason(status) == "STORAGE_ERROR" &&
      OnReadOnlyFileSystem(options.path)) {
    status = ReadOnlyError(kReadOnlyMessage);
  }
  Note(status, from_storage);
  return status;
}

absl::Status Database::Impl::FailWrite(Connection& db, absl::Status status, bool from_storage) {
  Rollback(db);
  RecordStorageEvent(StorageEvent::kRollback);
  return WriteError(std::move(status), from_storage);
}

// A write checks the file identity before COMMIT. A failed COMMIT (the
// transaction is still open) is rolled back too. Non-standard exceptions are
// not ours to convert, but the connection must not stay inside their
// transaction.
absl::Status Database::Impl::Run(Connection& db, bool write, Fn fn) {
  absl::Status status = write ? BeginImmediate(db, options.busy_timeout) : Exec(db, "BEGIN");
  if (!status.ok()) {
    Note(status, /*from_storage=*/true);
    return status;
  }
  bool from_storage = false;
  try {
    status = CallFn(db, write, fn, &from_storage);
  } catch (...) {
    Rollback(db);
    if (write) RecordStorageEvent(StorageEvent::kRollback);
    throw;
  }
  if (status.ok() && write) {
    status = CheckFiles();
    from_storage = true;
  }
  if (status.ok()) {
    status = Exec(db, "COMMIT");
    from_storage = true;
  }
  if (!status.ok()) {
    if (write) return FailWrite(db, std::move(status), from_storage);
    Rollback(db);
    Note(status, from_storage);
    return status;
  }
  if (write) {
    RecordStorageEvent(StorageEvent::kCommit);
    ClearTransientFault();
  }
  return status;
}

// Each step is its own transaction and rereads user_version under the write
// lock, so processes opening the same file at once never apply a step twice.
absl::Status Database::Impl::Migrate(const Migrations& migrations) {
  const int target = static_cast<int>(migrations.size());
  while (true) {
    int version = -1;
    absl::Status status = Run(
        *writer, /*write=*/true, [&](SQLite::Database& db) -> absl::Status {
          version = db.execAndGet("PRAGMA user_version").getInt();
          if (version > target) return SchemaTooNew(version, target);
          if (version == target) return absl::OkStatus();
          db.exec(migrations[version]);
          db.exec(absl::StrCat("PRAGMA user_version = ", version + 1));
          return absl::OkStatus();
        });
    // version -1: BEGIN failed; > target: too new. Both are already right.
    if (!status.ok() && version >= 0 && version < target) {
      return StorageError(absl::StrCat("schema migration from version ",
                                       version, " to ", version + 1,
                                       " failed: ", status.message()));
    }
    if (!status.ok()) return status;
    if (version == target) {
      schema_version = target;
      return absl::OkStatus();
    }
  }
}

// Creates (as options.init says), opens, checks and switches to WAL.
absl::Status Database::Impl::OpenWriter() {
  int flags = SQLite::OPEN_READWRITE;
  if (single_connection) {
    flags |= SQLite::OPEN_CREATE;
  } else if (!Exists(options.path)) {
    if (options.init) {
      std::error_code ignored;
      std::filesystem::create_directories(
          std::filesystem::path(options.path).parent_path(), ignored);
    } else {
      RETURN_IF_ERROR(MayCreate(options.path));
    }
    flags |= SQLite::OPEN_CREATE;
  }
  writer = std::make_unique<Connection>(options, flags);
  // Before migrating and before any statement is cached. Refuses transaction
  // statements inside fn (migrations included: DDL and PRAGMA user_version
  // pass); in memory, reads share this connection and the guard also
  // refuses writes inside RunReadOnly without a PRAGMA per read.
  writer->InstallGuard();
  if (single_connection) return absl::OkStatus();
  // SQLite quietly falls back to a read-only open (read-only mount or
  // file); the first write would fail much later.
  if (sqlite3_db_readonly(writer->getHandle(), "main") == 1) {
    return ReadOnlyError(
        "the database file can only be opened read-only (a read-only mount or file "
        "permissions); the service needs to write it");
  }
  // Takes effect only on a file with no content yet (a new one): SQLite
  // ignores it for an existing database in WAL mode, and nothing here runs
  // VACUUM or VACUUM INTO on this connection, the only other ways it would
  // apply (an existing file keeps its page size).
  writer->exec(absl::StrCat("PRAGMA page_size = ", options.page_size));
  db_id = StatId(options.path);
  if (options.check_at_open) RETURN_IF_ERROR(QuickCheck(*writer));
  // journal_mode answers with the mode in force: a filesystem that cannot
  // do WAL would otherwise silently leave readers blocking the writer.
  if (writer->execAndGet("PRAGMA journal_mode = WAL").getString() != "wal") {
    return StorageError("could not enable the WAL journal");
  }
  // The writer's page cache holds a whole group commit (up to 128 callers):
  // with SQLite's default 2 MB, a batch of ~34 creates spilled dirty pages
  // to the WAL before COMMIT, wrote them again, and then re-read every frame
  // after the first rewritten one to fix its checksum (~500 read and write
  // calls per such batch). Grows only as used; readers keep the default.
  if (options.writer_cache_kib > 0) {
    writer->exec(absl::StrCat("PRAGMA cache_size = -", options.writer_cache_kib));
  }
  // The file is ours now (existing or created on purpose): an old
  // tombstone has served its purpose.
  std::remove(TombstonePath(options.path).c_str());
  return absl::OkStatus();
}

Connection* Database::Impl::AcquireReader() {
  absl::MutexLock lock(&pool_mu);
  if (free_readers.empty() && !util::MayWait()) return nullptr;
  while (free_readers.empty()) pool_cv.Wait(&pool_mu);
  Connection* db = free_readers.back();
  free_readers.pop_back();
  return db;
}

void Database::Impl::ReleaseReader(Connection* db) {
  absl::MutexLock lock(&pool_mu);
  free_readers.push_back(db);
  pool_cv.Signal();
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const DatabaseOptions& options, const Migrations& migrations) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->single_connection = options.path.empty() || options.path == ":memory:";
  try {
    absl::MutexLock lock(&impl->writer_mu);
    RETURN_IF_ERROR(impl->OpenWriter());
    RETURN_IF_ERROR(impl->Migrate(migrations));
  } catch (const SQLite::Exception& e) {
    return e.getErrorCode() < 0 ? StatusFromException(e)
                                : StatusFromSqlite(ExtendedCode(e), 0);
  } catch (const std::exception& e) {
    return StatusFromException(e);
  }
  if (!impl->single_connection) {
    try {
      // Opened after migrating so that no reader ever sees an old schema.
      for (int i = 0; i < std::max(1, options.reader_connections); ++i) {
        auto reader = std::make_unique<Connection>(options, SQLite::OPEN_READONLY);
        // Always reading: a read-only connection would still create and
        // write temporary tables; the guard refuses exactly what it refuses
        // on the shared in-memory connection.
        reader->set_reading(true);
        reader->InstallGuard();
        impl->readers.push_back(std::move(reader));
      }
    } catch (const std::exception& e) {
      return StatusFromException(e);
    }
    {
      absl::MutexLock lock(&impl->pool_mu);
      for (auto& reader : impl->readers) impl->free_readers.push_back(reader.get());
    }
    // The WAL exists while any connection is open, and keeps its inode.
    impl->wal_id = StatId(options.path + "-wal");
  }
  Impl* raw = impl.get();
  if (!impl->single_connection && options.checkpoint_pages > 0) {
    try {
      absl::MutexLock lock(&impl->writer_mu);  // nothing writes while the hook goes in
      impl->checkpointer = std::make_unique<internal::Checkpointer>(
          options, *impl->writer, options.checkpoint_pages,
          [raw](const absl::Status& failed) { raw->Note(failed, /*from_storage=*/true); });
    } catch (const std::exception& e) {
      return StatusFromException(e);
    }
  }
  impl->registration = internal::RegisterHealthSource([raw] { return raw->Health(); });
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<Database>> Database::OpenInMemory(
    const Migrations& migrations) {
  return Open(DatabaseOptions{}, migrations);
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

// The registration goes first, so no health poll runs on a dying database;
// then the checkpoint thread, whose error report (Note) uses members that
// are destroyed before it would be.
Database::~Database() {
  // First: the writer thread runs what was submitted, with everything else
  // still in place.
  impl_->StopAsyncWriter();
  impl_->registration.reset();
  impl_->checkpointer.reset();
}

absl::Status Database::Health() { return impl_->Health(); }

uint64_t Database::write_generation() const {
  return impl_->write_generation.load(std::memory_order_seq_cst);
}

namespace {

// On a thread that may not wait (util::NoWaitScope: an inline read on
// gRPC's thread), a read whose connection is taken gives up at once with
// ReaderBusy() and the caller runs it again where it may wait.
absl::Status ReaderBusy() {
  util::NoteWaitRefused();
  return absl::UnavailableError("every reader connection is busy");
}

// Locks the shared connection's mutex, waiting for it unless the thread may
// not wait (then false if it is taken). Unannotated for clang's analysis:
// whether it locks depends on the thread, which the analysis cannot follow.
bool LockShared(absl::Mutex& mu) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (util::MayWait()) {
    mu.Lock();
    return true;
  }
  return mu.TryLock();
}

}  // namespace

absl::Status Database::RunReadOnly(Fn fn) {
  if (impl_->single_connection) {
    if (!LockShared(impl_->writer_mu)) return ReaderBusy();
    impl_->writer_mu.AssertHeld();  // for clang's analysis; it is
    struct Unlock {
      absl::Mutex& mu;
      ~Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu.Unlock(); }
    } unlock{impl_->writer_mu};
    Connection& db = *impl_->writer;
    // The shared connection is writable; its read guard makes a stray write
    // fail here exactly as it would on a read-only reader of a file database,
    // at no cost per read (a flag, checked when SQL is prepared or a cached
    // statement borrowed).
    struct Reading {
      Connection& db;
      explicit Reading(Connection& d) : db(d) { db.set_reading(true); }
      ~Reading() { db.set_reading(false); }
    } reading(db);
    return impl_->Run(db, /*write=*/false, fn);
  }
  Connection* db = impl_->AcquireReader();
  if (db == nullptr) return ReaderBusy();
  struct Release {
    Impl& impl;
    Connection* db;
    ~Release() { impl.ReleaseReader(db); }
  } release{*impl_, db};
  // A deferred BEGIN takes its snapshot at the first read and keeps it until
  // COMMIT, so everything fn reads is from one point in time.
  return impl_->Run(*db, /*write=*/false, fn);
}

absl::Status Database::CheckpointAndTruncateWal() {
  if (impl_->single_connection) return absl::OkStatus();  // no WAL in memory
  if (const int fault = impl_->fault.load(); Sticky(fault)) return FaultStatus(fault);
  // Most of the WAL (up to checkpoint_pages pages, and more) is copied first
  // without the writer lock, so writers wait only while the rest is. A
  // failure here fails the TRUNCATE below too, which reports it.
  if (impl_->checkpointer != nullptr) impl_->checkpointer->CopyNow().IgnoreError();
  absl::MutexLock lock(&impl_->writer_mu);
  if (const int fault = impl_->fault.load(); Sticky(fault)) return FaultStatus(fault);
  SQLite::Database& db = *impl_->writer;
  // SQLite refuses a second concurrent checkpoint instead of waiting for it.
  std::optional<absl::MutexLock> background;
  if (impl_->checkpointer != nullptr) background.emplace(&impl_->checkpointer->run_mu());
  try {
    // One row: (busy, frames in the WAL, frames checkpointed). busy = 1 when
    // a reader still held an older snapshot after the busy timeout: some
    // frames could not be copied and the WAL was not truncated.
    SQLite::Statement checkpoint(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (checkpoint.executeStep() && checkpoint.getColumn(0).getInt() != 0) {
      RecordStorageEvent(StorageEvent::kBusy);
      return StatusFromSqlite(SQLITE_BUSY, 0);
    }
  } catch (const SQLite::Exception& e) {
    absl::Status status = e.getErrorCode() < 0
                              ? StatusFromException(e)
                              : StatusFromSqlite(ExtendedCode(e),
                                                 sqlite3_system_errno(db.getHandle()));
    impl_->Note(status, /*from_storage=*/true);
    return status;
  }
  return absl::OkStatus();
}

int Database::schema_version() const { return impl_->schema_version; }

uint64_t Database::background_checkpoints() const {
  return impl_->checkpointer != nullptr ? impl_->checkpointer->runs() : 0;
}

void Database::WaitForBackgroundCheckpointsForTest(uint64_t n) const {
  impl_->checkpointer->WaitForRunsForTest(n);
}

absl::Status StatusFromException(const std::exception& e) {
  const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&e);
  if (sqlite == nullptr || sqlite->getErrorCode() < 0) {
    // Not from SQLite itself (SQLiteCpp misuse, or fn's own exception): its
    // text is arbitrary, so none of it is passed on.
    return StorageError("storage error");
  }
  return StatusFromSqlite(ExtendedCode(*sqlite), 0);
}

}  // namespace kaizen::storage
