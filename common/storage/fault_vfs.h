// Test-only: a SQLite VFS that forwards to the default one and can fail the
// way a real file system does, so storage tests reach SQLite's real error
// paths without root-only mounts (root ignores file permissions, and a
// read-only or full file system needs mount privileges CI may not have).
#ifndef KAIZEN_COMMON_STORAGE_FAULT_VFS_H_
#define KAIZEN_COMMON_STORAGE_FAULT_VFS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace kaizen::storage::testing {

class FaultVfs {
 public:
  // Registers (not as the default) a VFS called `name`; pass it as
  // DatabaseOptions::vfs. Unregisters on destruction: close databases first.
  explicit FaultVfs(std::string name);
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  const std::string& name() const { return name_; }

  // Main database files open read-only, as the unix VFS does on a
  // read-only mount (open(O_RDWR) fails with EROFS, it retries O_RDONLY).
  void set_read_only_open(bool on) { read_only_open_ = on; }
  // Every write(2) fails with this errno (0: writes pass), mapped as the unix
  // VFS maps it: ENOSPC gives SQLITE_FULL, anything else SQLITE_IOERR_WRITE,
  // and sqlite3_system_errno() reports the errno.
  void set_write_errno(int e);
  // With it, only writes to main database files fail (the WAL, journals and
  // temporary files pass): a disk that fills while commits still fit in
  // the WAL, as a checkpoint (the only writer of the file in WAL mode)
  // meets it.
  void set_main_db_only(bool on) { main_db_only_ = on; }

  // Write calls that reached a WAL file through this VFS (passed or failed).
  int64_t wal_writes() const;

  bool read_only_open() const { return read_only_open_; }
  int write_errno() const { return write_errno_; }
  bool main_db_only() const { return main_db_only_; }

  struct State;  // implementation

 private:
  std::string name_;
  std::atomic<bool> read_only_open_{false};
  std::atomic<int> write_errno_{0};
  std::atomic<bool> main_db_only_{false};
  std::unique_ptr<State> state_;
};

}  // namespace kaizen::storage::testing

#endif  // KAIZEN_COMMON_STORAGE_FAULT_VFS_H_
