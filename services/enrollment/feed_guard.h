// What keeps the partner change feed (ListChanges) from being used to
// hammer the services behind it (feed.cc):
//   - a bound on the pages served at once (TryEnter; above it the caller
//     answers RESOURCE_EXHAUSTED FEED_BUSY), so N partners polling in a
//     loop cannot start N x 3 source calls, each waiting up to its deadline;
//   - a per-source circuit breaker: after a source failed (error or
//     malformed answer), it is not asked again until `backoff` has passed
//     on the injected clock; meanwhile it is named in unavailable_sources
//     without a call (its position is kept, nothing is lost);
//   - a rate-limited log line per failing source (the service name and the
//     status code only: no person, no cursor), and a failure count per
//     source for tests and diagnostics.
// Thread-safe.
#ifndef KAIZEN_SERVICES_ENROLLMENT_FEED_GUARD_H_
#define KAIZEN_SERVICES_ENROLLMENT_FEED_GUARD_H_

#include <array>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/enrollment/feed_cursor.h"

namespace kaizen::enrollment {

class FeedGuard {
 public:
  // `max_pages` >= 1 pages at once; a failed source rests for `backoff`.
  FeedGuard(int max_pages, absl::Duration backoff);
  FeedGuard(const FeedGuard&) = delete;
  FeedGuard& operator=(const FeedGuard&) = delete;

  int max_pages() const { return max_pages_; }
  // Seconds a refused caller should wait (the backoff, at least 1).
  int retry_after_seconds() const;

  // Takes one of the max_pages slots; false when all are taken. Every true
  // must be followed by one Leave (use Slot).
  bool TryEnter();
  void Leave();

  // Whether the source at kFeedSources index `i` may be asked at `now`.
  bool SourceOpen(size_t i, absl::Time now) const;
  // Records the outcome of asking source `i` at `now`. A failure rests it
  // for the backoff (and logs at most once per backoff per source, with
  // `code` only); a success closes the breaker.
  void RecordFailure(size_t i, absl::Time now, absl::StatusCode code);
  void RecordSuccess(size_t i);
  // Failures recorded for source `i` since start.
  int64_t failures(size_t i) const;

  // Holds a slot for a scope: ok() is false when none was free.
  class Slot {
   public:
    explicit Slot(FeedGuard& guard) : guard_(guard), held_(guard.TryEnter()) {}
    ~Slot() {
      if (held_) guard_.Leave();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    bool ok() const { return held_; }

   private:
    FeedGuard& guard_;
    const bool held_;
  };

 private:
  const int max_pages_;
  const absl::Duration backoff_;
  mutable absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::array<absl::Time, kFeedSources.size()> rest_until_ ABSL_GUARDED_BY(mu_);
  std::array<absl::Time, kFeedSources.size()> last_log_ ABSL_GUARDED_BY(mu_);
  std::array<int64_t, kFeedSources.size()> failures_ ABSL_GUARDED_BY(mu_){};
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_FEED_GUARD_H_
