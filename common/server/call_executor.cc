#include "common/server/call_executor.h"

#include <algorithm>
#include <utility>

#include "common/util/thread_name.h"

namespace kaizen::server {

CallExecutor::CallExecutor(const Options& options)
    : options_{std::max(1, options.threads), std::max(1, options.max_queued)} {
  workers_.reserve(options_.threads);
  for (int i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] {
      NameThisThread(kThreadWorker);
      Work();
    });
  }
}

CallExecutor::~CallExecutor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : workers_) t.join();
}

int64_t CallExecutor::InFlight() const {
  return static_cast<int64_t>(queue_.size()) + running_ + async_;
}

int64_t CallExecutor::Bound() const {
  return static_cast<int64_t>(options_.threads) + options_.max_queued;
}

bool CallExecutor::TrySubmit(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || static_cast<int64_t>(queue_.size()) >= options_.max_queued ||
      InFlight() >= Bound()) {
    ++rejected_;
    return false;
  }
  queue_.push_back(std::move(task));
  return true;
}

bool CallExecutor::TryAdmitAsync() {
  absl::MutexLock lock(&mu_);
  if (stopping_ || InFlight() >= Bound()) {
    ++rejected_;
    return false;
  }
  ++async_;
  return true;
}

void CallExecutor::ReleaseAsync() {
  absl::MutexLock lock(&mu_);
  --async_;
  ++completed_;
}

CallExecutor::Stats CallExecutor::stats() const {
  absl::MutexLock lock(&mu_);
  return Stats{static_cast<int64_t>(queue_.size()), running_ + async_, rejected_, completed_};
}

void CallExecutor::Work() {
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || stopping_;
  };
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(&ready));
    if (queue_.empty()) return;  // stopping, and everything queued has run
    absl::AnyInvocable<void() &&> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    mu_.Unlock();
    std::move(task)();
    task = nullptr;  // whatever it captured goes before the next task
    mu_.Lock();
    --running_;
    ++completed_;
  }
}

}  // namespace kaizen::server
