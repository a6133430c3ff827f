#include "common/storage/fault_vfs.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace kaizen::storage::testing {

struct FaultVfs::State {
  sqlite3_vfs vfs;       // ours; pAppData points at this State
  sqlite3_vfs* real;     // the default VFS
  FaultVfs* owner;
  std::atomic<int> last_errno{0};
  std::atomic<int64_t> wal_writes{0};
};

namespace {

using State = FaultVfs::State;

// Our file, followed in memory by the real VFS's file.
struct File {
  sqlite3_file base;
  State* state;
  bool main_db;  // opened with SQLITE_OPEN_MAIN_DB
  bool wal;      // opened with SQLITE_OPEN_WAL
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

File* F(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
State* S(sqlite3_vfs* v) { return static_cast<State*>(v->pAppData); }

int Close(sqlite3_file* f) { return F(f)->real()->pMethods->xClose(F(f)->real()); }
int Read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
  return F(f)->real()->pMethods->xRead(F(f)->real(), p, n, off);
}
int Write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off);
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return F(f)->real()->pMethods->xTruncate(F(f)->real(), size);
}
int Sync(sqlite3_file* f, int flags) { return F(f)->real()->pMethods->xSync(F(f)->real(), flags); }
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return F(f)->real()->pMethods->xFileSize(F(f)->real(), size);
}
int Lock(sqlite3_file* f, int l) { return F(f)->real()->pMethods->xLock(F(f)->real(), l); }
int Unlock(sqlite3_file* f, int l) { return F(f)->real()->pMethods->xUnlock(F(f)->real(), l); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return F(f)->real()->pMethods->xCheckReservedLock(F(f)->real(), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return F(f)->real()->pMethods->xFileControl(F(f)->real(), op, arg);
}
int SectorSize(sqlite3_file* f) { return F(f)->real()->pMethods->xSectorSize(F(f)->real()); }
int DeviceCharacteristics(sqlite3_file* f) {
  return F(f)->real()->pMethods->xDeviceCharacteristics(F(f)->real());
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return F(f)->real()->pMethods->xShmMap(F(f)->real(), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return F(f)->real()->pMethods->xShmLock(F(f)->real(), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { F(f)->real()->pMethods->xShmBarrier(F(f)->real()); }
int ShmUnmap(sqlite3_file* f, int del) {
  return F(f)->real()->pMethods->xShmUnmap(F(f)->real(), del);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return F(f)->real()->pMethods->xFetch(F(f)->real(), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return F(f)->real()->pMethods->xUnfetch(F(f)->real(), off, p);
}

const sqlite3_io_methods kMethods = {
    3,        Close,           Read,     Write,    Truncate,   Sync,       FileSize,
    Lock,     Unlock,          CheckReservedLock,  FileControl, SectorSize,
    DeviceCharacteristics,     ShmMap,   ShmLock,  ShmBarrier, ShmUnmap,   Fetch,
    Unfetch};

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags);
int Delete(sqlite3_vfs* v, const char* name, int sync) {
  return S(v)->real->xDelete(S(v)->real, name, sync);
}
int Access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return S(v)->real->xAccess(S(v)->real, name, flags, out);
}
int FullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return S(v)->real->xFullPathname(S(v)->real, name, n, out);
}
int Randomness(sqlite3_vfs* v, int n, char* out) {
  return S(v)->real->xRandomness(S(v)->real, n, out);
}
int Sleep(sqlite3_vfs* v, int us) { return S(v)->real->xSleep(S(v)->real, us); }
int CurrentTime(sqlite3_vfs* v, double* out) { return S(v)->real->xCurrentTime(S(v)->real, out); }
int GetLastError(sqlite3_vfs* v, int n, char* buf) {
  const int e = S(v)->last_errno.load();
  return e != 0 ? e : S(v)->real->xGetLastError(S(v)->real, n, buf);
}
int CurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  return S(v)->real->xCurrentTimeInt64(S(v)->real, out);
}

}  // namespace

namespace {

int Write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  State* s = F(f)->state;
  if (F(f)->wal) s->wal_writes.fetch_add(1);
  const int e = s->owner->write_errno();
  if (e != 0 && (!s->owner->main_db_only() || F(f)->main_db)) {
    s->last_errno = e;
    return e == ENOSPC ? SQLITE_FULL : SQLITE_IOERR_WRITE;
  }
  return F(f)->real()->pMethods->xWrite(F(f)->real(), p, n, off);
}

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  State* s = S(vfs);
  File* f = F(file);
  f->state = s;
  f->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  f->wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (s->owner->read_only_open() && f->main_db) {
    flags = (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_READONLY;
  }
  const int rc = s->real->xOpen(s->real, name, f->real(), flags, out_flags);
  file->pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}

}  // namespace

FaultVfs::FaultVfs(std::string name) : name_(std::move(name)), state_(std::make_unique<State>()) {
  State& s = *state_;
  s.real = sqlite3_vfs_find(nullptr);
  s.owner = this;
  std::memset(&s.vfs, 0, sizeof(s.vfs));
  s.vfs.iVersion = 2;
  s.vfs.szOsFile = static_cast<int>(sizeof(File)) + s.real->szOsFile;
  s.vfs.mxPathname = s.real->mxPathname;
  s.vfs.zName = name_.c_str();
  s.vfs.pAppData = &s;
  s.vfs.xOpen = Open;
  s.vfs.xDelete = Delete;
  s.vfs.xAccess = Access;
  s.vfs.xFullPathname = FullPathname;
  s.vfs.xRandomness = Randomness;
  s.vfs.xSleep = Sleep;
  s.vfs.xCurrentTime = CurrentTime;
  s.vfs.xGetLastError = GetLastError;
  s.vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  sqlite3_vfs_register(&s.vfs, /*makeDflt=*/0);
}

void FaultVfs::set_write_errno(int e) {
  write_errno_ = e;
  state_->last_errno = e;
}

FaultVfs::~FaultVfs() { sqlite3_vfs_unregister(&state_->vfs); }

int64_t FaultVfs::wal_writes() const { return state_->wal_writes.load(); }

}  // namespace kaizen::storage::testing
