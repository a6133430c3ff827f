// An injectable clock. Production code takes a Clock*; tests pass a FakeClock
// and move time by hand, so nothing depends on the real time or on sleeps.
#ifndef KAIZEN_COMMON_UTIL_CLOCK_H_
#define KAIZEN_COMMON_UTIL_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kaizen {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process-wide real clock (never destroyed).
  static Clock* Real();
};

// A clock that only moves when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1656633600))
      : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// Asia/Tokyo, loaded once (falls back to a fixed +09:00 zone when the tz
// database is missing: Japan has had no DST since 1951).
absl::TimeZone TokyoTimeZone();

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_CLOCK_H_
