// A read-through cache whose entries are valid until the next write: each
// value is stored with the Database::write_generation() read before the
// read that produced it, and served only while the generation is unchanged.
// Nothing is stored or served at an odd generation (a write turn is running:
// its commit may or may not be visible yet). So no entry outlives a write
// that might change it, whichever code path of the process wrote (every
// write turn moves the generation), and a hit is an answer a fresh read
// could have given at that moment; the price is that any write empties the
// cache logically (entries of other keys too). Meant for hot reads of
// rarely written rows (a cohort read by every screen, thousands of times per
// write).
//
//   const uint64_t generation = db.write_generation();  // BEFORE the read
//   if (auto hit = cache.Find(key, generation)) return *hit;
//   V value = ...read in a transaction...;
//   cache.Put(key, generation, value);
//
// Only cache values that are the same for every caller: authorise the
// caller before returning a hit exactly as before a read (or cache only what
// every caller may see). Values must not depend on the clock. Writes by other
// processes are not seen (database.h, write_generation).
//
// Thread-safe: Find takes a shared lock, Put an exclusive one, each for one
// hash-map operation (no I/O under the lock); a hit copies a shared_ptr.
// Bounded: at `capacity` entries, Put first drops the entries older than its
// generation and, if that is not enough, all of them.
#ifndef KAIZEN_COMMON_STORAGE_GENERATION_CACHE_H_
#define KAIZEN_COMMON_STORAGE_GENERATION_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace kaizen::storage {

template <typename V>
class GenerationCache {
 public:
  explicit GenerationCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  GenerationCache(const GenerationCache&) = delete;
  GenerationCache& operator=(const GenerationCache&) = delete;

  // The value stored for `key` at exactly `generation` (the current one,
  // read by the caller), or nullptr.
  std::shared_ptr<const V> Find(absl::string_view key, uint64_t generation) const {
    if (generation % 2 != 0) return nullptr;
    absl::ReaderMutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.generation != generation) return nullptr;
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second.value;
  }

  // Stores `value` for `key` as read at `generation` (read before the read
  // began). Ignored at an odd generation, and when a later one was seen
  // already (the entry could never be served: generations only grow).
  void Put(absl::string_view key, uint64_t generation, V value) {
    if (generation % 2 != 0) return;
    auto shared = std::make_shared<const V>(std::move(value));
    absl::MutexLock lock(&mu_);
    if (generation < newest_) return;
    newest_ = generation;
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      it->second = {generation, std::move(shared)};
      return;
    }
    if (entries_.size() >= capacity_) {
      absl::erase_if(entries_, [&](const auto& e) { return e.second.generation < generation; });
      if (entries_.size() >= capacity_) entries_.clear();
    }
    entries_.emplace(std::string(key), Entry{generation, std::move(shared)});
  }

  size_t size() const {
    absl::ReaderMutexLock lock(&mu_);
    return entries_.size();
  }

  // Finds that returned a value, since construction (for tests and metrics).
  int64_t hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    uint64_t generation = 0;
    std::shared_ptr<const V> value;
  };
  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t newest_ ABSL_GUARDED_BY(mu_) = 0;
  mutable std::atomic<int64_t> hits_{0};
};

}  // namespace kaizen::storage

#endif  // KAIZEN_COMMON_STORAGE_GENERATION_CACHE_H_
