// Per-principal token buckets: each key (a subject, or "ip:<address>" for
// anonymous callers) may make `burst` requests at once and `per_second`
// more every second after that.
//
// Bounded: at most `max_keys` buckets are kept. When the table is full,
// buckets that have refilled completely (idle keys, which lose nothing by
// being forgotten) are dropped; if none has, the whole table is reset, which
// briefly forgives every key rather than growing without bound.
#ifndef KAIZEN_SERVICES_GATEWAY_RATE_LIMITER_H_
#define KAIZEN_SERVICES_GATEWAY_RATE_LIMITER_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/util/clock.h"

namespace kaizen::gateway {

struct RateLimitConfig {
  // Sustained requests per second per key; <= 0 turns limiting off.
  double per_second = 20;
  // Bucket size: requests allowed at once (at least 1).
  double burst = 40;
  size_t max_keys = 100000;
};

class RateLimiter {
 public:
  // `clock` is not owned and must outlive the limiter.
  RateLimiter(RateLimitConfig config, const Clock* clock) : config_(config), clock_(clock) {}

  // Takes one token from `key`'s bucket: OK, or RESOURCE_EXHAUSTED
  // RATE_LIMITED whose metadata "retry_after_seconds" says when the next
  // token arrives. Thread-safe.
  absl::Status Acquire(absl::string_view key);

  size_t tracked_keys() const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  void EvictLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RateLimitConfig config_;
  const Clock* clock_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_RATE_LIMITER_H_
