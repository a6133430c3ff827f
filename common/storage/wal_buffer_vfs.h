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
//   - Only frames of a connection whose main database was set to
//     `PRAGMA synchronous = FULL` or EXTRA are buffered (the shim watches
//     that PRAGMA; every Kaizen connection sets FULL, connection.cc). Under
//     FULL, SQLite syncs the WAL before it publishes a commit's frames in the
//     WAL index (sqlite3WalFrames: xSync, then walIndexWriteHdr), so no other
//     connection can be pointed at a frame still in a buffer, and a commit
//     whose bytes did not reach the file fails (its xSync reports the write's
//     error) instead of being acknowledged. Under NORMAL or OFF nothing is
//     buffered: those publish frames that were never synced.
//   - A failed write is reported by the call that flushed (xSync, xRead,
//     ...), so SQLite fails and rolls back the transaction those frames
//     belonged to; the buffer is dropped either way (SQLite rewrites from
//     its last published frame).
//   - A process killed with bytes in a buffer loses only frames of a commit
//     that had not returned: the same as a kill before SQLite's own writes.
//
// Threading: a file's buffer is touched only through that file, i.e. by the
// connection that opened it, which SQLite serializes; no lock.
#ifndef KAIZEN_COMMON_STORAGE_WAL_BUFFER_VFS_H_
#define KAIZEN_COMMON_STORAGE_WAL_BUFFER_VFS_H_

#include <string>

namespace kaizen::storage::internal {

// The name of a registered VFS that forwards to `base` ("" = the default VFS
// at the first call) and buffers WAL writes as above. Registered (never as
// the default) once per base and kept for the process's life; `base` is
// looked up by name on every open, so a test VFS may be unregistered and
// registered again under the same name between databases.
std::string WalBufferVfs(const std::string& base);

// Largest single write the shim hands to the VFS below it.
inline constexpr int kWalBufferPiece = 30 * 4096;
// The buffer is written out when it reaches this size, sync or not.
inline constexpr int kWalBufferLimit = 8 << 20;

}  // namespace kaizen::storage::internal

#endif  // KAIZEN_COMMON_STORAGE_WAL_BUFFER_VFS_H_
