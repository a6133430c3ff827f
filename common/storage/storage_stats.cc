#include "common/storage/storage_stats.h"

#include <atomic>
#include <iterator>
#include <list>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace kaizen::storage {
namespace {

using internal::StorageEvent;

constexpr int kEvents = static_cast<int>(StorageEvent::kWriteBatch) + 1;

// Trivially destructible, so safe at exit.
std::atomic<int64_t> g_counts[kEvents];

struct Sources {
  absl::Mutex mu;
  std::list<std::function<absl::Status()>> list ABSL_GUARDED_BY(mu);
};

Sources& GetSources() {
  static Sources* const sources = new Sources;  // never destroyed: safe at exit
  return *sources;
}

class Registration final : public internal::HealthRegistration {
 public:
  explicit Registration(std::list<std::function<absl::Status()>>::iterator it) : it_(it) {}
  ~Registration() override {
    Sources& s = GetSources();
    absl::MutexLock lock(&s.mu);
    s.list.erase(it_);
  }

 private:
  std::list<std::function<absl::Status()>>::iterator it_;
};

int64_t Count(StorageEvent e) {
  return g_counts[static_cast<int>(e)].load(std::memory_order_relaxed);
}

}  // namespace

namespace internal {

void RecordStorageEvent(StorageEvent event) {
  g_counts[static_cast<int>(event)].fetch_add(1, std::memory_order_relaxed);
}

std::unique_ptr<HealthRegistration> RegisterHealthSource(
    std::function<absl::Status()> health) {
  Sources& s = GetSources();
  absl::MutexLock lock(&s.mu);
  s.list.push_back(std::move(health));
  return std::make_unique<Registration>(std::prev(s.list.end()));
}

}  // namespace internal

absl::Status ProcessStorageHealth() {
  Sources& s = GetSources();
  // Held while the sources run, so a Database cannot unregister (and be
  // destroyed) in the middle of its own check.
  absl::MutexLock lock(&s.mu);
  for (const auto& health : s.list) {
    absl::Status status = health();
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

StorageStatsSnapshot GlobalStorageStats() {
  StorageStatsSnapshot s;
  s.commits = Count(StorageEvent::kCommit);
  s.rollbacks = Count(StorageEvent::kRollback);
  s.write_requests = Count(StorageEvent::kWriteRequest);
  s.write_batches = Count(StorageEvent::kWriteBatch);
  s.busy = Count(StorageEvent::kBusy);
  s.errors = Count(StorageEvent::kError);
  s.corrupt = Count(StorageEvent::kCorrupt);
  s.disk_full = Count(StorageEvent::kDiskFull);
  s.read_only = Count(StorageEvent::kReadOnly);
  s.missing = Count(StorageEvent::kMissing);
  s.healthy = ProcessStorageHealth().ok();
  return s;
}

}  // namespace kaizen::storage
