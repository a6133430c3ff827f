#include "services/enrollment/feed_guard.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/status/status.h"

namespace kaizen::enrollment {

FeedGuard::FeedGuard(int max_pages, absl::Duration backoff)
    : max_pages_(std::max(1, max_pages)), backoff_(backoff) {
  rest_until_.fill(absl::InfinitePast());
  last_log_.fill(absl::InfinitePast());
}

int FeedGuard::retry_after_seconds() const {
  return std::max<int>(1, static_cast<int>(absl::ToInt64Seconds(backoff_)));
}

bool FeedGuard::TryEnter() {
  absl::MutexLock lock(&mu_);
  if (in_flight_ >= max_pages_) return false;
  ++in_flight_;
  return true;
}

void FeedGuard::Leave() {
  absl::MutexLock lock(&mu_);
  --in_flight_;
}

bool FeedGuard::SourceOpen(size_t i, absl::Time now) const {
  absl::MutexLock lock(&mu_);
  return i < rest_until_.size() && now >= rest_until_[i];
}

void FeedGuard::RecordFailure(size_t i, absl::Time now, absl::StatusCode code) {
  if (i >= kFeedSources.size()) return;
  bool log = false;
  {
    absl::MutexLock lock(&mu_);
    ++failures_[i];
    rest_until_[i] = now + backoff_;
    if (now - last_log_[i] >= backoff_) {
      last_log_[i] = now;
      log = true;
    }
  }
  if (log) {
    // The service and the code only: no participant, no cursor, no message.
    std::fprintf(stderr,
                 "{\"service\":\"enrollment\",\"event\":\"result_source_failed\","
                 "\"source\":\"%s\",\"code\":%d,\"rest_seconds\":%d}\n",
                 std::string(kFeedSources[i].service).c_str(), static_cast<int>(code),
                 retry_after_seconds());
  }
}

void FeedGuard::RecordSuccess(size_t i) {
  if (i >= kFeedSources.size()) return;
  absl::MutexLock lock(&mu_);
  rest_until_[i] = absl::InfinitePast();
}

int64_t FeedGuard::failures(size_t i) const {
  absl::MutexLock lock(&mu_);
  return i < failures_.size() ? failures_[i] : 0;
}

}  // namespace kaizen::enrollment
