#include "common/storage/database.h"

#include <filesystem>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace kaizen::storage {
namespace {

using Fn = absl::FunctionRef<absl::Status(SQLite::Database&)>;

// Symbolic names are safe to show (unlike sqlite3_errmsg, which can quote
// identifiers); the numeric code is the fallback.
std::string CodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",       "ERROR",     "INTERNAL", "PERM",     "ABORT",      "BUSY",
      "LOCKED",   "NOMEM",     "READONLY", "INTERRUPT", "IOERR",     "CORRUPT",
      "NOTFOUND", "FULL",      "CANTOPEN", "PROTOCOL", "EMPTY",      "SCHEMA",
      "TOOBIG",   "CONSTRAINT", "MISMATCH", "MISUSE",  "NOLFS",      "AUTH",
      "FORMAT",   "RANGE",     "NOTADB",   "NOTICE",   "WARNING"};
  const int primary = code & 0xff;
  if (primary >= 0 && primary < static_cast<int>(std::size(kNames))) {
    return absl::StrCat("SQLITE_", kNames[primary]);
  }
  return absl::StrCat("sqlite code ", code);
}

absl::Status StorageError(absl::string_view what) {
  return errors::Error(absl::StatusCode::kInternal, "STORAGE_ERROR", what);
}

absl::Status StatusFromCode(SQLite::Database& db, int rc) {
  return StatusFromException(SQLite::Exception(db.getHandle(), rc));
}

absl::Status Exec(SQLite::Database& db, const char* sql) {
  const int rc = db.tryExec(sql);
  return rc == SQLITE_OK ? absl::OkStatus() : StatusFromCode(db, rc);
}

// Leaves the connection outside any transaction whatever happened; a failed
// ROLLBACK has nothing better to report than the error that caused it.
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
    if ((rc & 0xff) != SQLITE_BUSY ||
        std::chrono::steady_clock::now() >= deadline) {
      return StatusFromCode(db, rc);
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(50));
  }
}

// BEGIN; fn; COMMIT if OK else ROLLBACK. A failed COMMIT (the transaction is
// still open) is rolled back too. Non-standard exceptions are not ours to
// convert, but the connection must not stay inside their transaction.
absl::Status RunTransaction(SQLite::Database& db, bool immediate,
                            absl::Duration timeout, Fn fn) {
  RETURN_IF_ERROR(immediate ? BeginImmediate(db, timeout) : Exec(db, "BEGIN"));
  absl::Status status;
  try {
    status = fn(db);
  } catch (const std::exception& e) {  // SQLite::Exception included.
    status = StatusFromException(e);
  } catch (...) {
    Rollback(db);
    throw;
  }
  if (status.ok()) status = Exec(db, "COMMIT");
  if (!status.ok()) Rollback(db);
  return status;
}

std::unique_ptr<SQLite::Database> OpenConnection(const DatabaseOptions& options,
                                                 int flags) {
  auto db = std::make_unique<SQLite::Database>(options.path, flags);
  db->setBusyTimeout(
      static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
  db->exec("PRAGMA foreign_keys = ON");
  return db;
}

absl::Status SchemaTooNew(int found, int supported) {
  return errors::FailedPrecondition(
      "SCHEMA_TOO_NEW",
      absl::StrCat("database schema version ", found,
                   " is newer than the newest version this binary knows (",
                   supported, "); run a newer binary"),
      {{"database_version", absl::StrCat(found)},
       {"supported_version", absl::StrCat(supported)}});
}

}  // namespace

struct Database::Impl {
  DatabaseOptions options;
  int schema_version = 0;
  // ":memory:" and "" name a database private to one connection, so readers
  // cannot have connections of their own.
  bool single_connection = false;

  absl::Mutex writer_mu;
  std::unique_ptr<SQLite::Database> writer ABSL_PT_GUARDED_BY(writer_mu);

  // Declared after `writer` so they close first and the writer, closing last,
  // can checkpoint and remove the WAL.
  std::vector<std::unique_ptr<SQLite::Database>> readers;
  absl::Mutex pool_mu;
  absl::CondVar pool_cv;
  std::vector<SQLite::Database*> free_readers ABSL_GUARDED_BY(pool_mu);

  // Each step is its own transaction and rereads user_version under the write
  // lock, so processes opening the same file at once never apply a step twice.
  absl::Status Migrate(const Migrations& migrations)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(writer_mu) {
    const int target = static_cast<int>(migrations.size());
    while (true) {
      int version = -1;
      absl::Status status = RunTransaction(
          *writer, /*immediate=*/true, options.busy_timeout,
          [&](SQLite::Database& db) -> absl::Status {
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

  SQLite::Database* AcquireReader() {
    absl::MutexLock lock(&pool_mu);
    while (free_readers.empty()) pool_cv.Wait(&pool_mu);
    SQLite::Database* db = free_readers.back();
    free_readers.pop_back();
    return db;
  }

  void ReleaseReader(SQLite::Database* db) {
    absl::MutexLock lock(&pool_mu);
    free_readers.push_back(db);
    pool_cv.Signal();
  }
};

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const DatabaseOptions& options, const Migrations& migrations) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->single_connection = options.path.empty() || options.path == ":memory:";
  if (!impl->single_connection) {
    // A fresh deployment has no data directory yet; SQLite will not make it.
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(options.path).parent_path(),
                                        ignored);
  }
  try {
    absl::MutexLock lock(&impl->writer_mu);
    impl->writer = OpenConnection(
        options, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    if (!impl->single_connection) {
      // journal_mode answers with the mode in force: a filesystem that cannot
      // do WAL would otherwise silently leave readers blocking the writer.
      if (impl->writer->execAndGet("PRAGMA journal_mode = WAL").getString() !=
          "wal") {
        return StorageError("could not enable the WAL journal");
      }
    }
    RETURN_IF_ERROR(impl->Migrate(migrations));
  } catch (const std::exception& e) {
    return StatusFromException(e);
  }
  if (!impl->single_connection) {
    try {
      // Opened after migrating so that no reader ever sees an old schema.
      for (int i = 0; i < std::max(1, options.reader_connections); ++i) {
        impl->readers.push_back(OpenConnection(options, SQLite::OPEN_READONLY));
      }
    } catch (const std::exception& e) {
      return StatusFromException(e);
    }
    absl::MutexLock lock(&impl->pool_mu);
    for (auto& reader : impl->readers) impl->free_readers.push_back(reader.get());
  }
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<Database>> Database::OpenInMemory(
    const Migrations& migrations) {
  return Open(DatabaseOptions{}, migrations);
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::~Database() = default;

absl::Status Database::RunInTransaction(Fn fn) {
  absl::MutexLock lock(&impl_->writer_mu);
  return RunTransaction(*impl_->writer, /*immediate=*/true,
                        impl_->options.busy_timeout, fn);
}

absl::Status Database::RunReadOnly(Fn fn) {
  if (impl_->single_connection) {
    absl::MutexLock lock(&impl_->writer_mu);
    SQLite::Database& db = *impl_->writer;
    // The shared connection is writable; query_only makes a stray write fail
    // here exactly as it would on a read-only reader of a file database.
    struct QueryOnly {
      SQLite::Database& db;
      explicit QueryOnly(SQLite::Database& d) : db(d) {
        db.tryExec("PRAGMA query_only = ON");
      }
      ~QueryOnly() { db.tryExec("PRAGMA query_only = OFF"); }
    } query_only(db);
    return RunTransaction(db, /*immediate=*/false, impl_->options.busy_timeout,
                          fn);
  }
  SQLite::Database* db = impl_->AcquireReader();
  struct Release {
    Impl& impl;
    SQLite::Database* db;
    ~Release() { impl.ReleaseReader(db); }
  } release{*impl_, db};
  // A deferred BEGIN takes its snapshot at the first read and keeps it until
  // COMMIT, so everything fn reads is from one point in time.
  return RunTransaction(*db, /*immediate=*/false, impl_->options.busy_timeout,
                        fn);
}

int Database::schema_version() const { return impl_->schema_version; }

absl::Status StatusFromException(const std::exception& e) {
  const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&e);
  if (sqlite == nullptr || sqlite->getErrorCode() < 0) {
    // Not from SQLite itself (SQLiteCpp misuse, or fn's own exception): its
    // text is arbitrary, so none of it is passed on.
    return StorageError("storage error");
  }
  // SQLiteCpp leaves the extended code at -1 when built from a bare code.
  const int code = sqlite->getExtendedErrorCode() >= 0
                       ? sqlite->getExtendedErrorCode()
                       : sqlite->getErrorCode();
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:  // A duplicate rowid is a primary key.
      return errors::Error(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                           "a record with the same key already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return errors::FailedPrecondition(
          "CONSTRAINT_VIOLATION", "a foreign key constraint failed");
    case SQLITE_CONSTRAINT_NOTNULL:
      return errors::FailedPrecondition("CONSTRAINT_VIOLATION",
                                        "a NOT NULL constraint failed");
    case SQLITE_CONSTRAINT_CHECK:
      return errors::FailedPrecondition("CONSTRAINT_VIOLATION",
                                        "a CHECK constraint failed");
  }
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return errors::FailedPrecondition("CONSTRAINT_VIOLATION",
                                        "a database constraint failed");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return errors::Error(absl::StatusCode::kAborted, "DATABASE_BUSY",
                           "the database is busy; retry later");
  }
  return StorageError(absl::StrCat("storage error (", CodeName(code), ")"));
}

}  // namespace kaizen::storage
