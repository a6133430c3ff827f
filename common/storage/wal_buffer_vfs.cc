#include "common/storage/wal_buffer_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <new>
#include <string>

#include "absl/base/attributes.h"
#include "absl/synchronization/mutex.h"

namespace kaizen::storage::internal {
namespace {

// One registered shim (never freed: SQLite keeps a pointer to `vfs`).
struct Shim {
  sqlite3_vfs vfs;
  std::string name;
  std::string base;  // the VFS below, looked up by name
  int real_size;     // room for the base VFS's file after ours
};

// Our file, followed in memory by the base VFS's file. Built with placement
// new in Open, destroyed in Close.
struct File {
  sqlite3_file base;  // first: what SQLite sees
  sqlite3_file* real = nullptr;
  bool wal = false;
  // WAL: its main database file (ours), or null if it is not ours.
  File* main = nullptr;
  // Main database: its open WAL (ours), whose buffer is dropped when this
  // connection releases the WAL write lock.
  File* wal_file = nullptr;
  // Main database: EnableWalBuffer turned buffering on, and no PRAGMA
  // synchronous or locking_mode has been set since.
  bool enabled = false;
  // Main database: a PRAGMA locking_mode was set. SQLite keeps the WAL in
  // exclusive mode (no xShmLock for the write lock, where buffers are
  // dropped) until a write after the switch back, while `PRAGMA
  // locking_mode` already reads "normal": never buffered again.
  bool locking_changed = false;
  // WAL: SQLite pads each commit to a sector boundary (the main file lacked
  // SQLITE_IOCAP_POWERSAFE_OVERWRITE when the WAL was opened, as SQLite
  // checks it then): it syncs inside the last padding frame and writes the
  // rest of it after the sync, committed bytes a buffer would still hold at
  // the unlock. Never buffered.
  bool padded = false;
  // WAL: bytes not yet written, which belong at buf_offset.
  std::string buf;
  sqlite3_int64 buf_offset = 0;
  // WAL: a flush failed (its SQLite error code) and the bytes from
  // lost_from on were dropped. Until the write lock is released every write
  // and sync fails with it, and so does a read of the dropped range: the
  // transaction those bytes belonged to can only roll back.
  int failed = SQLITE_OK;
  sqlite3_int64 lost_from = 0;

  bool Buffering() const { return wal && !padded && main != nullptr && main->enabled; }

  // The write lock is being released: the transaction is over. A committed
  // one was synced, so anything still here belongs to a rolled-back one and
  // must never reach the file (another writer may write there next).
  void Discard() {
    buf.clear();  // keeps its one allocation (Write)
    failed = SQLITE_OK;
    lost_from = 0;
  }
};
static_assert(sizeof(File) % 8 == 0, "the base VFS's file follows ours");

// Room for the limit plus one more write (a frame: 24 bytes + a page of at
// most 64 KiB), so the buffer never reallocates.
constexpr size_t kBufferCapacity = kWalBufferLimit + (64 << 10) + 24;

File* F(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
Shim* S(sqlite3_vfs* v) { return static_cast<Shim*>(v->pAppData); }
sqlite3_vfs* Base(sqlite3_vfs* v) { return sqlite3_vfs_find(S(v)->base.c_str()); }
const sqlite3_io_methods* Real(sqlite3_file* f) { return F(f)->real->pMethods; }

// Writes the buffer out in pieces the unix VFS accepts (it writes at most
// 128 KiB per call: seekAndWriteFd masks the length with 0x1ffff, and a
// longer write fails as SQLITE_FULL). A failure drops the buffer and is
// sticky (File::failed): SQLite rolls back only the statement whose read
// failed, so the transaction must be made to fail at its next write or at
// its COMMIT's sync instead of committing frames that are not in the file.
int Flush(File& f) {
  int rc = SQLITE_OK;
  const size_t size = f.buf.size();
  for (size_t done = 0; done < size && rc == SQLITE_OK; done += kWalBufferPiece) {
    const size_t n = std::min(size - done, static_cast<size_t>(kWalBufferPiece));
    rc = f.real->pMethods->xWrite(f.real, f.buf.data() + done, static_cast<int>(n),
                                  f.buf_offset + static_cast<sqlite3_int64>(done));
  }
  if (rc != SQLITE_OK) {
    f.lost_from = f.failed != SQLITE_OK ? std::min(f.lost_from, f.buf_offset) : f.buf_offset;
    f.failed = rc;
  }
  f.buf.clear();
  return rc;
}

int FlushIfAny(sqlite3_file* file) { return F(file)->buf.empty() ? SQLITE_OK : Flush(*F(file)); }

int Close(sqlite3_file* file) {
  File* f = F(file);
  if (f->wal && f->main != nullptr && f->main->wal_file == f) f->main->wal_file = nullptr;
  if (f->wal_file != nullptr) f->wal_file->main = nullptr;
  const int flushed = FlushIfAny(file);
  const int closed = Real(file)->xClose(f->real);
  f->~File();
  return flushed != SQLITE_OK ? flushed : closed;
}

int Read(sqlite3_file* file, void* p, int n, sqlite3_int64 offset) {
  const File& f = *F(file);
  if (f.failed != SQLITE_OK && offset + n > f.lost_from) return f.failed;
  if (const int rc = FlushIfAny(file); rc != SQLITE_OK) return rc;
  return Real(file)->xRead(F(file)->real, p, n, offset);
}

int Write(sqlite3_file* file, const void* p, int n, sqlite3_int64 offset) {
  File& f = *F(file);
  if (f.failed != SQLITE_OK) return f.failed;
  if (!f.Buffering()) {
    if (const int rc = FlushIfAny(file); rc != SQLITE_OK) return rc;
    return Real(file)->xWrite(f.real, p, n, offset);
  }
  const auto* bytes = static_cast<const char*>(p);
  const sqlite3_int64 end = f.buf_offset + static_cast<sqlite3_int64>(f.buf.size());
  if (!f.buf.empty() && offset >= f.buf_offset && offset + n <= end) {
    // A frame rewritten in place (SQLite updates a page written earlier in
    // the same transaction, or its checksums).
    f.buf.replace(static_cast<size_t>(offset - f.buf_offset), static_cast<size_t>(n), bytes,
                  static_cast<size_t>(n));
    return SQLITE_OK;
  }
  if (!f.buf.empty() && offset != end) {
    if (const int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (f.buf.empty()) f.buf_offset = offset;
  // One allocation for the file's life, never grown or freed: a buffer
  // that grew by doubling and was freed after large transactions, from
  // whichever thread led the group commit, left megabytes in many malloc
  // arenas (enrollment held ~60 MB more after a write burst). Only the
  // pages a transaction touches become resident.
  if (f.buf.capacity() < kBufferCapacity) f.buf.reserve(kBufferCapacity);
  f.buf.append(bytes, static_cast<size_t>(n));
  return f.buf.size() >= static_cast<size_t>(kWalBufferLimit) ? Flush(f) : SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (const int rc = FlushIfAny(file); rc != SQLITE_OK) return rc;
  return Real(file)->xTruncate(F(file)->real, size);
}
int Sync(sqlite3_file* file, int flags) {
  if (F(file)->failed != SQLITE_OK) return F(file)->failed;
  if (const int rc = FlushIfAny(file); rc != SQLITE_OK) return rc;
  return Real(file)->xSync(F(file)->real, flags);
}
int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  if (const int rc = FlushIfAny(file); rc != SQLITE_OK) return rc;
  return Real(file)->xFileSize(F(file)->real, size);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  File& f = *F(file);
  if (op == kEnableWalBufferFileControl && !f.wal) {
    f.enabled = *static_cast<int*>(arg) != 0 && !f.locking_changed;
    *static_cast<int*>(arg) = f.enabled ? 1 : 0;
    return SQLITE_OK;
  }
  if (const int rc = FlushIfAny(file); rc != SQLITE_OK) return rc;
  if (op == SQLITE_FCNTL_PRAGMA && !f.wal) {
    // azArg[1] is the PRAGMA's name, azArg[2] its value (null for a query).
    // SQLite sends this before it checks the value or whether the change is
    // allowed now, so a change can only turn buffering off: on again only
    // through EnableWalBuffer, which reads back what SQLite actually runs.
    char** az = static_cast<char**>(arg);
    if (az[1] != nullptr && az[2] != nullptr) {
      if (sqlite3_stricmp(az[1], "locking_mode") == 0) f.locking_changed = true;
      if (sqlite3_stricmp(az[1], "synchronous") == 0 || f.locking_changed) f.enabled = false;
    }
  }
  return Real(file)->xFileControl(f.real, op, arg);
}
int Lock(sqlite3_file* f, int l) { return Real(f)->xLock(F(f)->real, l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->xUnlock(F(f)->real, l); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->xCheckReservedLock(F(f)->real, out);
}
int SectorSize(sqlite3_file* f) { return Real(f)->xSectorSize(F(f)->real); }
int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->xDeviceCharacteristics(F(f)->real); }
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->xShmMap(F(f)->real, page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  // Slot 0 is the WAL write lock (WAL_WRITE_LOCK in wal.c): dropped before
  // it is released, so no other writer can commit where stale bytes would
  // land.
  File* wal = F(f)->wal_file;
  if (wal != nullptr && offset == 0 && flags == (SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE)) {
    wal->Discard();
  }
  return Real(f)->xShmLock(F(f)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->xShmBarrier(F(f)->real); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->xShmUnmap(F(f)->real, del); }
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  return Real(f)->xFetch(F(f)->real, offset, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->xUnfetch(F(f)->real, offset, p);
}

// Version 3 (the Shm and Fetch methods): Open refuses a file below that
// lacks them.
const sqlite3_io_methods kMethods = {
    3,        Close,           Read,     Write,    Truncate,   Sync,       FileSize,
    Lock,     Unlock,          CheckReservedLock,  FileControl, SectorSize,
    DeviceCharacteristics,     ShmMap,   ShmLock,  ShmBarrier, ShmUnmap,   Fetch,
    Unfetch};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* base = Base(vfs);
  file->pMethods = nullptr;
  if (base == nullptr || base->szOsFile > S(vfs)->real_size) return SQLITE_CANTOPEN;
  File* f = new (file) File();
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  const int rc = base->xOpen(base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || f->real->pMethods == nullptr) {
    f->~File();
    file->pMethods = nullptr;
    return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
  }
  if (f->real->pMethods->iVersion < 3) {
    // Not a base we know how to wrap (the unix VFS and the test VFSes are
    // version 3): refuse rather than forward to methods that are not there.
    f->real->pMethods->xClose(f->real);
    f->~File();
    file->pMethods = nullptr;
    return SQLITE_CANTOPEN;
  }
  f->wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (f->wal && name != nullptr) {
    sqlite3_file* main = sqlite3_database_file_object(name);
    if (main != nullptr && main->pMethods == &kMethods) {
      f->main = F(main);
      f->main->wal_file = f;
      // What sqlite3WalOpen reads right after this open to decide padding.
      f->padded = (main->pMethods->xDeviceCharacteristics(main) &
                   SQLITE_IOCAP_POWERSAFE_OVERWRITE) == 0;
    }
  }
  file->pMethods = &kMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* v, const char* name, int sync) {
  sqlite3_vfs* base = Base(v);
  return base == nullptr ? SQLITE_IOERR_DELETE : base->xDelete(base, name, sync);
}
int Access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  sqlite3_vfs* base = Base(v);
  return base == nullptr ? SQLITE_IOERR_ACCESS : base->xAccess(base, name, flags, out);
}
int FullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  sqlite3_vfs* base = Base(v);
  return base == nullptr ? SQLITE_CANTOPEN : base->xFullPathname(base, name, n, out);
}
int Randomness(sqlite3_vfs* v, int n, char* out) {
  sqlite3_vfs* base = Base(v);
  return base == nullptr ? 0 : base->xRandomness(base, n, out);
}
int Sleep(sqlite3_vfs* v, int us) {
  sqlite3_vfs* base = Base(v);
  return base == nullptr ? 0 : base->xSleep(base, us);
}
int CurrentTime(sqlite3_vfs* v, double* out) {
  sqlite3_vfs* base = Base(v);
  return base == nullptr ? SQLITE_ERROR : base->xCurrentTime(base, out);
}
int GetLastError(sqlite3_vfs* v, int n, char* buf) {
  sqlite3_vfs* base = Base(v);
  return base == nullptr ? 0 : base->xGetLastError(base, n, buf);
}
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  sqlite3_vfs* base = Base(v);
  if (base == nullptr) return SQLITE_ERROR;
  if (base->iVersion >= 2 && base->xCurrentTimeInt64 != nullptr) {
    return base->xCurrentTimeInt64(base, out);
  }
  double days = 0;
  const int rc = base->xCurrentTime(base, &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

// The first column of the first row of `sql` as text ("" if none).
std::string PragmaValue(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return value;
}

}  // namespace

bool EnableWalBuffer(sqlite3* db) {
  const std::string synchronous = PragmaValue(db, "PRAGMA synchronous");
  // 2 is FULL, 3 EXTRA; exclusive locking takes no WAL write lock through
  // xShmLock, where buffers are dropped.
  int on = (synchronous == "2" || synchronous == "3") &&
                   PragmaValue(db, "PRAGMA locking_mode") == "normal"
               ? 1
               : 0;
  // The shim answers with what it turned on (off after a locking_mode change).
  return sqlite3_file_control(db, "main", kEnableWalBufferFileControl, &on) == SQLITE_OK &&
         on == 1;
}

std::string WalBufferVfs(const std::string& base) {
  ABSL_CONST_INIT static absl::Mutex mu(absl::kConstInit);
  static auto* shims = new std::map<std::string, Shim*>();
  absl::MutexLock lock(&mu);
  sqlite3_vfs* real = sqlite3_vfs_find(base.empty() ? nullptr : base.c_str());
  // Unknown: open with the name as given, so the open fails as it would have.
  if (real == nullptr) return base;
  const std::string key = real->zName;
  if (auto it = shims->find(key); it != shims->end()) return it->second->name;
  auto* shim = new Shim();
  shim->name = "kaizen-walbuf-" + key;
  shim->base = key;
  shim->real_size = real->szOsFile;
  sqlite3_vfs& v = shim->vfs;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(File)) + shim->real_size;
  v.mxPathname = real->mxPathname;
  v.zName = shim->name.c_str();
  v.pAppData = shim;
  v.xOpen = Open;
  v.xDelete = Delete;
  v.xAccess = Access;
  v.xFullPathname = FullPathname;
  v.xRandomness = Randomness;
  v.xSleep = Sleep;
  v.xCurrentTime = CurrentTime;
  v.xGetLastError = GetLastError;
  v.xCurrentTimeInt64 = CurrentTimeInt64;
  sqlite3_vfs_register(&v, /*makeDflt=*/0);
  (*shims)[key] = shim;
  return shim->name;
}

}  // namespace kaizen::storage::internal
