// A SQLite VFS shim that coalesces a WAL's writes (DatabaseOptions::
// buffer_wal_writes, on by default; docs/benchmarks.md, eighth look).
//
// SQLite appends each WAL frame with two write calls (the 24-byte frame
// header, then the page), so a group commit of ~230 frames makes ~460
// system calls on the writer's serial path. Through this shim a WAL file's
// writes that continue where the previous one ended are kept in a buffer
// and written at once, in pieces below the unix VFS's 128 KiB limit per
// call, when SQLite syncs the file (every COMMIT, synchronous = FULL), reads
// it, asks its size, truncates it, sends it a file control or closes it, when
// a write does not continue the buffer, and past 8 MiB.
//
// Why this cannot lose or expose anything:
//   - A connection is buffered only after EnableWalBuffer read back
//     `synchronous` FULL or EXTRA and normal locking (Connection does it after
//     setting FULL); any later `PRAGMA synchronous` with a value turns it
//     off (SQLite announces the PRAGMA to the file before it decides whether
//     to apply it, so the shim never trusts the value), and a `PRAGMA
//     locking_mode` with a value turns it off for good (after exclusive
//     mode SQLite skips the shared write lock for a while). A WAL that
//     SQLite pads to sector boundaries (a file without
//     SQLITE_IOCAP_POWERSAFE_OVERWRITE, e.g. `?psow=0`) is never buffered:
//     the padding frame's tail is written after the sync.
//     Under FULL, SQLite syncs the WAL before it publishes a commit's frames
//     in the WAL index (sqlite3WalFrames: xSync, then walIndexWriteHdr), so
//     no other connection can be pointed at a frame still in a buffer, and a
//     commit whose bytes did not reach the file fails at that sync instead
//     of being acknowledged. Under NORMAL or OFF (frames published unsynced)
//     nothing is buffered.
//   - When the connection releases the WAL write lock, its buffer is
//     dropped, not written: a committed transaction's bytes were written at
//     its sync, so what is left belongs to a rolled-back one (frames SQLite
//     spilled before the rollback), and writing it later could land on top of
//     another writer's commit.
//   - A failed write while flushing is sticky until the write lock is
//     released: every later write and sync of that WAL, and every read of the
//     dropped range, fails with the same error (a full disk stays DISK_FULL).
//     SQLite treats a failed read as the statement's error and may go on with
//     the transaction; this way it can only roll back.
//   - A process killed with bytes in a buffer loses only frames of a commit
//     that had not returned: the same as a kill before SQLite's own writes.
//
// Threading: a file's buffer is touched only through that file and its main
// database file, i.e. by the connection that opened them, which SQLite
// serializes; no lock.
#ifndef KAIZEN_COMMON_STORAGE_WAL_BUFFER_VFS_H_
#define KAIZEN_COMMON_STORAGE_WAL_BUFFER_VFS_H_

#include <string>

struct sqlite3;

namespace kaizen::storage::internal {

// The name of a registered VFS that forwards to `base` ("" = the default VFS
// at the first call) and buffers WAL writes as above. Registered (never as
// the default) once per base and kept for the process's life; `base` is
// looked up by name on every open, so a test VFS may be unregistered and
// registered again under the same name between databases.
std::string WalBufferVfs(const std::string& base);

// Turns buffering on for `db`'s main database when SQLite reports
// `synchronous` FULL or EXTRA and normal locking (and locking_mode was never
// set), and its file was opened through WalBufferVfs; else turns it off.
// Returns whether it is on.
bool EnableWalBuffer(sqlite3* db);

// The shim's own file control (arg: int*, nonzero = on); EnableWalBuffer
// sends it after checking the connection's settings.
inline constexpr int kEnableWalBufferFileControl = 0x4b5a5701;

// Largest single write the shim hands to the VFS below it.
inline constexpr int kWalBufferPiece = 30 * 4096;
// The buffer is written out when it reaches this size, sync or not.
inline constexpr int kWalBufferLimit = 8 << 20;

}  // namespace kaizen::storage::internal

#endif  // KAIZEN_COMMON_STORAGE_WAL_BUFFER_VFS_H_
