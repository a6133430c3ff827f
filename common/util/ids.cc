#include "common/util/ids.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "common/util/crypto.h"

namespace kaizen {
namespace {

constexpr int kIdBytes = 10;  // 80 bits = 16 x 5 bits
constexpr int kIdsPerFill = 64;

// Bumped in the child of every fork(), so a child never hands out the ids
// its parent's pools would hand out next.
std::atomic<uint64_t> g_fork_generation{0};

// Forks that run no atfork handlers (glibc's _Fork(), clone(),
// syscall(SYS_fork)) are caught by a flag in a page the kernel zeroes in
// every child (MADV_WIPEONFORK, Linux 4.14+): a pool that finds it 0 bumps
// the generation. Where the kernel refuses the advice (an old kernel, some
// sandboxes), only fork()'s handler protects the pools.
std::atomic<uint32_t>* WipedInChildren() {
  static std::atomic<uint32_t>* const flag = []() -> std::atomic<uint32_t>* {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    if (madvise(p, page, MADV_WIPEONFORK) != 0) {
      munmap(p, page);
      return nullptr;
    }
    return new (p) std::atomic<uint32_t>(1);
  }();
  return flag;
}

void NoticeForkWithoutHandlers() {
  std::atomic<uint32_t>* const alive = WipedInChildren();
  if (alive == nullptr || alive->load(std::memory_order_relaxed) != 0) return;
  uint32_t zero = 0;
  if (alive->compare_exchange_strong(zero, 1, std::memory_order_relaxed)) {
    g_fork_generation.fetch_add(1, std::memory_order_relaxed);
  }
}

// A thread's pool of random bytes for ids, from one RAND_bytes call per 64
// ids: RAND_bytes costs ~1.8 us per call here (most of it OpenSSL's fork
// check, a getpid system call, and its DRBG's per-call work), 0.03 us per id
// in bulk. Only ids use it: secrets (NewSecretToken) come straight from
// RAND_bytes and are never kept.
struct IdRandomPool {
  unsigned char bytes[kIdBytes * kIdsPerFill];
  int used = sizeof(bytes);
  uint64_t generation = 0;

  const unsigned char* Next() {
    NoticeForkWithoutHandlers();
    const uint64_t now = g_fork_generation.load(std::memory_order_relaxed);
    if (used == static_cast<int>(sizeof(bytes)) || generation != now) {
      const std::string fresh = crypto::RandomBytes(sizeof(bytes));
      std::memcpy(bytes, fresh.data(), sizeof(bytes));
      used = 0;
      generation = now;
    }
    const unsigned char* out = bytes + used;
    used += kIdBytes;
    return out;
  }
};

const unsigned char* NextIdBytes() {
  static std::once_flag once;
  std::call_once(once, [] {
    pthread_atfork(nullptr, nullptr,
                   [] { g_fork_generation.fetch_add(1, std::memory_order_relaxed); });
  });
  thread_local IdRandomPool pool;
  return pool.Next();
}

}  // namespace

std::string NewId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  const unsigned char* bytes = NextIdBytes();
  std::string out;
  out.reserve(16);
  uint64_t acc = 0;
  int bits = 0;
  for (int i = 0; i < kIdBytes; ++i) {
    const unsigned char b = bytes[i];
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(acc >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  // Ids start with a letter: map a leading digit onto a letter.
  if (!absl::ascii_isalpha(out[0])) out[0] = 'a' + (out[0] - '2');
  return out;
}

std::string NewTimeOrderedId(absl::Time now) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  // The same 32 characters in ASCII order, so the ids sort as their ticks.
  static constexpr char kSorted[] = "234567abcdefghijklmnopqrstuvwxyz";
  // 29 bits of 4.096 ms ticks: 4 in the first character (a-p, a letter as
  // every id starts with), 5 in each of the next five.
  const uint64_t ticks = static_cast<uint64_t>(absl::ToUnixMicros(now)) >> 12;
  std::string out(16, 'a');
  out[0] = static_cast<char>('a' + ((ticks >> 25) & 15));
  for (int i = 1; i < 6; ++i) out[i] = kSorted[(ticks >> (5 * (5 - i))) & 31];
  const unsigned char* bytes = NextIdBytes();
  uint64_t random = 0;
  for (int i = 0; i < 7; ++i) random = (random << 8) | bytes[i];  // 56 bits, 50 used
  for (int i = 6; i < 16; ++i) out[i] = kAlphabet[(random >> (5 * (15 - i))) & 31];
  return out;
}

bool IsValidResourceId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  if (!absl::ascii_islower(id.front()) || id.back() == '-') return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string NewSecretToken() {
  return absl::WebSafeBase64Escape(crypto::RandomBytes(32));
}

std::string SecretDigest(absl::string_view token) {
  return crypto::Hex(crypto::Sha256(token));
}

}  // namespace kaizen
