// A test clock that knows whether it is read under the database's write
// lock (issue 15 review, M4 and L4). Each reading is one microsecond after
// the previous one (readings are totally ordered, no real time), and probes
// the file database through its own connection: BEGIN IMMEDIATE with no busy
// timeout is SQLITE_BUSY exactly while a writer (EnrollmentStore::Write,
// which is BEGIN IMMEDIATE) holds the lock. `on_read` (optional) runs after
// each reading, outside the clock's locks, with the reading's number (1 =
// first since construction or Reset) and whether the lock was held; it may
// block, which is how arrival_order_test orders two writers without sleeps.
#ifndef KAIZEN_SERVICES_ENROLLMENT_WRITE_LOCK_CLOCK_H_
#define KAIZEN_SERVICES_ENROLLMENT_WRITE_LOCK_CLOCK_H_

#include <sqlite3.h>

#include <functional>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/util/clock.h"

namespace kaizen::enrollment::testing {

class WriteLockClock final : public Clock {
 public:
  WriteLockClock(const std::string& path, absl::Time start) : start_(start) {
    if (sqlite3_open_v2(path.c_str(), &probe_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      probe_ = nullptr;
    }
  }
  ~WriteLockClock() override { sqlite3_close(probe_); }
  WriteLockClock(const WriteLockClock&) = delete;
  WriteLockClock& operator=(const WriteLockClock&) = delete;

  absl::Time Now() const override {
    const bool locked = WriteLockHeld();
    absl::Time t;
    int n;
    {
      absl::MutexLock l(&mu_);
      ++ticks_;
      n = ++reads_;
      t = start_ + absl::Microseconds(ticks_);
      (locked ? locked_reads_ : unlocked_reads_) += 1;
    }
    if (on_read_) on_read_(n, locked);
    return t;
  }

  // Counts readings from now on; `on_read` as above (set before the
  // readers start).
  void Reset(std::function<void(int, bool)> on_read = nullptr) {
    absl::MutexLock l(&mu_);
    reads_ = locked_reads_ = unlocked_reads_ = 0;
    on_read_ = std::move(on_read);
  }
  int locked_reads() const {
    absl::MutexLock l(&mu_);
    return locked_reads_;
  }
  int unlocked_reads() const {
    absl::MutexLock l(&mu_);
    return unlocked_reads_;
  }
  bool probing() const { return probe_ != nullptr; }

 private:
  bool WriteLockHeld() const {
    absl::MutexLock l(&probe_mu_);
    if (probe_ == nullptr) return false;
    if (sqlite3_exec(probe_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return true;  // SQLITE_BUSY: a writer holds it
    }
    sqlite3_exec(probe_, "ROLLBACK", nullptr, nullptr, nullptr);
    return false;
  }

  const absl::Time start_;
  mutable absl::Mutex probe_mu_;
  sqlite3* probe_ = nullptr;
  mutable absl::Mutex mu_;
  mutable int64_t ticks_ = 0;
  mutable int reads_ = 0;
  mutable int locked_reads_ = 0;
  mutable int unlocked_reads_ = 0;
  std::function<void(int, bool)> on_read_;
};

}  // namespace kaizen::enrollment::testing

#endif  // KAIZEN_SERVICES_ENROLLMENT_WRITE_LOCK_CLOCK_H_
