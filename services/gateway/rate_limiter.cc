#include "services/gateway/rate_limiter.h"

#include <algorithm>

#include "services/gateway/gateway_errors.h"

namespace kaizen::gateway {

absl::Status RateLimiter::Acquire(absl::string_view key) {
  if (config_.per_second <= 0) return absl::OkStatus();
  const double burst = std::max(1.0, config_.burst);
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config_.max_keys) EvictLocked(now);
    it = buckets_.emplace(std::string(key), Bucket{burst, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.updated));
  b.tokens = std::min(burst, b.tokens + elapsed * config_.per_second);
  b.updated = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return absl::OkStatus();
  }
  return RateLimited(absl::Seconds((1.0 - b.tokens) / config_.per_second));
}

void RateLimiter::EvictLocked(absl::Time now) {
  const double burst = std::max(1.0, config_.burst);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double refilled =
        it->second.tokens + absl::ToDoubleSeconds(now - it->second.updated) * config_.per_second;
    if (refilled >= burst) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
  if (buckets_.size() >= config_.max_keys) buckets_.clear();
}

size_t RateLimiter::tracked_keys() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace kaizen::gateway
